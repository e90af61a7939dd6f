"""The letters about an episode, from its records: who signs (the member of staff writing it, with the clinic's
address), to whom (the patient's GP on their record), about whom, the current plan and its intake, the course as
the discharge summary reads it, and the red flags found at sessions after the current plan (re-checked by the
triage rules through the seam). The words are `reports.letter_content`'s; this module only gathers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from sciatica_care.clinic import clinical, discharge_summary
from sciatica_care.clinic.models import Episode, EpisodeStatus, Patient, PlanRevision, Staff, Visit
from sciatica_care.errors import InputRefused
from sciatica_care.reports.letter_content import (
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
)

#: The course review's advice that asks for a doctor's opinion, and what the letter says of it.
REFERRAL_ADVICE = "suggest_referral"
NO_IMPROVEMENT = "there has been no important improvement in the pain or disability scores after {n} sessions."


class NoLetter(Exception):
    """A letter that cannot be written from the records (no intake yet, or a plan that cannot be read): why."""


def sender(user: Staff) -> Sender:
    clinic = user.clinic
    return Sender(name=user.display(), qualifications=user.qualifications, registration=user.registration,
                  clinic=clinic.name if clinic else "", address=clinic.address if clinic else "",
                  phone=clinic.phone if clinic else "", email=clinic.email if clinic else "")


def recipient(patient: Patient) -> Recipient:
    return Recipient(name=patient.gp_name, practice=patient.gp_practice, address=patient.gp_address)


def patient_details(patient: Patient) -> PatientDetails:
    return PatientDetails(name=f"{patient.first_name} {patient.last_name}".strip(), born=patient.date_of_birth,
                          address=patient.address)


def current_plan(episode: Episode) -> PlanRevision | None:
    return episode.plans.select_related("intake").order_by("-number").first()


def _flags(rows: Iterable[tuple[dt.date, Any, dt.datetime]], since: dt.datetime | None) -> tuple[FlagsAtSession, ...]:
    """Each (date, flags answered yes, charted at) of a session charted since the current plan, with the triage
    rules' timing for its flags."""
    out = []
    for day, flags, at in rows:
        if not flags or (since is not None and at < since):
            continue
        try:
            found = clinical.recheck(list(flags))
        except InputRefused:  # a flag the knowledge no longer has: counted at the most urgent timing
            out.append(FlagsAtSession(day, tuple(map(str, flags)), "now"))
            continue
        out.append(FlagsAtSession(day, found.flags, found.see_within, found.contact))
    return tuple(out)


def flags_at_sessions(episode: Episode, since: dt.datetime | None) -> tuple[FlagsAtSession, ...]:
    """The red flags answered yes at sessions charted after the current plan, with the triage rules' timing."""
    return _flags(episode.visits.order_by("date", "id").values_list("date", "red_flags_found", "created_at"), since)


def refers(plan: PlanRevision | None, visits: Iterable[Visit], advice_ids: Iterable[str] = ()) -> bool:
    """Whether the records ask for a doctor (from what the episode page has already read): the current plan's
    triage or a later re-check refers, or the course review suggests a medical opinion. An unreadable plan is never
    read as "no referral"."""
    typed = plan.typed if plan is not None else None
    if plan is not None and typed is None:
        return True
    since = plan.created_at if plan is not None else None
    found = _flags(((v.date, v.red_flags_found, v.created_at) for v in visits), since)
    return letter_timing(typed, found) != "none" or REFERRAL_ADVICE in set(advice_ids)


def course(episode: Episode, since: dt.datetime | None) -> tuple[Course, dict[str, Any]]:
    s = discharge_summary.summary(episode)
    measures = tuple(ScoreChange(name=m["name"], baseline=m["first"], latest=m["last"], percent=m["percent"],
                                 important_improvement=m["important_improvement"],
                                 important_worsening=m["important_worsening"], responder=m["responder"],
                                 rule=m["rule"]) for m in s["measures"])
    closed = episode.status == EpisodeStatus.CLOSED
    return Course(opened=s["opened_on"], sessions=s["sessions"], ended=episode.closed_on, latest=s["last_visit_on"],
                  closed=closed, practitioners=tuple(s["practitioners"]), done=tuple(s["done"]), measures=measures,
                  advice=tuple(s["home_advice"]), flags_at_sessions=flags_at_sessions(episode, since)), s


def _readable(plan: PlanRevision | None) -> None:
    """NoLetter when the current plan cannot be read: a letter must not say less than the records might."""
    if plan is not None and plan.typed is None:
        raise NoLetter(f"{plan.problem} A letter needs a plan that can be read.")


def referral(episode: Episode, user: Staff, today: dt.date | None = None) -> Letter:
    """The referral letter for the episode's current plan; NoLetter without an intake or with an unreadable plan."""
    plan = current_plan(episode)
    if plan is None:
        raise NoLetter("There is no intake on this course yet: record the intake, then write the referral letter.")
    _readable(plan)
    typed = plan.typed
    assert typed is not None  # noqa: S101 - _readable refused an unreadable plan
    course_now, summary = course(episode, plan.created_at)
    reasons = [NO_IMPROVEMENT.format(n=summary["sessions"])] if REFERRAL_ADVICE in summary["course_advice"] else []
    return referral_letter(plan.intake.data, typed, date=today or timezone.localdate(), sender=sender(user),
                           recipient=recipient(episode.patient), patient=patient_details(episode.patient),
                           assessed=timezone.localdate(plan.intake.recorded_at), course=course_now, reasons=reasons,
                           knowledge=clinical.knowledge())


def progress(episode: Episode, user: Staff, today: dt.date | None = None) -> Letter:
    """The progress letter (a discharge letter once the course is closed); NoLetter with an unreadable plan."""
    plan = current_plan(episode)
    _readable(plan)
    typed = plan.typed if plan is not None else None
    course_now, _ = course(episode, plan.created_at if plan is not None else None)
    return progress_letter(course_now, date=today or timezone.localdate(), sender=sender(user),
                           recipient=recipient(episode.patient), patient=patient_details(episode.patient), plan=typed,
                           knowledge=clinical.knowledge())


def pdf_response(letter: Letter, episode: Episode) -> HttpResponse:
    """The letter as a PDF download (the pages' and the API's)."""
    from sciatica_care.reports.letter_pdf import letter_pdf

    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.kind}-letter-{episode.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
