"""What the letters to the patient's doctor say: a referral letter when triage refers (or a course review asks for
a doctor's review), and a progress or discharge letter. Pure: the date, the people, the intake, the plan and the
course are given; nothing here reads a clock, a database or a file beyond the packaged knowledge. The clinic and the
CLI lay a `Letter` out as a PDF (`letter_pdf`) or a web page.

Referral timing: the letter's timing is the most urgent of the plan's `triage.see_within` and any red flag found at
a later session's re-check, never slower than the plan's. It is said first (`urgency`), and no sentence of the
letter states a slower timing: a finding's own timing is given only when it is as urgent as the letter's, and every
other sentence passes through `knowledge.timing.only_as_soon` (tests/reports/test_letter_timing.py proves it for
generated intakes).

What was not done: when the plan stops treatment, or a re-check stopped the needling, the letter says that no
needling, electroacupuncture, massage or cupping was given, and why.

Pregnancy is mentioned only when the intake records a pregnancy for a patient who is not a man.

The progress letter states the guideline position honestly (NICE NG59 does not recommend acupuncture for
sciatica; source `nice-ng59`) and, for each score, whether its change reaches the minimal important change (the
outcome rules' own test and wording, source `ostelo-2008`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ..engine.plan_model import Plan
from ..knowledge.model import Knowledge
from ..knowledge.timing import URGENCY as URGENCY_RANK
from ..knowledge.timing import SeeWithin, is_slower, most_urgent, only_as_soon
from .labels import humanise
from .letterhead import format_date

Kind = Literal["referral", "progress", "discharge"]

#: The letter's first line: how soon, and where, in plain words (most urgent first).
URGENCY: dict[SeeWithin, str] = {
    "now": "Timing: NOW — emergency department, within hours",
    "same_day": "Timing: TODAY — the patient needs to see a doctor the same day",
    "two_weeks": "Timing: WITHIN TWO WEEKS — an urgent GP assessment",
    "none": "Timing: no red flag found — no urgent action",
}
#: Why the practitioner writes, by timing: the first paragraph after "I assessed … on …".
ASK: dict[SeeWithin, str] = {
    "now": ("I found signs that need assessment in hospital now, within hours. I have advised the patient to go to "
            "an emergency department straight away, and to call 999 for an ambulance if they cannot get there "
            "quickly and safely. I am writing so that you know, and so that the doctor who sees the patient has "
            "my findings."),
    "same_day": ("I found signs that need a doctor to assess the patient today. I have advised the patient to see a "
                 "doctor the same day, and I would be grateful if you would see them today."),
    "two_weeks": ("I found signs of a possibly serious cause that I would be grateful if you would assess "
                  "urgently, within two weeks."),
    "none": "I found no red flag.",
}
#: What a letter with no red flag asks: a routine review for the reasons given, else nothing.
ROUTINE_REVIEW = "I would be grateful if you would review the patient at a routine appointment: {reasons}"
FOR_INFORMATION = "I am writing to share my findings: no action is needed from you unless you think otherwise."
#: A finding's own timing, beside it, when it is as urgent as the letter's.
WHEN: dict[SeeWithin, str] = {"now": "now", "same_day": "today", "two_weeks": "within two weeks",
                              "none": "no referral"}
NOT_TREATED = ("Since these findings I have given no acupuncture, electroacupuncture, massage or cupping, and I will "
               "not treat the patient until a doctor has assessed them.")
STOPPED_AT = "At the session on {day} the red-flag re-check found {flags}: I stopped the needling that day."
EMERGENCY_SIGNS = ("I have advised the patient to go to an emergency department straight away if they notice "
                   "numbness between the legs or around the back passage, any change in bladder or bowel control, "
                   "or weakness or numbness in both legs.")
NO_FLAGS = "None of the red-flag questions was answered yes."
#: The guideline position for the doctor, in the project's words (sources nice-ng59; ahrq-cam for the short-term
#: benefit; the evidence grade is guideline.yaml's: low).
GUIDELINE = ("NICE guideline NG59 (low back pain and sciatica in over 16s) advises against offering acupuncture for "
             "low back pain with or without sciatica, and supports massage and other manual therapy only as part "
             "of a package that includes exercise. The evidence that acupuncture helps sciatica is of low quality, "
             "and the benefit found is mostly short-term. The course therefore included exercise and "
             "self-management advice, which the guideline does recommend.")
NOT_IMPROVED = ("The scores show no important improvement. I would be grateful if you would review the patient: "
                "where sciatica stays severe despite non-surgical care, NICE NG59 suggests a referral for "
                "specialist assessment.")
WORSE = ("{measures} {verb} importantly worse than at the start of the course: I would be grateful if you would "
         "review the patient.")
IMPROVED = ("No action is needed from you. I have advised the patient to come back to us, or to see you, if the leg "
            "pain returns or gets worse.")
TOO_FEW = "There are not enough scores yet to judge the change."
REFERRAL_FIRST = "The referral at the head of this letter comes first: please see the patient as it asks."
#: The measures a follow-up judgement reads: pain and disability, not the bothersomeness index alone.
JUDGED = ("Leg pain (NRS)", "Back pain (NRS)", "ODI", "RMDQ")


# ── who writes, to whom, about whom ──────────────────────────────────────────────────────────────────────────


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@dataclass(frozen=True)
class Sender:
    """The practitioner who signs the letter, and where they can be reached (every field but the name optional)."""

    name: str
    qualifications: str = ""
    registration: str = ""
    clinic: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""

    def signature(self) -> tuple[str, ...]:
        return tuple(x for x in (self.name, self.qualifications, self.registration, self.clinic) if x)

    def letterhead(self) -> tuple[str, ...]:
        """The clinic's name, address and contact lines, for the head of the first page."""
        lines = [*([self.clinic] if self.clinic else []), *_lines(self.address)]
        if self.phone:
            lines.append(f"Telephone {self.phone}")
        if self.email:
            lines.append(self.email)
        return tuple(lines)

    def contact(self) -> str:
        ways = [w for w in (f"telephone {self.phone}" if self.phone else "", self.email) if w]
        if ways:
            return f"If you would like to discuss the patient, please contact me: {' or '.join(ways)}."
        where = f" at {self.clinic}" if self.clinic else ""
        return f"If you would like to discuss the patient, please contact me{where}."


@dataclass(frozen=True)
class Recipient:
    """The patient's GP: name, practice and address, as the patient's record holds them (each may be empty)."""

    name: str = ""
    practice: str = ""
    address: str = ""

    def lines(self) -> tuple[str, ...]:
        named = [x for x in (self.name, self.practice) if x]
        return (*(named or ["The patient's GP"]), *_lines(self.address))

    def salutation(self) -> str:
        return f"Dear {self.name}," if self.name else "Dear Doctor,"


@dataclass(frozen=True)
class PatientDetails:
    name: str
    born: dt.date | None = None
    address: str = ""

    def subject(self) -> str:
        born = f", born {format_date(self.born)}" if self.born else ""
        return f"Re: {self.name}{born}"


# ── the letter ───────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Letter:
    """A letter's content, in reading order: the renderers lay it out and add nothing clinical."""

    kind: Kind
    title: str
    date: dt.date
    sender: Sender
    recipient: Recipient
    patient: PatientDetails
    see_within: SeeWithin
    urgency: str
    where: str
    opening: tuple[str, ...]
    sections: tuple[Section, ...]
    closing: str = "Yours sincerely,"

    @property
    def subject(self) -> str:
        return self.patient.subject()

    @property
    def refers(self) -> bool:
        return self.see_within != "none"

    def body(self) -> list[str]:
        """Every sentence a reader reads after the letterhead, in order (headings included)."""
        out = [self.subject, *_lines(self.patient.address), *([self.urgency] if self.urgency else []),
               *([self.where] if self.where else []), self.recipient.salutation(), *self.opening]
        for s in self.sections:
            out += [s.heading, *s.paragraphs, *s.items]
        return [*out, self.closing, *self.sender.signature()]

    def text(self) -> str:
        """The whole letter as plain text (the CLI's text output, and what the tests read)."""
        head = [*self.sender.letterhead(), "", *self.recipient.lines(), "", format_date(self.date), ""]
        return "\n".join([*head, *self.body()]) + "\n"


# ── what both letters read ───────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class FlagsAtSession:
    """Red flags answered "yes" at a session's re-check (after the plan), with the timing the triage rules gave."""

    day: dt.date
    flags: tuple[str, ...]
    see_within: SeeWithin
    contact: str | None = None


@dataclass(frozen=True)
class ScoreChange:
    """One measure: its baseline against its latest score, and whether the change is important (the outcome
    rules' minimal important change, `rule` in their words)."""

    name: str
    baseline: float
    latest: float | None = None
    percent: float | None = None
    important_improvement: bool = False
    important_worsening: bool = False
    responder: bool = False
    rule: str = ""


@dataclass(frozen=True)
class Course:
    """A course of treatment as the clinic's discharge summary reads it."""

    opened: dt.date
    sessions: int
    ended: dt.date | None = None
    latest: dt.date | None = None
    closed: bool = False
    practitioners: tuple[str, ...] = ()
    done: tuple[str, ...] = ()
    measures: tuple[ScoreChange, ...] = ()
    advice: tuple[str, ...] = ()
    flags_at_sessions: tuple[FlagsAtSession, ...] = field(default=())


def _k(knowledge: Knowledge | None) -> Knowledge:
    if knowledge is not None:
        return knowledge
    from ..knowledge.load import load_knowledge

    return load_knowledge()


def _names(k: Knowledge) -> dict[str, str]:
    return {**{f.id: f.name for f in k.triage.flags}, **{e.id: e.name for e in k.triage.escalations}}


def _choice(k: Knowledge, value: object) -> str:
    text = str(value)
    return k.labels.choices.get(text) or humanise(text)


def _lower(words: str) -> str:
    return words[:1].lower() + words[1:] if words[1:2].islower() or len(words) == 1 else words


def _listed(k: Knowledge, values: Iterable[object]) -> str:
    return ", ".join(_lower(_choice(k, v)) for v in values)


def _number(value: float) -> str:
    return f"{value:g}"


WEEKS_A_YEAR = 365.25 / 7


def _duration(weeks: float) -> str:
    """"3 weeks", "1 week", "4 days" (under a week, and two weeks, in days: "2 weeks" would read as a referral
    timing, and the timing filter would cut it from an urgent letter); a year or more in years ("999 weeks" would
    read as the emergency number, and nobody counts years in weeks)."""
    if weeks < 1 or weeks == 2:
        days = max(1, round(weeks * 7))
        return f"{days} day{'s' if days != 1 else ''}"
    if weeks >= 52:
        years = round(weeks / WEEKS_A_YEAR)
        return "about a year" if years <= 1 else f"about {years} years"
    return f"{_number(weeks)} week{'s' if weeks != 1 else ''}"


def letter_timing(plan: Plan | None, sessions: Sequence[FlagsAtSession] = ()) -> SeeWithin:
    """The letter's referral timing: the most urgent of the plan's and of every later re-check's."""
    return most_urgent([*([plan.triage.referral] if plan is not None else []), *(s.see_within for s in sessions)])


def _where(plan: Plan | None, sessions: Sequence[FlagsAtSession], when: SeeWithin) -> str:
    """Whom the patient was told to see, from the finding that set the letter's timing."""
    if when == "none":
        return ""
    contact = plan.triage.contact if plan is not None and plan.triage.referral == when else None
    for s in sessions:
        if contact is None and s.see_within == when:
            contact = s.contact
    return f"Where: {contact}" if contact else ""


def _timed(name: str, own: str | None, when: SeeWithin) -> str:
    """A finding with its own timing when that is as urgent as the letter's; else it is covered by the letter's."""
    if own is not None and own in WHEN and not is_slower(own, when):
        return f"{name} — {WHEN[own]}"
    return f"{name} (also found)"


def _findings(k: Knowledge, plan: Plan | None, sessions: Sequence[FlagsAtSession], when: SeeWithin) -> Section:
    """Each flag and finding that fired, the most urgent first, with its own timing when it is as urgent as the
    letter's."""
    names = _names(k)
    found: list[tuple[str | None, str]] = []
    for f in plan.triage.flags if plan is not None else []:
        how = f": {f.reason}" if f.derived and f.reason else ": reported by the patient"
        found.append((f.see_within, _timed(names.get(f.id, humanise(f.id)), f.see_within, when) + how))
    for e in plan.triage.escalations if plan is not None else []:
        found.append((e.see_within, _timed(names.get(e.id, humanise(e.id)), e.see_within, when)
                      + (f": {e.reason}" if e.reason else "")))
    for s in sessions:
        flags = ", ".join(names.get(f, humanise(f)) for f in s.flags)
        found.append((s.see_within, _timed(f"At the session on {format_date(s.day)}: {flags}", s.see_within, when)
                      + " (red-flag re-check)"))
    found.sort(key=lambda item: -URGENCY_RANK.get(item[0] or "none", 0))
    return Section("Red flags and findings", items=tuple(text for _, text in found) or (NO_FLAGS,))


def _history(k: Knowledge, intake: Mapping[str, Any]) -> Section:
    patient = intake.get("patient") or {}
    episode = intake.get("episode") or {}
    pain = intake.get("pain") or {}
    items: list[str] = []
    who = [f"age {patient['age']}"] if "age" in patient else []
    if patient.get("sex"):
        who.append(_lower(_choice(k, patient["sex"])))
    if patient.get("sex") != "male" and patient.get("pregnant") is True:
        weeks = patient.get("pregnancy_weeks")
        who.append(f"pregnant, week {weeks}" if weeks else "pregnant")  # "(2 weeks)" would read as a timing
    if who:
        items.append("Patient: " + ", ".join(who))
    side = episode.get("side")
    leg = ["both legs" if side == "both" else f"{_lower(_choice(k, side))} leg"] if side else []
    if episode.get("duration_weeks") is not None:
        leg.append("for " + _duration(float(episode["duration_weeks"])))
    if episode.get("onset"):
        leg.append(f"{_lower(_choice(k, episode['onset']))} onset")
    if episode.get("after_lifting"):
        leg.append("began after lifting")
    if episode.get("after_trauma"):
        leg.append("began after trauma")
    if leg:
        items.append("Leg pain: " + ", ".join(leg))
    scores = [f"{part} {pain[key]}/10" for part, key in (("leg", "leg_nrs"), ("back", "back_nrs")) if key in pain]
    if scores:
        items.append("Pain at assessment (0–10): " + ", ".join(scores))
    for key, words in (("areas", "Where"), ("qualities", "Feels"), ("worse_with", "Worse with"),
                       ("better_with", "Better with")):
        if pain.get(key):
            items.append(f"{words}: {_listed(k, pain[key])}")
    if "medical" not in intake:
        items.append("Medical history: not recorded")
    else:
        medical = list(intake.get("medical") or [])
        sites = intake.get("medical_sites") or {}
        described = []
        for m in medical:
            site = sites.get(m) or {}
            where = _listed(k, site.get("areas") or [])
            if site.get("side"):
                where = f"{_lower(_choice(k, site['side']))}: {where}" if where else _lower(_choice(k, site["side"]))
            described.append(_lower(_choice(k, m)) + (f" ({where})" if where else ""))
        items.append("Medical history: " + (", ".join(described) if described else "none of the conditions asked "
                                             "about"))
    return Section("History", items=tuple(items))


def _examination(k: Knowledge, intake: Mapping[str, Any], plan: Plan | None) -> Section:
    exam = intake.get("examination")
    items: list[str] = []
    if not isinstance(exam, Mapping):
        items.append("Examination: not recorded")
    else:
        for key, words in (("straight_leg_raise", "Straight leg raise"),
                           ("crossed_straight_leg_raise", "Crossed straight leg raise"), ("fair_test", "FAIR test")):
            if exam.get(key):
                items.append(f"{words}: {_lower(_choice(k, exam[key]))}")
        power = exam.get("power") or {}
        graded = [f"{_lower(_choice(k, m))} {g}/5" for m, g in power.items()]
        ungraded = [m for m in exam.get("weakness") or [] if m not in power]
        if graded:
            items.append("Power (MRC 0–5): " + ", ".join(graded) + ("; other groups not graded" if
                                                                    len(graded) < 8 else ""))
        if ungraded:
            items.append("Weakness (not graded): " + _listed(k, ungraded))
        if not graded and not ungraded:
            items.append("Power: " + ("no weakness found" if "weakness" in exam else "not recorded"))
        reflexes = exam.get("reflexes") or {}
        tested = [f"{joint} {_lower(_choice(k, reflexes[joint]))}" for joint in ("knee", "ankle") if joint in reflexes]
        items.append("Reflexes: " + (", ".join(tested) if tested else "not recorded"))
        if "sensory_loss" not in exam:
            items.append("Sensation: not recorded")
        elif exam["sensory_loss"]:
            items.append("Sensation reduced: " + _listed(k, exam["sensory_loss"]))
        else:
            items.append("Sensation: no loss found")
        tender = [words for key, words in (("piriformis_tenderness", "piriformis"),
                                           ("lumbar_tenderness", "lumbar spine")) if exam.get(key)]
        if tender:
            items.append("Tender: " + ", ".join(tender))
        if exam.get("trigger_points"):
            items.append("Trigger points reproduce the pain")
        if exam.get("imaging"):
            items.append("Imaging reported: " + _listed(k, exam["imaging"]))
    if plan is not None and plan.assessment.causes:
        causes = [c.name or humanise(c.id) for c in plan.assessment.causes[:3]]
        roots = ", ".join(plan.assessment.nerve_roots)
        impression = "Working impression (ranked, not a diagnosis): " + ", then ".join(_lower(c) for c in causes)
        if roots:
            impression += f"; nerve root {roots}"
        items.append(f"{impression}; {plan.assessment.phase} phase")
    return Section("Examination", items=tuple(items))


def _done(plan: Plan | None, course: Course | None, stopped: Sequence[FlagsAtSession], k: Knowledge) -> Section:
    paras: list[str] = []
    if plan is not None and not plan.treatment_allowed:
        paras.append(NOT_TREATED)
    names = _names(k)
    for s in stopped:
        flags = ", ".join(_lower(names.get(f, humanise(f))) for f in s.flags)
        paras.append(STOPPED_AT.format(day=format_date(s.day), flags=flags))
    items: tuple[str, ...] = ()
    if course is not None and course.sessions:
        paras.append(f"Sessions given: {course.sessions}.")
        items = course.done
    elif plan is not None and plan.treatment_allowed:
        paras.append("No session has been given yet.")
    return Section("What I did and did not do", paragraphs=tuple(paras), items=items)


def _only_as_soon(sections: Iterable[Section], when: SeeWithin) -> tuple[Section, ...]:
    """Every sentence of the sections, less any that states a slower timing than the letter's (see the module)."""
    def keep(texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t for t in (only_as_soon(x, when) for x in texts) if t)

    return tuple(replace(s, paragraphs=keep(s.paragraphs), items=keep(s.items)) for s in sections)


# ── the referral letter ──────────────────────────────────────────────────────────────────────────────────────


def referral_letter(intake: Mapping[str, Any], plan: Plan, *, date: dt.date, sender: Sender, recipient: Recipient,
                    patient: PatientDetails, assessed: dt.date | None = None, course: Course | None = None,
                    reasons: Sequence[str] = (), knowledge: Knowledge | None = None) -> Letter:
    """The referral letter for an intake and its plan: the timing first, the findings, the history and examination,
    what was and was not done, and how to reach the practitioner. `course` adds the sessions given and the red flags
    found at later re-checks; `reasons` why a routine review is asked for (a course review's advice)."""
    k = _k(knowledge)
    sessions = course.flags_at_sessions if course is not None else ()
    when = letter_timing(plan, sessions)
    seen = f"I assessed {patient.name} on {format_date(assessed or date)}."
    opening = [f"{seen} {ASK[when]}"]
    if when == "none":
        opening.append(ROUTINE_REVIEW.format(reasons=" ".join(reasons)) if reasons else FOR_INFORMATION)
    sections = [_findings(k, plan, sessions, when), _history(k, intake), _examination(k, intake, plan),
                _done(plan, course, sessions, k),
                Section("Contact", paragraphs=(EMERGENCY_SIGNS, sender.contact()))]
    return Letter(kind="referral", title="Referral letter", date=date, sender=sender, recipient=recipient,
                  patient=patient, see_within=when, urgency=URGENCY[when], where=_where(plan, sessions, when),
                  opening=tuple(only_as_soon(p, when) for p in opening), sections=_only_as_soon(sections, when))


# ── the progress or discharge letter ─────────────────────────────────────────────────────────────────────────


def score_sentence(m: ScoreChange, closed: bool) -> str:
    """"Leg pain (NRS): 7 at the start, 2 at discharge — down 5 points (71 %): an important improvement …"."""
    if m.latest is None:
        return f"{m.name}: {_number(m.baseline)} at the start; not measured again."
    now = "at discharge" if closed else "at the latest session"
    change = m.latest - m.baseline
    moved = ("no change" if change == 0 else
             f"{'down' if change < 0 else 'up'} {_number(abs(change))} point{'s' if abs(change) != 1 else ''}")
    if change and m.percent is not None:
        moved += f" ({_number(abs(m.percent))} %)"
    if m.important_improvement:
        verdict = ("an important improvement, seen at the last two measurements in a row (a responder)"
                   if m.responder else "an important improvement")
    elif m.important_worsening:
        verdict = "an important worsening"
    else:
        verdict = "less than the minimal important change"
    rule = f" {m.rule[:1].upper()}{m.rule[1:]} as important." if m.rule else ""
    return f"{m.name}: {_number(m.baseline)} at the start, {_number(m.latest)} {now} — {moved}: {verdict}.{rule}"


def _follow_up(course: Course) -> str:
    judged = [m for m in course.measures if m.name in JUDGED and m.latest is not None]
    worse = [m.name for m in judged if m.important_worsening]
    if worse:
        return WORSE.format(measures=" and ".join(worse), verb="is" if len(worse) == 1 else "are")
    if not judged:
        return TOO_FEW
    if any(m.important_improvement for m in judged):
        return IMPROVED
    return NOT_IMPROVED


def progress_letter(course: Course, *, date: dt.date, sender: Sender, recipient: Recipient,
                    patient: PatientDetails, plan: Plan | None = None,
                    knowledge: Knowledge | None = None) -> Letter:
    """The progress letter (a discharge letter once the course is closed): the scores at the start against the
    latest or discharge ones with whether each change is important, the sessions and what was done, the advice
    given, the guideline position, and what is asked of the doctor. When the latest plan or a later re-check refers,
    the timing leads the letter as in a referral letter and nothing in it states a slower one."""
    k = _k(knowledge)
    sessions = course.flags_at_sessions
    when = letter_timing(plan, sessions)
    kind: Kind = "discharge" if course.closed else "progress"
    ended = course.ended if course.closed else course.latest
    period = f"from {format_date(course.opened)}" + (f" to {format_date(ended)}" if ended else "")
    count = f"{course.sessions} session{'s' if course.sessions != 1 else ''}"
    if course.closed:
        opening = (f"{patient.name} has finished a course of treatment for sciatica at "
                   f"{sender.clinic or 'our clinic'}: {count} {period}. This letter sums up the course.")
    else:
        opening = (f"I am writing to update you on {patient.name}'s treatment for sciatica at "
                   f"{sender.clinic or 'our clinic'}: {count} so far, {period}.")
    paras = [opening]
    if when != "none":
        paras.append(ASK[when])
    scores = Section("Scores at the start and " + ("at discharge" if course.closed else "now"),
                     items=tuple(score_sentence(m, course.closed) for m in course.measures) or ("No scores "
                                                                                               "recorded.",))
    treatment = _done(plan if when != "none" else None, course, sessions, k)
    if course.practitioners:
        treatment = replace(treatment, paragraphs=(*treatment.paragraphs,
                                                   "Treated by " + ", ".join(course.practitioners) + "."))
    sections = [scores, replace(treatment, heading="Treatment given"),
                Section("Guideline position", paragraphs=(GUIDELINE,)),
                Section("Advice given to the patient", items=course.advice or ("No further advice.",)),
                Section("Follow-up", paragraphs=(REFERRAL_FIRST if when != "none" else _follow_up(course),
                                                 EMERGENCY_SIGNS, sender.contact()))]
    if when != "none":
        sections.insert(0, _findings(k, plan, sessions, when))
    return Letter(kind=kind, title="Discharge letter" if course.closed else "Progress letter", date=date,
                  sender=sender, recipient=recipient, patient=patient, see_within=when,
                  urgency=URGENCY[when] if when != "none" else "", where=_where(plan, sessions, when),
                  opening=tuple(t for t in (only_as_soon(p, when) for p in paras) if t),
                  sections=_only_as_soon(sections, when))
