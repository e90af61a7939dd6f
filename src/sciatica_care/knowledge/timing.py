"""Referral timing: the four `see_within` values, their order, and a reader that finds the timings a sentence
states, so a test (or a report) can prove that no text names a slower timing than the plan's `see_within`.

`now` is the emergency department within hours; `same_day` is a doctor today; `two_weeks` is an urgent GP
appointment within two weeks (NICE NG127's "urgently"); `none` is no referral. The reader is deliberately plain:
it splits the text into clauses, looks in each for the phrases people use for each timing, skips a phrase that is
negated in its clause ("do not wait for your next appointment", "rather than urgent"), and takes the most urgent
phrase as the clause's timing ("an emergency department today, within hours" states `now`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Literal

SeeWithin = Literal["now", "same_day", "two_weeks", "none"]

#: Most urgent first.
SEE_WITHIN: tuple[SeeWithin, ...] = ("now", "same_day", "two_weeks", "none")
URGENCY: dict[str, int] = {"now": 3, "same_day": 2, "two_weeks": 1, "none": 0}

_PHRASES: dict[SeeWithin, tuple[str, ...]] = {
    "now": (
        r"now", r"straight away", r"right away", r"immediately", r"at once", r"within (?:a few )?hours",
        r"within the (?:next )?(?:few )?hours", r"999", r"(?:call|calling) an ambulance", r"emergency department",
        r"a ?& ?e",
    ),
    "same_day": (
        r"today", r"(?:the )?same[- ]day", r"this day", r"within 24 hours", r"within a day", r"tonight",
        r"111",
    ),
    "two_weeks": (
        r"(?:within |in |next )?(?:two|2) weeks", r"(?:a|one) fortnight", r"(?:in )?the next few days",
        r"within (?:a )?few days", r"this week", r"soon", r"promptly", r"urgent(?:ly)?",
    ),
    "none": (
        r"routine (?:appointment|referral|gp appointment)", r"next (?:appointment|visit)", r"when convenient",
        r"in (?:a few|several|some) weeks", r"if (?:it is |it's )?not (?:better|improving)",
    ),
}


@cache
def _patterns() -> tuple[tuple[SeeWithin, re.Pattern[str]], ...]:
    """The phrase patterns, compiled on first use: planning needs only the order of the timings, not the reader."""
    return tuple(
        (timing, re.compile(rf"(?<![\w-])(?:{'|'.join(phrases)})(?![\w-])", re.IGNORECASE))
        for timing, phrases in _PHRASES.items()
    )


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_BREAK = r"[.;:!?—–()\n]|,\s"
_NEGATION = r"\b(?:(?:not|no)(?! later than)|never|don't|rather than|instead of)\b"


def is_slower(timing: str, than: str) -> bool:
    """Whether one referral timing (`see_within`) gives the patient longer than another."""
    return URGENCY[timing] < URGENCY[than]


def most_urgent(values: Iterable[str]) -> SeeWithin:
    """The most urgent of the timings given (`none` when there are none)."""
    best: SeeWithin = "none"
    for value in values:
        if URGENCY[value] > URGENCY[best]:
            best = value  # type: ignore[assignment]
    return best


def clause_timings(text: str) -> list[tuple[str, SeeWithin]]:
    """Each clause of the text that states a timing, with that timing (its most urgent phrase that is not
    negated earlier in the clause)."""
    out: list[tuple[str, SeeWithin]] = []
    for clause in re.split(_CLAUSE_BREAK, text):
        found: list[SeeWithin] = []
        for timing, pattern in _patterns():
            for match in pattern.finditer(clause):
                if not re.search(_NEGATION, clause[: match.start()], re.IGNORECASE):
                    found.append(timing)
                    break
        if found:
            out.append((clause.strip(), most_urgent(found)))
    return out


def stated_timings(text: str) -> set[SeeWithin]:
    """Every timing the text's clauses state."""
    return {timing for _, timing in clause_timings(text)}


def slowest_stated(text: str) -> SeeWithin | None:
    """The slowest timing the text states, or None when it names no timing."""
    found = stated_timings(text)
    if not found:
        return None
    return min(found, key=lambda t: URGENCY[t])


def slower_than(text: str, see_within: str) -> set[SeeWithin]:
    """The timings the text states that are slower than `see_within` (empty when the text is consistent)."""
    return {t for t in stated_timings(text) if is_slower(t, see_within)}


def only_as_soon(text: str, when: str) -> str:
    """The text without the sentences that name a slower timing than `when` (a finding's own advice, written
    for when it is found alone, must not read as the referral for a patient sent sooner); a sentence whose slower
    clause comes after a few words of its own keeps those words."""
    if when == "none":
        return text
    kept = []
    for sentence in _SENTENCE.split(text):
        slow = [c for c, t in clause_timings(sentence) if is_slower(t, when)]
        if not slow:
            kept.append(sentence)
            continue
        head = sentence[: sentence.find(slow[0])].rstrip(" ,;:—–(")  # the part before the slower clause
        if len(head.split()) >= 3:
            kept.append(head + ".")
    return " ".join(kept).strip()
