"""Writes: every write in a transaction, edits with optimistic concurrency, each one audited.

Views and the API call these functions; they never save clinic records themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from sciatica_care.clinic import audit, clinical, episode_outcomes, input_cleaning, intake_checks, signals
from sciatica_care.clinic.models import (
    CareAssignment,
    Clinic,
    Episode,
    EpisodeStatus,
    Intake,
    OutcomeScore,
    Patient,
    PlanRevision,
    QuestionnaireLink,
    Role,
    Staff,
    Visit,
)
from sciatica_care.errors import InputRefused, Problem


class Conflict(Exception):
    """Someone else saved the record since it was opened; nothing was written."""

    def __init__(self, obj: Any, current_version: int | None) -> None:
        self.obj = obj
        self.current_version = current_version
        super().__init__(
            f"{type(obj).__name__} {obj.pk} was changed by someone else (now version {current_version}); "
            "reload to see their changes — your edits were not saved"
        )


def _plain(value: Any) -> Any:
    """A value as the audit event's JSON keeps it (dates and times as ISO 8601)."""
    return value.isoformat() if isinstance(value, dt.date) else value


def update_versioned(actor: Staff, obj: Any, expected_version: int, changes: dict[str, Any], *,
                     keep_previous: bool = False, keep_changes: bool = False) -> Any:
    """Apply `changes` to `obj` only if it is still at `expected_version`; raise `Conflict` otherwise.

    With `keep_previous`, the values the change replaced go into the audit event (text fields such as clinical
    notes), so that an amended note can always be read as it was. With `keep_changes`, the event names each
    changed field with its old and new value (`{"field": {"from": old, "to": new}}`: settings, JSON values only).
    """
    model = type(obj)
    with transaction.atomic():
        current = model._default_manager.filter(pk=obj.pk, version=expected_version)
        previous = current.values(*changes).first() if (keep_previous or keep_changes) and changes else None
        values = dict(changes)
        if hasattr(obj, "updated_at"):
            values["updated_at"] = timezone.now()
        n = current.update(version=F("version") + 1, **values)
        if n != 1:
            now = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
            raise Conflict(obj, now)
        detail: dict[str, Any] = {"fields": sorted(changes), "version": expected_version + 1}
        if previous is not None and keep_previous:
            detail["previous"] = {k: v for k, v in previous.items() if v != changes[k]}
        if previous is not None and keep_changes:
            detail["changes"] = {k: {"from": _plain(v), "to": _plain(changes[k])}
                                 for k, v in previous.items() if v != changes[k]}
        audit.record(actor, "update", obj, clinic_id=obj.pk if isinstance(obj, Clinic) else None, **detail)
    obj.refresh_from_db()
    return obj


CLINIC_SETTINGS_FIELDS = ("name", "disability_instrument", "questionnaire_every_n_visits", "payer_rule_warning",
                          "require_second_factor", "idle_minutes", "care_team_access", "break_glass_hours",
                          "retention_years", "api_token_max_days", "npi", "tax_id", "billing_address",
                          "billing_phone", "place_of_service", "cpt_fees", "currency",
                          "address", "phone", "email")


def update_clinic_settings(actor: Staff, clinic: Clinic, expected_version: int, values: dict[str, Any]) -> Clinic:
    """Change the clinic's name and outcome settings with optimistic concurrency; the audit event keeps each
    changed setting's old and new value. Submitting what is already stored writes nothing."""
    changes = {k: v for k, v in values.items() if k in CLINIC_SETTINGS_FIELDS and v != getattr(clinic, k)}
    if not changes:
        return clinic
    result: Clinic = update_versioned(actor, clinic, expected_version, changes, keep_changes=True)
    return result


VISIT_NOTE_FIELDS = ("adverse_events", "subjective", "objective", "assessment", "plan_notes")


def update_visit_notes(actor: Staff, visit: Visit, expected_version: int, notes: dict[str, str]) -> Visit:
    """Amend a charted session's notes (SOAP and adverse events) with optimistic concurrency; the replaced text
    is kept in the audit event. Other fields of a charted session are not edited here."""
    changes = {k: v for k, v in notes.items() if k in VISIT_NOTE_FIELDS and v != getattr(visit, k)}
    if not changes:
        return visit  # what they submitted is what is stored: nothing to write, nothing to lose
    result: Visit = update_versioned(actor, visit, expected_version, changes, keep_previous=True)
    return result


def _name_key(name: str) -> str:
    """A name compared without case, accents or extra spaces: "José  Núñez" and "jose nunez" are the same."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def matching_patients(clinic_id: int | None, first_name: str, last_name: str, date_of_birth: Any) -> list[Patient]:
    """The clinic's patients with the same name (case and accents aside) and birth date: a new record for one of
    them is probably a duplicate, so the form warns (with a link) before adding it."""
    if clinic_id is None or not date_of_birth:
        return []
    key = (_name_key(first_name), _name_key(last_name))
    same_day = Patient.objects.filter(clinic_id=clinic_id, date_of_birth=date_of_birth)
    return [p for p in same_day[:50] if (_name_key(p.first_name), _name_key(p.last_name)) == key]


def create_patient(actor: Staff, **fields: Any) -> Patient:
    now = timezone.now()
    with transaction.atomic():
        if fields.get("consent_treatment"):
            fields.setdefault("consent_treatment_at", now)
            fields.setdefault("consent_treatment_by", actor)
        if fields.get("consent_data_use"):
            fields.setdefault("consent_data_use_at", now)
        patient = Patient.objects.create(clinic_id=actor.clinic_id, **fields)
        audit.record(actor, "create", patient)
        if actor.role == Role.PRACTITIONER:  # whoever takes a patient on is on their care team (care_team.py)
            CareAssignment.objects.create(clinic_id=patient.clinic_id, patient=patient, staff=actor,
                                          assigned_by=actor)
    return patient


def update_patient(actor: Staff, patient: Patient, expected_version: int | None,
                   changes: dict[str, Any]) -> Patient:
    """Edit a patient's details with optimistic concurrency: `expected_version` is required (None is refused,
    naming `version`: an edit that does not say which version it was made on would overwrite blindly). A consent
    given is stamped with when and who recorded it; a consent withdrawn clears them (the audit keeps both)."""
    if expected_version is None:
        raise InputRefused([Problem("version", VERSION_REQUIRED)])
    changes = dict(changes)
    now = timezone.now()
    if "consent_treatment" in changes and changes["consent_treatment"] != patient.consent_treatment:
        given = bool(changes["consent_treatment"])
        changes.update(consent_treatment_at=now if given else None, consent_treatment_by=actor if given else None)
    if "consent_data_use" in changes and changes["consent_data_use"] != patient.consent_data_use:
        changes["consent_data_use_at"] = now if changes["consent_data_use"] else None
    result: Patient = update_versioned(actor, patient, expected_version, changes)
    return result


#: What an edit without its version is told (page and API, under `version`).
VERSION_REQUIRED = ("version: the edit does not say which version of the record it was made on, so it could "
                    "overwrite someone else's changes; reload the record and make the change again")


class NoConsent(InputRefused):
    """No consent to treatment is recorded for the patient: no session is charted until it is."""

    def __init__(self, patient: Patient) -> None:
        self.patient = patient
        super().__init__([Problem("consent_treatment", (
            f"No consent to treatment is recorded for {patient.first_name} {patient.last_name}: no session can be "
            "charted. Ask the patient, then record their consent on their details page (Edit: “consents to "
            "treatment”); the date and who recorded it are kept with it."))])


def refuse_without_consent(episode: Episode) -> None:
    patient = Patient.objects.only("first_name", "last_name", "consent_treatment").get(pk=episode.patient_id)
    if not patient.consent_treatment:
        raise NoConsent(patient)


def open_episode(actor: Staff, patient: Patient, title: str = "Sciatica") -> Episode:
    with transaction.atomic():
        episode = Episode.objects.create(clinic_id=patient.clinic_id, patient=patient, title=title)
        audit.record(actor, "create", episode)
    return episode


def open_course(actor: Staff, patient: Patient, intake: dict[str, Any], title: str = "Sciatica") -> PlanRevision:
    """Open a course of care with its first intake and plan, in one transaction: an intake the engine or the
    checks refuse (InputRefused) leaves no course behind, and nothing is stored until the intake is saved."""
    with transaction.atomic():
        episode = open_episode(actor, patient, title)
        return record_intake(actor, episode, intake)


def record_intake(actor: Staff, episode: Episode, intake: dict[str, Any], reason: str = "") -> PlanRevision:
    """Ask the engine for a plan (raises InputRefused before anything is written), then store both as given.

    The intake 1.1 fields are checked first in the clinic's words (intake_checks), and the weakness list is
    completed from the power grades (a grade below 5 is a weakness), so form and API store the same document."""
    unstorable = input_cleaning.document_problems(intake)  # NUL, control characters, NaN: no database keeps them
    if unstorable:
        raise InputRefused(unstorable)
    intake_checks.check(intake)
    intake = intake_checks.complete(intake)
    planned = clinical.plan_for(intake)
    plan, typed = planned.document, planned.plan  # typed None: stored as given, never treated from; held as referred
    level = typed.triage.level if typed is not None else None
    with transaction.atomic():
        # The course's row is locked first, so concurrent intakes on one course number their plans one after
        # another (PostgreSQL; SQLite's writes are serialised already) instead of colliding on the same number.
        Episode.objects.select_for_update().filter(pk=episode.pk).values_list("pk", flat=True).first()
        stored = Intake.objects.create(clinic_id=episode.clinic_id, episode=episode, data=intake, recorded_by=actor)
        last = PlanRevision.objects.filter(episode=episode).aggregate(n=Max("number"))["n"] or 0
        revision = PlanRevision.objects.create(
            clinic_id=episode.clinic_id, episode=episode, intake=stored, number=last + 1, plan=plan,
            engine_version=typed.engine_version if typed is not None else "",
            knowledge_version=typed.knowledge_version if typed is not None else "",
            reason=reason or ("first intake" if last == 0 else "re-assessment"), created_by=actor)
        audit.record(actor, "create", stored, patient_id=episode.patient_id)
        audit.record(actor, "create", revision, patient_id=episode.patient_id,
                     triage=level)
        if level != "routine" and episode.status == "open":
            Episode.objects.filter(pk=episode.pk).update(status="referred", version=F("version") + 1)
        if typed is None or not typed.treatment_allowed:
            signals.stop_course_on_commit(episode, reason=signals.NOT_FOR_TREATMENT, red_flag=True, by=actor)
        episode_outcomes.intake_recorded(episode, revision)
    return revision


def _score_all(questionnaires: dict[str, list[Any]]) -> dict[str, dict[str, Any]]:
    """Score every questionnaire before anything is written; one InputRefused names every problem, each under
    the form field it belongs to (`odi_3`)."""
    from sciatica_care.clinic.questionnaires import problem_paths

    results: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for measure, answers in questionnaires.items():
        try:
            results[measure] = dict(clinical.score(_instrument_of(measure), answers).to_json())
        except InputRefused as exc:
            problems += problem_paths(_instrument_of(measure), exc.problems)
    if problems:
        raise InputRefused(problems)
    return results


def _instrument_of(measure: str) -> str:
    return "nrs" if measure.startswith("nrs_") else measure


class EpisodeClosed(InputRefused):
    """The course was discharged: no session is charted on it until a practitioner reopens it."""

    def __init__(self, episode: Episode) -> None:
        self.episode = episode
        closed = episode.closed_on
        day = f"{closed.day} {closed:%b %Y}" if closed else "an earlier date"
        super().__init__([Problem("episode", (
            f"This course of care was discharged on {day} and is closed: no session can be charted on it. "
            "If the patient is continuing this course, reopen it from its discharge summary page (you will be "
            "asked why); for a new complaint, open a new course from the patient's page."))])


def refuse_if_closed(episode: Episode) -> None:
    if episode.status == EpisodeStatus.CLOSED:
        raise EpisodeClosed(episode)


def discharge_episode(actor: Staff, episode: Episode, expected_version: int, day: dt.date) -> Episode:
    """Discharge a course: record the discharge date and close it, only if it is still at `expected_version`
    (`Conflict` otherwise) and open; the date may not be in the future, before the course opened or before its
    last charted session (`InputRefused`, naming `discharged_on`). Audited as `discharge`."""
    with transaction.atomic():
        fresh = Episode.objects.select_for_update().get(pk=episode.pk)
        if fresh.version != expected_version:
            raise Conflict(episode, fresh.version)
        if fresh.status == EpisodeStatus.CLOSED:
            raise InputRefused([Problem("episode", f"This course was already discharged on {fresh.closed_on}.")])
        last_visit = fresh.visits.aggregate(d=Max("date"))["d"]
        if day > timezone.localdate():
            problem = "the discharge date cannot be in the future"
        elif day < fresh.opened_on:
            problem = f"the discharge date cannot be before the course opened ({fresh.opened_on.isoformat()})"
        elif last_visit is not None and day < last_visit:
            problem = f"the discharge date cannot be before the last charted session ({last_visit.isoformat()})"
        else:
            problem = ""
        if problem:
            raise InputRefused([Problem("discharged_on", problem)])
        update_versioned(actor, episode, expected_version,
                         {"status": EpisodeStatus.CLOSED, "closed_on": day})
        audit.record(actor, "discharge", episode, patient_id=episode.patient_id, closed_on=day.isoformat(),
                     previous_status=fresh.status, sessions=fresh.visits.count())
        episode_outcomes.discharged(episode)
        signals.stop_course_on_commit(episode, reason=signals.DISCHARGED, red_flag=False, by=actor)
    return episode


def reopen_episode(actor: Staff, episode: Episode, expected_version: int, reason: str) -> Episode:
    """Reopen a discharged course (the reason is required and audited), only if still at `expected_version`.
    It goes back to `referred` when its current plan withholds treatment (a red flag at triage), else `open`."""
    reason = reason.strip()
    if not reason:
        raise InputRefused([Problem("reason", "say why the course is being reopened")])
    with transaction.atomic():
        fresh = Episode.objects.select_for_update().get(pk=episode.pk)
        if fresh.version != expected_version:
            raise Conflict(episode, fresh.version)
        if fresh.status != EpisodeStatus.CLOSED:
            raise InputRefused([Problem("episode", "This course is not closed: there is nothing to reopen.")])
        plan = fresh.plans.order_by("-number").first()
        status = EpisodeStatus.REFERRED if plan is not None and not plan.treatment_allowed else EpisodeStatus.OPEN
        update_versioned(actor, episode, expected_version, {"status": status, "closed_on": None})
        audit.record(actor, "reopen", episode, patient_id=episode.patient_id, reason=reason[:500],
                     was_closed_on=fresh.closed_on.isoformat() if fresh.closed_on else None, status=status)
    return episode


def chart_visit(actor: Staff, episode: Episode, plan: PlanRevision | None, fields: dict[str, Any],
                odi_answers: list[Any] | None = None,
                questionnaires: dict[str, list[Any]] | None = None) -> Visit:
    """Store a charted session and its questionnaires, each scored by the scorer, in one transaction. The leg
    and back NRS are kept on the visit and as scores (`nrs_leg`, `nrs_back`)."""
    asked: dict[str, list[Any]] = {}
    if odi_answers and any(a is not None for a in odi_answers):
        asked["odi"] = list(odi_answers)
    for measure, answers in (questionnaires or {}).items():
        if answers and any(a is not None for a in answers):
            asked[measure] = list(answers)
    for measure, field in (("nrs_leg", "leg_nrs"), ("nrs_back", "back_nrs")):
        if fields.get(field) is not None:
            asked[measure] = [fields[field]]
    refuse_if_closed(episode)
    refuse_without_consent(episode)
    results = _score_all(asked)
    with transaction.atomic():
        if Episode.objects.filter(pk=episode.pk, status=EpisodeStatus.CLOSED).exists():
            raise EpisodeClosed(Episode.objects.get(pk=episode.pk))  # discharged while the form was open
        refuse_without_consent(episode)  # consent withdrawn while the form was open
        visit = Visit.objects.create(clinic_id=episode.clinic_id, episode=episode, plan=plan, practitioner=actor,
                                     **fields)
        audit.record(actor, "create", visit, patient_id=episode.patient_id)
        for override in visit.overrides:
            audit.record(actor, "override_excluded_point", visit, patient_id=episode.patient_id,
                         code=override["code"], side=override.get("side", ""), rule=override.get("rule", ""),
                         reason=override["reason"])
        if visit.ea_override:
            audit.record(actor, "override_disallowed_modality", visit, patient_id=episode.patient_id,
                         modality="electroacupuncture", rule=visit.ea_override.get("rule", ""),
                         reason=visit.ea_override.get("reason", ""))
        if visit.needling_stopped:
            audit.record(actor, "red_flag_stop", visit, patient_id=episode.patient_id, flags=visit.red_flags_found)
        if visit.needling_stopped and visit.red_flags_found:
            signals.stop_course_on_commit(episode, reason=signals.RED_FLAG_AT_VISIT, red_flag=True, by=actor)
        scores = []
        for measure, answers in asked.items():
            score = OutcomeScore.objects.create(clinic_id=episode.clinic_id, episode=episode, visit=visit,
                                                instrument=_instrument_of(measure), measure=measure,
                                                answers=answers, result=results[measure], recorded_by=actor,
                                                recorded_at=_at_visit(visit))
            audit.record(actor, "create", score, patient_id=episode.patient_id)
            scores.append(score)
        episode_outcomes.visit_charted(episode, visit, scores)
    return visit


def _at_visit(visit: Visit) -> dt.datetime:
    """A score charted with a visit counts on the visit's day (a session may be charted later)."""
    now = timezone.now()
    day = visit.date if isinstance(visit.date, dt.date) else dt.date.fromisoformat(str(visit.date))
    if day == timezone.localdate(now):
        return now
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def record_score(actor: Staff, episode: Episode, instrument: str, answers: list[Any],
                 visit: Visit | None = None, measure: str = "") -> OutcomeScore:
    result = clinical.score(instrument, answers).to_json()
    with transaction.atomic():
        score = OutcomeScore.objects.create(clinic_id=episode.clinic_id, episode=episode, visit=visit,
                                            instrument=instrument, measure=measure or instrument,
                                            answers=answers, result=result, recorded_by=actor)
        audit.record(actor, "create", score, patient_id=episode.patient_id)
        episode_outcomes.score_recorded(episode, score)
    return score


LINK_HOURS = 72
LINK_MEASURES = ("odi", "rmdq", "sbi", "startback")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_questionnaire_link(actor: Staff, episode: Episode, measure: str, *, mode: str = "link",
                              hours: int = LINK_HOURS) -> tuple[QuestionnaireLink, str]:
    """A one-time link for the patient to fill in `measure`; returns the link and its token (shown once, only
    its hash is kept)."""
    if measure not in LINK_MEASURES:
        raise InputRefused([Problem("measure", f"must be one of {', '.join(LINK_MEASURES)}, got {measure!r}")])
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        link = QuestionnaireLink.objects.create(
            clinic_id=episode.clinic_id, episode=episode, instrument=measure, measure=measure, mode=mode,
            digest=token_digest(token), created_by=actor, created_at=now,
            expires_at=now + dt.timedelta(hours=hours))
        audit.record(actor, "create", link, patient_id=episode.patient_id, measure=measure, mode=mode,
                     expires_at=link.expires_at.isoformat())
    return link, token


class LinkUnusable(Exception):
    """The link is unknown, already used or expired: nothing was written."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def usable_link(token: str) -> QuestionnaireLink:
    link = QuestionnaireLink.objects.select_related("episode").filter(digest=token_digest(token)).first()
    if link is None:
        raise LinkUnusable("unknown")
    if link.used_at is not None:
        raise LinkUnusable("used")
    if link.expires_at <= timezone.now():
        raise LinkUnusable("expired")
    return link


def complete_questionnaire_link(token: str, answers: list[Any]) -> OutcomeScore:
    """Store the patient's answers through a one-time link: scored first (InputRefused writes nothing), then the
    link is spent and the score stored in one transaction; a second use or an expired link raises LinkUnusable."""
    link = usable_link(token)
    return _complete_link(link, answers, None, "tablet" if link.mode == "tablet" else "link")


def complete_questionnaire_in_portal(account: Staff, link: QuestionnaireLink, answers: list[Any]) -> OutcomeScore:
    """The same, filled in by the signed-in patient in the portal (the link found by the patient's own episodes,
    never by its token); audited with the patient's account as the actor."""
    return _complete_link(link, answers, account, "portal")


def _complete_link(link: QuestionnaireLink, answers: list[Any], actor: Staff | None, source: str) -> OutcomeScore:
    result = clinical.score(link.instrument, answers).to_json()
    with transaction.atomic():
        spent = QuestionnaireLink.objects.filter(pk=link.pk, used_at__isnull=True,
                                                 expires_at__gt=timezone.now()).update(used_at=timezone.now())
        if spent != 1:
            raise LinkUnusable("used")
        episode = link.episode
        score = OutcomeScore.objects.create(clinic_id=link.clinic_id, episode=episode, instrument=link.instrument,
                                            measure=link.measure, source=source, answers=answers, result=result,
                                            recorded_by_id=link.created_by_id)
        QuestionnaireLink.objects.filter(pk=link.pk).update(score=score)
        audit.record(actor, "patient_completed", score, patient_id=episode.patient_id, clinic_id=link.clinic_id,
                     link=link.pk, mode=link.mode, source=source)
        episode_outcomes.score_recorded(episode, score)
    return score
