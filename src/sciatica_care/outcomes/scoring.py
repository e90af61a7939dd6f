"""Score one completed questionnaire, as the contract's "Scores" section fixes it, and describe the result."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NotRequired, TypedDict

from sciatica_care.errors import InputRefused, Problem, join_path
from sciatica_care.outcomes._checks import describe, find_instrument, is_int
from sciatica_care.outcomes.instruments import INSTRUMENTS, Instrument, Item, StartBackRule


class ScoreJson(TypedDict):
    """The contract's score JSON; `subscale` only for startback."""

    instrument: str
    score: int | float
    band: str | None
    answered: int
    subscale: NotRequired[int]


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """A scored questionnaire: an int score, or a one-decimal float for odi."""

    instrument: str
    score: int | float
    band: str | None
    answered: int
    subscale: int | None = None

    def to_json(self) -> ScoreJson:
        out: ScoreJson = {
            "instrument": self.instrument,
            "score": self.score,
            "band": self.band,
            "answered": self.answered,
        }
        if self.subscale is not None:
            out["subscale"] = self.subscale
        return out


def score(instrument: str, answers: object) -> ScoreResult:
    """Score `answers` (a list, None = unanswered) on `instrument`; InputRefused names every problem."""
    problems: list[Problem] = []
    found = find_instrument(instrument, problems)
    if not isinstance(answers, list | tuple):
        problems.append(Problem("answers", f"must be a list of answers, got {describe(answers)}"))
    if found is None or not isinstance(answers, list | tuple):
        raise InputRefused(problems)
    values = _read_answers(found, answers, problems)
    if problems:
        raise InputRefused(problems)
    return _compute(found, values)


def _read_answers(
    instrument: Instrument, answers: Sequence[object], problems: list[Problem]
) -> list[int | None]:
    expected = len(instrument.items)
    if len(answers) != expected:
        noun = "answer" if expected == 1 else "answers"
        problems.append(Problem("answers", f"expected {expected} {noun}, got {len(answers)}"))
    values: list[int | None] = []
    for index, (item, answer) in enumerate(zip(instrument.items, answers, strict=False)):
        path = join_path("answers", index)
        if answer is None:
            if instrument.unanswered == "refused":
                problems.append(Problem(path, "must be answered"))
            values.append(None)
        elif is_int(answer) and item.low <= answer <= item.high:
            values.append(answer)
        else:
            problems.append(Problem(path, f"{_allowed(item)}, got {describe(answer)}"))
            values.append(None)
    unanswered = sum(answer is None for answer in answers)
    if (
        len(answers) == expected
        and instrument.unanswered == "excluded"
        and unanswered > instrument.max_unanswered
    ):
        word = instrument.item_word
        problems.append(
            Problem(
                "answers",
                f"{unanswered} of {expected} {word}s unanswered; "
                f"at most {instrument.max_unanswered} may be left blank",
            )
        )
    return values


def _allowed(item: Item) -> str:
    if (item.low, item.high) == (0, 1):
        return "must be 0 or 1"
    return f"must be an integer from {item.low} to {item.high}"


def _compute(instrument: Instrument, values: list[int | None]) -> ScoreResult:
    answered = [
        (item, value) for item, value in zip(instrument.items, values, strict=True) if value is not None
    ]
    points = sum(item.points(value) for item, value in answered)
    if instrument.method == "percent":
        possible = sum(item.high for item, _ in answered)
        percent = _round_half_up(Fraction(points * 100, possible))
        band = _threshold_band(instrument, percent)
        return ScoreResult(instrument.id, percent, band, len(answered))
    rule = instrument.stratification
    if rule is None:
        return ScoreResult(instrument.id, points, _threshold_band(instrument, points), len(answered))
    subscale = sum(instrument.items[i].points(v) for i in rule.subscale_items if (v := values[i]) is not None)
    return ScoreResult(
        instrument.id, points, _startback_band(rule, points, subscale), len(answered), subscale
    )


def _round_half_up(value: Fraction) -> float:
    """One decimal, halves rounded up, so that 35.55… prints as 35.6 whatever the float would do."""
    return float(Fraction(math.floor(value * 10 + Fraction(1, 2)), 10))


def _threshold_band(instrument: Instrument, value: float) -> str | None:
    for band in instrument.bands:
        if band.up_to is None or value <= band.up_to:
            return band.id
    return None


def _startback_band(rule: StartBackRule, total: int, subscale: int) -> str:
    if subscale >= rule.high_when_subscale_at_least:
        return "high"
    if total <= rule.low_when_total_at_most:
        return "low"
    return "medium"


def render_text(result: ScoreResult) -> str:
    """A short summary for people: instrument, score and range, band, answered count, matched care."""
    instrument = INSTRUMENTS[result.instrument]
    lines = [
        f"{instrument.name}: {result.score} on a {instrument.score_low}–{instrument.score_high} scale "
        "(higher is worse)"
    ]
    if result.subscale is not None:
        lines.append(f"Psychosocial subscale: {result.subscale} on a 0–{instrument.subscale_high} scale")
    band = next((b for b in instrument.bands if b.id == result.band), None)
    if band is not None:
        lines.append(f"Band: {band.label}")
    total = len(instrument.items)
    word = instrument.item_word if total == 1 else f"{instrument.item_word}s"
    lines.append(f"Answered: {result.answered} of {total} {word}{_note(instrument)}")
    if band is not None and band.advice is not None:
        lines.append(f"Matched care (NICE NG59): {band.advice}.")
    return "\n".join(lines)


def _note(instrument: Instrument) -> str:
    if instrument.unanswered == "zero":
        return " (unanswered items count 0)"
    if instrument.unanswered == "excluded":
        return f" (scored over the answered {instrument.item_word}s)"
    return ""
