"""What the letters to the patient's doctor say: the referral timing first and in plain words, the red flags and
findings found (a slower one named without its own timing), the history and examination as recorded ("not recorded"
never read as normal), what was not done when a flag stops treatment, the scores against the minimal important
change, the guideline position, and who signs and how to reach them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sciatica_care.engine.plan import build_plan
from sciatica_care.reports.letter_content import (
    EMERGENCY_SIGNS,
    FOR_INFORMATION,
    GUIDELINE,
    IMPROVED,
    NO_FLAGS,
    NOT_IMPROVED,
    NOT_TREATED,
    REFERRAL_FIRST,
    TOO_FEW,
    URGENCY,
    Course,
    FlagsAtSession,
    Letter,
    PatientDetails,
    Recipient,
    ScoreChange,
    Sender,
    letter_timing,
    progress_letter,
    referral_letter,
    score_sentence,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DAY = dt.date(2026, 3, 4)
SENDER = Sender("Sam Hart", "BSc (Hons) Acupuncture", "BAcC 12345", "Riverside Clinic", "1 River St\nTown",
                "01234 567890", "sam@example.org")
GP = Recipient("Dr A Patel", "High Street Surgery", "2 High St\nTown")
PATIENT = PatientDetails("Ann Lee", dt.date(1980, 5, 1), "3 Elm Rd\nTown")
Make = Callable[..., dict[str, Any]]
NRS = "a change of at least 2 points or at least 30% of baseline counts"


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    return data


def referral(intake: dict[str, Any], **kwargs: Any) -> Letter:
    return referral_letter(intake, build_plan(intake), date=DAY, sender=SENDER, recipient=GP, patient=PATIENT,
                           **kwargs)


def course(measures: tuple[ScoreChange, ...] = (), **kwargs: Any) -> Course:
    defaults: dict[str, Any] = {"opened": dt.date(2026, 1, 5), "sessions": 6, "latest": dt.date(2026, 2, 20),
                                "practitioners": ("Sam Hart",), "done": ("Acupuncture points (sessions): GB30 (6)",),
                                "measures": measures, "advice": ("Keep up the home programme: Daily walking",)}
    return Course(**{**defaults, **kwargs})


def progress(c: Course, plan_intake: dict[str, Any] | None = None) -> Letter:
    plan = build_plan(plan_intake) if plan_intake is not None else None
    return progress_letter(c, date=DAY, sender=SENDER, recipient=GP, patient=PATIENT, plan=plan)


@pytest.mark.parametrize(("name", "when", "found"), [
    ("cauda-equina", "now", ["Bladder dysfunction — now", "Saddle numbness — now",
                             "Sudden symptoms in both legs — now"]),
    ("bilateral-absent-reflexes", "now", ["Nerve signs in both legs — now"]),
    ("fever-weakness-emergency", "now", ["Fever with nerve signs — now", "Fever (also found)"]),
    ("dvt-same-day", "same_day", ["Suspected deep vein thrombosis — today"]),
    ("foot-drop", "same_day", ["Acute foot drop — today"]),
    ("s1-disc-acute", "none", [NO_FLAGS]),
])
def test_the_letter_names_each_flag_and_finding_with_its_timing(name: str, when: str, found: list[str]) -> None:
    """Each flag and finding that fired is listed by name; the letter's timing is the plan's."""
    letter = referral(example(name))
    assert letter.see_within == when
    assert letter.urgency == URGENCY[when]  # type: ignore[index]
    text = letter.text()
    for words in found:
        assert words in text, words


def test_a_flag_slower_than_the_letter_is_named_without_its_own_timing(intake: Make) -> None:
    """With cauda equina (now) and a history of cancer (two weeks), the cancer is "also found", never "within two
    weeks"."""
    letter = referral(intake(red_flags=["saddle_anaesthesia", "history_of_cancer"]))
    text = letter.text()
    assert letter.see_within == "now"
    assert "History of cancer (also found)" in text
    assert "two weeks" not in text.lower()


@pytest.mark.parametrize(("flags", "when", "words"), [
    (["saddle_anaesthesia"], "now", "Timing: NOW — emergency department, within hours"),
    (["fever"], "same_day", "Timing: TODAY — the patient needs to see a doctor the same day"),
    (["history_of_cancer"], "two_weeks", "Timing: WITHIN TWO WEEKS — an urgent GP assessment"),
    ([], "none", "Timing: no red flag found — no urgent action"),
])
def test_the_timing_is_said_first_in_plain_words(flags: list[str], when: str, words: str, intake: Make) -> None:
    """The first line of the body after the Re: line is the timing; then where (for a referral)."""
    letter = referral(intake(red_flags=flags))
    assert letter.see_within == when
    body = letter.body()
    assert body[body.index(letter.subject) + len(PATIENT.address.splitlines()) + 1] == words
    assert bool(letter.where) == (when != "none")


def test_where_is_the_contact_of_the_finding_that_set_the_timing() -> None:
    """The Where: line is the contact of the finding whose timing the letter has."""
    letter = referral(example("dvt-same-day"))
    assert letter.where.startswith("Where: A same-day GP appointment, or NHS 111")


@pytest.mark.parametrize(("name", "stopped"), [("cauda-equina", True), ("dvt-same-day", True),
                                               ("foot-drop", True), ("s1-disc-acute", False)])
def test_no_needling_is_said_when_a_flag_stops_treatment(name: str, stopped: bool) -> None:
    """A plan that stops treatment: the letter says nothing was needled, stimulated, massaged or cupped."""
    assert (NOT_TREATED in referral(example(name)).text()) is stopped


def test_a_later_recheck_raises_the_letters_timing_and_says_the_needling_stopped(intake: Make) -> None:
    """Red flags found at a session after a routine plan: the letter is sent now, names them and the stop."""
    found = FlagsAtSession(dt.date(2026, 2, 10), ("bladder_dysfunction",), "now", "Emergency department (A&E).")
    letter = referral(intake(), course=course(flags_at_sessions=(found,)))
    text = letter.text()
    assert letter.see_within == "now"
    assert "At the session on 10 Feb 2026: Bladder dysfunction — now" in text
    assert "the red-flag re-check found bladder dysfunction: I stopped the needling that day" in text
    assert letter.where == "Where: Emergency department (A&E)."


@pytest.mark.parametrize(("plan_flags", "session", "expected"), [
    (["saddle_anaesthesia"], "two_weeks", "now"),
    ([], "same_day", "same_day"),
    (["history_of_cancer"], "same_day", "same_day"),
    (["fever"], "none", "same_day"),
])
def test_the_letters_timing_is_never_slower_than_the_plans(plan_flags: list[str], session: str,
                                                           expected: str, intake: Make) -> None:
    """The most urgent of the plan's timing and the later re-checks' wins, whichever it is."""
    plan = build_plan(intake(red_flags=plan_flags))
    later = (FlagsAtSession(DAY, ("fever",), session),)  # type: ignore[arg-type]
    assert letter_timing(plan, later) == expected


def test_a_routine_letter_asks_for_a_review_only_with_a_reason(intake: Make) -> None:
    """No red flag: the letter shares the findings, and asks for a review only when it says why."""
    plain = referral(intake())
    assert FOR_INFORMATION in plain.opening
    asked = referral(intake(), reasons=["no important improvement after 6 sessions."])
    assert any("routine appointment: no important improvement after 6 sessions." in p for p in asked.opening)


# ── history and examination ────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("examination", "lines"), [
    ({"power": {"ankle_dorsiflexion": 2, "great_toe_extension": 3}},
     ["Power (MRC 0–5): ankle dorsiflexion 2/5, great toe extension 3/5; other groups not graded"]),
    ({"weakness": ["plantarflexion"]}, ["Weakness (not graded): plantarflexion"]),
    ({"weakness": []}, ["Power: no weakness found"]),
    ({}, ["Power: not recorded", "Reflexes: not recorded", "Sensation: not recorded"]),
    ({"reflexes": {"knee": "normal", "ankle": "absent"}}, ["Reflexes: knee normal, ankle absent"]),
    ({"sensory_loss": []}, ["Sensation: no loss found"]),
    ({"sensory_loss": ["lateral_foot", "sole"]}, ["Sensation reduced: outer edge of the foot, sole"]),
    ({"straight_leg_raise": "positive", "crossed_straight_leg_raise": "negative"},
     ["Straight leg raise: positive", "Crossed straight leg raise: negative"]),
])
def test_the_examination_is_said_as_recorded(examination: dict[str, Any], lines: list[str], intake: Make) -> None:
    """Power with its MRC grades, reflexes, sensation and the straight leg raise; an unrecorded test is "not
    recorded", never normal."""
    case = intake()
    case["examination"] = examination
    text = referral(case).text()
    for line in lines:
        assert line in text, line


def test_findings_are_listed_most_urgent_first() -> None:
    """The finding that set the letter's timing comes first."""
    items = next(s for s in referral(example("fever-weakness-emergency")).sections
                 if s.heading == "Red flags and findings").items
    assert items[0].startswith("Fever with nerve signs — now")


@pytest.mark.parametrize(("weeks", "said"), [(0.5, "4 days"), (1, "1 week"), (2, "14 days"), (3, "3 weeks"),
                                             (51, "51 weeks"), (52, "about a year"),
                                             (999, "about 19 years")])
def test_the_duration_never_reads_as_a_timing(weeks: float, said: str, intake: Make) -> None:
    """"2 weeks" would read as the two-week referral timing (and be cut from an urgent letter): it is 14 days."""
    text = referral(intake(red_flags=["saddle_anaesthesia"], episode={"duration_weeks": weeks})).text()
    assert f"Leg pain: left leg, for {said}" in text


def test_the_history_says_side_duration_pain_and_medical_items_with_sites() -> None:
    """Side, duration, onset, pain scores and medical items with where they are."""
    text = referral(example("dvt-same-day")).text()
    assert "Leg pain: left leg, for 1 week, gradual onset" in text
    assert "Pain at assessment (0–10): leg 6/10" in text
    assert "Medical history: suspected DVT (left: back of the calf, back of the knee)" in text


def test_an_unrecorded_medical_history_is_not_read_as_clear(intake: Make) -> None:
    """No `medical` on the intake: "not recorded", never "none"."""
    case = intake()
    del case["medical"]
    assert "Medical history: not recorded" in referral(case).text()


@pytest.mark.parametrize(("patient", "says"), [
    ({"sex": "female", "age": 33, "pregnant": True, "pregnancy_weeks": 30},
     "Patient: age 33, female, pregnant, week 30"),
    ({"sex": "female", "age": 33, "pregnant": True, "pregnancy_weeks": 2},  # "(2 weeks)" would read as a timing
     "Patient: age 33, female, pregnant, week 2"),
    ({"sex": "female", "age": 33, "pregnant": False}, "Patient: age 33, female"),
    ({"sex": "male", "age": 40}, "Patient: age 40, male"),
])
def test_pregnancy_is_said_only_when_recorded(patient: dict[str, Any], says: str, intake: Make) -> None:
    """A recorded pregnancy is said with its weeks; otherwise pregnancy is not mentioned."""
    text = referral(intake(patient=patient)).text()
    assert f"{says}\n" in text
    assert ("pregnan" in text.lower()) is bool(patient.get("pregnant"))


# ── the progress and discharge letter ──────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("change", "closed", "says"), [
    (ScoreChange("Leg pain (NRS)", 7, 2, -71.4, important_improvement=True, responder=True, rule=NRS), True,
     "Leg pain (NRS): 7 at the start, 2 at discharge — down 5 points (71.4 %): an important improvement, seen at the "
     "last two measurements in a row (a responder). A change of at least 2 points or at least 30% of baseline counts "
     "as important."),
    (ScoreChange("Leg pain (NRS)", 7, 5, -28.6, rule=NRS), False,
     "Leg pain (NRS): 7 at the start, 5 at the latest session — down 2 points (28.6 %): less than the minimal "
     "important change."),
    (ScoreChange("ODI", 30, 42, 40.0, important_worsening=True), True,
     "ODI: 30 at the start, 42 at discharge — up 12 points (40 %): an important worsening."),
    (ScoreChange("ODI", 30, 30, 0.0), True, "ODI: 30 at the start, 30 at discharge — no change: less than the "
                                           "minimal important change."),
    (ScoreChange("SBI", 14), True, "SBI: 14 at the start; not measured again."),
])
def test_each_score_says_whether_its_change_passes_the_minimal_important_change(change: ScoreChange, closed: bool,
                                                                                says: str) -> None:
    """Start, latest or discharge, the change, and whether it reaches the minimal important change."""
    assert score_sentence(change, closed).startswith(says)


@pytest.mark.parametrize(("measures", "follow_up"), [
    ((ScoreChange("Leg pain (NRS)", 7, 2, -71.4, important_improvement=True),), IMPROVED),
    ((ScoreChange("Leg pain (NRS)", 7, 6, -14.3), ScoreChange("ODI", 40, 36, -10.0)), NOT_IMPROVED),
    ((ScoreChange("Leg pain (NRS)", 5, 8, 60.0, important_worsening=True),),
     "Leg pain (NRS) is importantly worse than at the start of the course"),
    ((ScoreChange("Leg pain (NRS)", 7),), TOO_FEW),
    ((), TOO_FEW),
    ((ScoreChange("SBI", 14, 4, -71.4, important_improvement=True),), TOO_FEW),
])
def test_the_follow_up_asks_for_a_review_when_the_course_did_not_help(measures: tuple[ScoreChange, ...],
                                                                      follow_up: str) -> None:
    """Improved: nothing asked; no important improvement or worse: a review (NICE's specialist referral for severe
    sciatica named); too few scores: said so."""
    text = progress(course(measures)).text()
    assert follow_up in text


def test_a_progress_letter_while_a_referral_stands_leads_with_it() -> None:
    """The latest plan refers: the timing leads, the findings follow, and the follow-up defers to the referral."""
    letter = progress(course((ScoreChange("Leg pain (NRS)", 7, 2, -71.4, important_improvement=True),)),
                      example("dvt-same-day"))
    text = letter.text()
    assert letter.urgency == URGENCY["same_day"]
    assert "Suspected deep vein thrombosis — today" in text
    assert REFERRAL_FIRST in text
    assert IMPROVED not in text
    assert NOT_TREATED in text


@pytest.mark.parametrize(("closed", "title", "when"), [(True, "Discharge letter", "at discharge"),
                                                       (False, "Progress letter", "now")])
def test_a_closed_course_gets_a_discharge_letter(closed: bool, title: str, when: str) -> None:
    """An open course gets a progress letter, a closed one a discharge letter."""
    letter = progress(course(ended=dt.date(2026, 2, 20), closed=closed))
    assert letter.title == title
    assert letter.kind == ("discharge" if closed else "progress")
    assert f"Scores at the start and {when}" in letter.text()


def test_the_progress_letter_states_the_guideline_position_sessions_and_advice() -> None:
    """NICE NG59's position, the sessions and what was done, and the patient's advice."""
    text = progress(course()).text()
    assert GUIDELINE in text
    assert "NICE guideline NG59" in text
    assert "advises against offering acupuncture" in text
    assert "6 sessions so far, from 5 Jan 2026 to 20 Feb 2026" in text
    assert "Acupuncture points (sessions): GB30 (6)" in text
    assert "Keep up the home programme: Daily walking" in text
    assert "Treated by Sam Hart." in text
    assert EMERGENCY_SIGNS in text


# ── who writes, to whom ────────────────────────────────────────────────────────────────────────────────────


def test_the_letter_is_in_the_practitioners_name_with_qualifications_and_registration(intake: Make) -> None:
    """Signed with name, qualifications, registration and clinic; how to reach them."""
    letter = referral(intake())
    assert letter.sender.signature() == ("Sam Hart", "BSc (Hons) Acupuncture", "BAcC 12345", "Riverside Clinic")
    assert letter.text().rstrip().endswith("Sam Hart\nBSc (Hons) Acupuncture\nBAcC 12345\nRiverside Clinic")
    assert "please contact me: telephone 01234 567890 or sam@example.org." in letter.text()


@pytest.mark.parametrize(("recipient", "lines", "salutation"), [
    (GP, ("Dr A Patel", "High Street Surgery", "2 High St", "Town"), "Dear Dr A Patel,"),
    (Recipient(practice="High Street Surgery"), ("High Street Surgery",), "Dear Doctor,"),
    (Recipient(), ("The patient's GP",), "Dear Doctor,"),
])
def test_the_recipient_block_and_salutation(recipient: Recipient, lines: tuple[str, ...], salutation: str) -> None:
    """The GP's name, practice and address; "Dear Doctor," without a name."""
    assert recipient.lines() == lines
    assert recipient.salutation() == salutation


def test_without_a_phone_or_email_the_letter_points_to_the_clinic() -> None:
    """No telephone or email on record: the clinic is named instead."""
    assert Sender("Sam Hart", clinic="Riverside Clinic").contact() == (
        "If you would like to discuss the patient, please contact me at Riverside Clinic.")


def test_the_re_line_carries_the_date_of_birth() -> None:
    """The Re: line names the patient with their date of birth when known."""
    assert PATIENT.subject() == "Re: Ann Lee, born 1 May 1980"
    assert PatientDetails("Ann Lee").subject() == "Re: Ann Lee"
