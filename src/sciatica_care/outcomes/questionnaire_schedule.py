"""Which questionnaires are due at a visit, and the care STarT Back's risk group is matched to.

- Leg and back pain (NRS) at every visit.
- The disability measure (ODI, or RMDQ where the clinic prefers it) and the SBI at baseline (visit 1), at every
  n-th visit (visits n, 2n, 3n …; n = 4 unless the clinic sets another) and at discharge.
- STarT Back once, at intake (visit 1), to match the intensity of care to the risk group (NICE NG59).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sciatica_care.errors import InputRefused, Problem
from sciatica_care.outcomes._checks import describe, is_int
from sciatica_care.outcomes.course import Advice
from sciatica_care.outcomes.instruments import INSTRUMENTS

Measure = Literal["nrs_leg", "nrs_back", "odi", "rmdq", "sbi", "startback"]
Reason = Literal["every_visit", "baseline", "every_n_visits", "discharge", "intake"]
DisabilityInstrument = Literal["odi", "rmdq"]

DEFAULT_EVERY_N_VISITS = 4
DISABILITY_INSTRUMENTS: tuple[DisabilityInstrument, ...] = ("odi", "rmdq")


@dataclass(frozen=True, slots=True)
class Due:
    """One questionnaire to fill in at this visit: the measure (NRS twice: leg and back), the instrument that
    scores it, and why it is due now."""

    measure: Measure
    instrument: str
    reasons: tuple[Reason, ...]


def questionnaires_due(
    visit_number: int,
    *,
    every_n_visits: int = DEFAULT_EVERY_N_VISITS,
    discharge: bool = False,
    disability_instrument: DisabilityInstrument = "odi",
) -> list[Due]:
    """The questionnaires due at visit `visit_number` (1 = the first, baseline visit), in the order to ask them:
    pain first, then disability and bothersomeness, then STarT Back."""
    problems: list[Problem] = []
    if not is_int(visit_number) or visit_number < 1:
        problems.append(Problem("visit_number", f"must be an integer from 1, got {describe(visit_number)}"))
    if not is_int(every_n_visits) or every_n_visits < 1:
        problems.append(Problem("every_n_visits", f"must be an integer from 1, got {describe(every_n_visits)}"))
    if not isinstance(discharge, bool):
        problems.append(Problem("discharge", f"must be true or false, got {describe(discharge)}"))
    if disability_instrument not in DISABILITY_INSTRUMENTS:
        problems.append(
            Problem("disability_instrument", f"must be odi or rmdq, got {describe(disability_instrument)}")
        )
    if problems:
        raise InputRefused(problems)
    due = [Due("nrs_leg", "nrs", ("every_visit",)), Due("nrs_back", "nrs", ("every_visit",))]
    reasons: list[Reason] = []
    if visit_number == 1:
        reasons.append("baseline")
    if visit_number % every_n_visits == 0:
        reasons.append("every_n_visits")
    if discharge:
        reasons.append("discharge")
    if reasons:
        due.append(Due(disability_instrument, disability_instrument, tuple(reasons)))
        due.append(Due("sbi", "sbi", tuple(reasons)))
    if visit_number == 1:
        due.append(Due("startback", "startback", ("intake",)))
    return due


def matched_care(startback_band: str) -> Advice:
    """The care NICE NG59 matches to a STarT Back risk group, to show beside the plan: low → advice and
    self-management; medium → an exercise-based package with any manual therapy inside it; high → the same plus
    psychologically informed support."""
    bands = {band.id: band for band in INSTRUMENTS["startback"].bands}
    band = bands.get(startback_band) if isinstance(startback_band, str) else None
    if band is None or band.advice is None:
        known = ", ".join(bands)
        raise InputRefused([Problem("startback_band", f"must be one of {known}, got {describe(startback_band)}")])
    return Advice(
        f"matched_care_{band.id}",
        f"STarT Back {band.label}: offer {band.advice}.",
        band.sources,
    )
