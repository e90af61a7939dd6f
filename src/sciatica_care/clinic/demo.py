"""The demo clinic: two practitioners, a receptionist, an admin and ~30 patients with realistic courses.

Every plan comes from the engine and every score from the scorer, exactly as in real use. Every treated course
has 4-10 charted sessions; the red-flag referral has none. Deterministic for a given seed; dates are counted back
from today so that the last session of a course is never after today.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from sciatica_care.clinic import billing, records, vocab
from sciatica_care.clinic.clinical import Plan
from sciatica_care.clinic.models import Clinic, Episode, Role, Staff

DEMO_PASSWORD = "demo-sciatica-2026"  # noqa: S105 - printed for the demo on purpose; development only
#: Billing identifiers of the demo (well-formed, check digits right, belonging to nobody).
DEMO_CLINIC_BILLING = {"npi": "1234567893", "tax_id": "12-3456789", "billing_phone": "(217) 555-0100",
                       "billing_address": "12 River Road\nSpringfield, IL 62701", "place_of_service": "11",
                       "cpt_fees": {"97810": "65.00", "97811": "45.00", "97813": "75.00", "97814": "50.00",
                                    "97124": "40.00", "97140": "45.00"}}
DEMO_NPIS = {"dr.lin": "1987654328", "dr.okafor": "1765432103"}
#: The demo practitioners' signatures on letters (qualifications, registration).
SIGNATURES = {"dr.lin": ("BSc (Hons) Acupuncture, MBAcC", "British Acupuncture Council 000001 (demo)"),
              "dr.okafor": ("Lic Ac, MBAcC", "British Acupuncture Council 000002 (demo)")}
#: The patients' GPs, in turn (name, practice, address): the letters are addressed to them.
GPS = [("Dr Anil Patel", "Redland Green Surgery (demo)", "1 Redland Green\nBristol BS6 7HF"),
       ("Dr Sarah Owen", "Mill Lane Practice (demo)", "22 Mill Lane\nBristol BS1 4AB"),
       ("Dr Tomas Novak", "Harbourside Health Centre (demo)", "5 Quay Street\nBristol BS1 1AA")]
DEMO_STAFF = [
    ("dr.lin", "Mei", "Lin", Role.PRACTITIONER),
    ("dr.okafor", "Chidi", "Okafor", Role.PRACTITIONER),
    ("reception", "Sam", "Reyes", Role.RECEPTION),
    ("admin", "Alex", "Morgan", Role.CLINIC_ADMIN),
]
FIRST = ["Olivia", "James", "Amelia", "Noah", "Isla", "Oliver", "Ava", "George", "Mia", "Leo", "Grace", "Arthur",
         "Freya", "Harry", "Lily", "Jack", "Sofia", "Thomas", "Emily", "Oscar", "Ella", "Charlie", "Ruby", "Henry",
         "Chloe", "William", "Zara", "Theo", "Maya", "Finn"]
LAST = ["Patel", "Evans", "Nowak", "Hughes", "Kowalski", "Ahmed", "Murphy", "Chen", "Davies", "Silva", "Walsh",
        "Ibrahim", "Baker", "Rossi", "Kelly", "Singh", "Wright", "Moreau", "Clarke", "Haddad", "Price", "Novak",
        "Turner", "Costa", "Reid", "Yilmaz", "Hall", "Dubois", "Ward", "Sato"]
PROFILES = [  # (areas, roots-ish examination, worse_with)
    (["buttock", "posterior_thigh", "posterior_calf", "sole", "heel"], {"reflexes": {"ankle": "reduced"},
     "straight_leg_raise": "positive", "weakness": ["plantarflexion"]}, ["sitting", "coughing_sneezing"]),
    (["buttock", "lateral_thigh", "lateral_calf", "dorsum_foot", "big_toe"], {"straight_leg_raise": "positive",
     "weakness": ["great_toe_extension"]}, ["sitting", "bending_forward"]),
    (["buttock", "posterior_thigh"], {"piriformis_tenderness": True, "fair_test": "positive",
     "straight_leg_raise": "negative"}, ["sitting"]),
    (["lower_back", "buttock", "posterior_thigh", "posterior_calf"], {"imaging": ["spinal_stenosis"],
     "straight_leg_raise": "negative"}, ["walking", "standing", "extension"]),
    (["anterior_thigh", "medial_calf", "lower_back"], {"reflexes": {"knee": "reduced"},
     "weakness": ["knee_extension"]}, ["standing"]),
]


def _examination(exam: dict[str, Any], side: str, red_flags: list[str] | None) -> dict[str, Any]:
    """The profile's examination with its weakness graded (4/5: present, not a foot drop). Weakness in both legs
    is bilateral neurology, a same-day referral, so the treated two-legged cases have none."""
    out = dict(exam)
    if side == "both" and not red_flags:
        out.pop("weakness", None)
    if out.get("weakness"):
        out["power"] = dict.fromkeys(out["weakness"], 4)
    return out


def _intake(rng: random.Random, age: int, sex: str, *, pregnant_weeks: int | None = None,
            red_flags: list[str] | None = None) -> dict[str, Any]:
    areas, exam, worse = rng.choice(PROFILES)
    weeks = rng.choice([1, 2, 3, 5, 8, 10, 16, 30])
    side = rng.choice(["left", "right", "left", "right", "both"]) if not red_flags else "both"
    # Pain in both legs that came on suddenly is a cauda equina warning the engine refers at once: the demo has
    # exactly one referral (the red-flag patient), so the other two-legged cases came on gradually.
    onset = rng.choice(["sudden", "gradual"]) if side != "both" or red_flags else "gradual"
    intake: dict[str, Any] = {
        "schema_version": "1",
        "patient": {"age": age, "sex": sex, "pregnant": pregnant_weeks is not None,
                    "pregnancy_weeks": pregnant_weeks},
        "episode": {"side": side, "duration_weeks": weeks, "onset": onset,
                    "after_lifting": rng.random() < 0.3},
        "pain": {"leg_nrs": rng.randint(5, 9), "back_nrs": rng.randint(2, 7), "areas": areas,
                 "qualities": rng.sample(vocab.QUALITIES, 2), "worse_with": worse, "better_with": ["lying"]},
        "examination": _examination(exam, side, red_flags),
        "red_flags": red_flags or [],
        "medical": rng.choice([[], [], [], ["diabetes"], ["anticoagulants"], ["needle_phobia"]]),
        "tcm": {"signs": rng.sample(vocab.TCM_SIGNS, 2), "tongue": [rng.choice(vocab.TONGUE)],
                "pulse": [rng.choice(vocab.PULSE)]},
        "preferences": {"max_sessions_per_week": 2},
    }
    if pregnant_weeks is None:
        intake["patient"].pop("pregnancy_weeks")
        if sex != "female":
            intake["patient"].pop("pregnant")
    return intake


def _visit_fields(rng: random.Random, plan: Plan, day: dt.date, leg_nrs: int) -> dict[str, Any]:
    points = [{"code": p.code, "side": p.side} for p in plan.acupuncture.points]
    if len(points) > 4 and rng.random() < 0.4:
        points.pop(rng.randrange(len(points)))
    ea = plan.electroacupuncture
    massage = plan.massage
    # Face-to-face minutes (not needle dwell time): half an hour of needling with one re-insertion, with e-stim
    # when the plan has pairs; 23 minutes of massage when any was done.
    estim = ea.allowed and bool(ea.pairs)
    minutes = {"minutes_electroacupuncture": 30 if estim else 0,
               "minutes_acupuncture": 0 if estim or not points else 30,
               "needle_reinsertions": 1 if points else 0,
               "minutes_massage": 23 if massage.allowed and massage.techniques else 0}
    return {
        **minutes,
        "date": day, "red_flags_rechecked": True, "points": points,
        "ea_pairs": [list(p) for p in ea.pairs] if ea.allowed else [],
        "ea_frequency_hz": (ea.frequency_hz or "") if ea.allowed else "",
        "ea_minutes": ea.minutes if ea.allowed else None,
        "massage_done": list(massage.techniques[:2]) if massage.allowed else [],
        "cupping_done": plan.cupping.allowed and rng.random() < 0.5,
        "adverse_events": "Small bruise at GB30, settled." if rng.random() < 0.05 else "",
        "subjective": rng.choice(["Sleeping better.", "Sitting still hurts after 30 minutes.",
                                  "Leg pain less sharp.", "Back stiff in the mornings.", "Walked 20 minutes."]),
        "objective": rng.choice(["SLR improved by 10°.", "Less guarding.", "Tender at piriformis, less than before."]),
        "assessment": "Progressing as expected." if leg_nrs < 6 else "Slow progress.",
        "plan_notes": "Continue plan; home exercises daily.",
        "leg_nrs": leg_nrs, "back_nrs": max(0, leg_nrs - rng.randint(1, 3)),
    }


def _confirm_diagnosis(prac: Staff, episode: Episode) -> None:
    """The practitioner confirms the suggested diagnosis when every code of it is billable (an unverified one,
    such as the spondylolisthesis code, is left for the practitioner to choose)."""
    suggested = billing.suggestion(episode).diagnoses
    billable = {c.id for c in billing.clinical.diagnosis_choices() if c.billable}
    if suggested and set(suggested) <= billable:
        billing.confirm_diagnoses(prac, episode, Episode.objects.get(pk=episode.pk).version, suggested)


def _not_sunday(day: dt.date) -> dt.date:
    """The clinic is closed on Sundays: a day that falls on one is the Saturday before (sessions are at least
    three days apart, so the order of a course's days holds)."""
    return day - dt.timedelta(days=1) if day.weekday() == 6 else day


@transaction.atomic
def load(n_patients: int = 30, seed: int = 7) -> dict[str, Staff]:
    """Create the demo clinic (once). Returns its staff by username."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    clinic = Clinic.objects.create(name="Riverside Acupuncture (demo)", address="14 Riverside Walk\nBristol BS1 6XX",
                                   phone="0117 496 0000", email="desk@riverside.example",
                                   **DEMO_CLINIC_BILLING)
    staff = {}
    for username, first, last, role in DEMO_STAFF:
        qualifications, registration = SIGNATURES.get(username, ("", ""))
        staff[username] = Staff.objects.create_user(
            username=username, password=DEMO_PASSWORD, first_name=first, last_name=last, clinic=clinic,
            role=role, qualifications=qualifications, registration=registration,
            npi=DEMO_NPIS.get(username, ""))
    practitioners = [staff["dr.lin"], staff["dr.okafor"]]
    today = timezone.localdate()
    for i in range(n_patients):
        prac = practitioners[i % 2]
        sex = "female" if i % 2 == 0 else "male"
        age = rng.randint(24, 78)
        pregnant = 24 if i == 4 else None
        flags = ["saddle_anaesthesia", "bladder_dysfunction"] if i == 9 else None
        if pregnant:
            age, sex = 31, "female"
        patient = records.create_patient(
            prac, first_name=FIRST[i % len(FIRST)], last_name=LAST[(i * 7) % len(LAST)],
            date_of_birth=today.replace(year=today.year - age) - dt.timedelta(days=rng.randint(1, 300)),
            sex=sex, phone=f"07700 900{i:03d}", email=f"{FIRST[i % len(FIRST)].lower()}{i}@example.org",
            gp_name=GPS[i % len(GPS)][0], gp_practice=GPS[i % len(GPS)][1], gp_address=GPS[i % len(GPS)][2],
            consent_treatment=True, consent_data_use=rng.random() < 0.8,
            booking_notes=rng.choice(["Prefers mornings.", "Tuesdays only.", "", "Needs ground-floor room."]))
        episode = records.open_episode(prac, patient)
        # The course first, then its dates: 4-10 sessions, the first 3 days after the intake, then every 3, 4 or 7
        # days, the last one between today and a month ago; the intake is as far back as that needs.
        n_visits = rng.randint(4, 10)
        offsets = list(itertools.accumulate([3] + [rng.choice([3, 4, 7]) for _ in range(n_visits - 1)]))
        start = _not_sunday(today - dt.timedelta(days=offsets[-1] + rng.randint(0, 30)))
        episode.opened_on = start
        episode.save(update_fields=["opened_on"])
        revision = records.record_intake(prac, episode, _intake(rng, age, sex, pregnant_weeks=pregnant,
                                                                red_flags=flags))
        when = timezone.make_aware(dt.datetime.combine(start, dt.time(9, 30)))
        type(revision).objects.filter(pk=revision.pk).update(created_at=when)
        type(revision.intake).objects.filter(pk=revision.intake_id).update(recorded_at=when)
        plan = revision.typed
        if plan is None or not plan.treatment_allowed:
            continue  # the red-flag referral: sent for emergency assessment, no sessions
        _confirm_diagnosis(prac, episode)
        leg = revision.intake.data["pain"]["leg_nrs"]
        odi_level = rng.randint(2, 4)
        for k, offset in enumerate(offsets):
            day = _not_sunday(start + dt.timedelta(days=offset))
            leg = max(0, leg - rng.choice([0, 1, 1, 2]))
            odi = None
            if k in (0, 3, n_visits - 1):
                odi = [max(0, min(5, odi_level + rng.choice([-1, 0, 0, 1]))) for _ in range(10)]
                odi_level = max(0, odi_level - 1)
            records.chart_visit(prac, episode, revision, _visit_fields(rng, plan, day, leg), odi)
    return staff
