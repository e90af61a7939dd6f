"""The five outcome questionnaires as data: items, ranges, bands, minimal important change and sources.

Item topics are the project's own short words, never the questionnaires' wording: the ODI (Mapi Research
Trust) and STarT Back (Keele University) texts are licensed, so a clinic loads the wording it may use.
Scoring rules are in the contract (contract-v1); the minimal important changes come from facts §7.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

ScoringMethod = Literal["percent", "sum"]
UnansweredPolicy = Literal["refused", "excluded", "zero"]


@dataclass(frozen=True, slots=True)
class Item:
    """One question or section: its topic in our words and the range of answers the form allows."""

    topic: str
    low: int
    high: int
    # STarT Back's ninth item is answered 0-4 but scores 1 from this value up, else 0.
    counts_one_from: int | None = None
    # facts.md marks some item topics as unverified; the status must stay visible.
    unverified: bool = False
    # The form gives every answer its own text (the ODI's six statements per section, STarT Back's five
    # bothersomeness labels): a clinic's wording file must then supply one text per answer.
    labelled_answers: bool = False

    def points(self, answer: int) -> int:
        if self.counts_one_from is None:
            return answer
        return 1 if answer >= self.counts_one_from else 0


@dataclass(frozen=True, slots=True)
class Band:
    """A named score band. `up_to` is the inclusive upper score for threshold bands; None for the top band or
    for bands chosen by a rule other than a threshold (STarT Back)."""

    id: str
    label: str
    up_to: float | None = None
    advice: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StartBackRule:
    """STarT Back's stratification: `high` on the subscale, else `low` on the total, else `medium`."""

    subscale_items: tuple[int, ...]  # zero-based indices
    high_when_subscale_at_least: int
    low_when_total_at_most: int


@dataclass(frozen=True, slots=True)
class MinimalImportantChange:
    """The smallest change in points a patient would call important, with where that figure comes from."""

    points: float
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Instrument:
    """One questionnaire. Higher scores are worse for every instrument here."""

    id: str
    name: str
    items: tuple[Item, ...]
    method: ScoringMethod
    score_low: int
    score_high: int
    unanswered: UnansweredPolicy
    max_unanswered: int
    minimal_important_change: MinimalImportantChange | None
    sources: tuple[str, ...]
    bands: tuple[Band, ...] = ()
    stratification: StartBackRule | None = None
    subscale_high: int | None = None
    loinc: str | None = None
    licence: str | None = None
    direction: Literal["higher_is_worse"] = "higher_is_worse"
    item_word: str = "item"


_ODI_TOPICS = (
    "pain intensity",
    "personal care (washing, dressing)",
    "lifting",
    "walking",
    "sitting",
    "standing",
    "sleeping",
    "sex life",
    "social life",
    "travelling",
)

# Own-words topics in the form's order (Roland & Morris 1983); each is "because of my back".
_RMDQ_TOPICS = (
    "mostly staying at home",
    "shifting position often to get comfortable",
    "walking more slowly",
    "not doing usual household jobs",
    "needing a handrail on stairs",
    "lying down to rest more often",
    "holding on to get up from a soft chair",
    "asking others to do things",
    "dressing more slowly",
    "standing only briefly",
    "avoiding bending or kneeling",
    "difficulty rising from a chair",
    "pain nearly all the time",
    "difficulty turning over in bed",
    "poor appetite",
    "trouble putting on socks or stockings",
    "walking only short distances",
    "sleeping worse",
    "needing help to dress",
    "sitting most of the day",
    "avoiding heavy household jobs",
    "more irritable with people",
    "climbing stairs more slowly",
    "mostly staying in bed",
)

_STARTBACK_TOPICS = (
    "back pain has spread down a leg recently",
    "shoulder or neck pain recently",
    "walking only short distances because of back pain",
    "dressing more slowly because of back pain",
    "feeling it is unsafe to be physically active",
    "worrying thoughts often on the mind",
    "feeling the pain is awful and will never get better",
    "not enjoying things as usual lately",
    "how bothersome the back pain has been overall",
)

ODI = Instrument(
    id="odi",
    name="Oswestry Disability Index 2.1a",
    items=tuple(Item(topic, 0, 5, labelled_answers=True) for topic in _ODI_TOPICS),
    method="percent",
    score_low=0,
    score_high=100,
    unanswered="excluded",
    max_unanswered=2,
    minimal_important_change=MinimalImportantChange(10, ("ostelo-2008",)),
    sources=("fairbank-2000", "contract-v1", "ostelo-2008"),
    bands=(
        Band("minimal", "minimal disability", 20),
        Band("moderate", "moderate disability", 40),
        Band("severe", "severe disability", 60),
        Band("crippled", "crippling back pain", 80),
        Band("bed_bound", "bed-bound or overstating symptoms"),
    ),
    loinc="97909-6",
    licence="Mapi Research Trust: section wording not shipped",
    item_word="section",
)

RMDQ = Instrument(
    id="rmdq",
    name="Roland-Morris Disability Questionnaire",
    items=tuple(Item(topic, 0, 1) for topic in _RMDQ_TOPICS),
    method="sum",
    score_low=0,
    score_high=24,
    unanswered="zero",
    max_unanswered=24,
    minimal_important_change=MinimalImportantChange(5, ("ostelo-2008",)),
    sources=("contract-v1", "ostelo-2008"),
)

SBI = Instrument(
    id="sbi",
    name="Sciatica Bothersomeness Index",
    items=(
        Item("leg pain", 0, 6),
        Item("numbness or tingling in the leg, foot or groin", 0, 6),
        Item("weakness in the leg or foot", 0, 6),
        Item("leg or back pain while sitting", 0, 6, unverified=True),
    ),
    method="sum",
    score_low=0,
    score_high=24,
    unanswered="refused",
    max_unanswered=0,
    minimal_important_change=None,
    sources=("haugen-2011", "contract-v1"),
)

STARTBACK = Instrument(
    id="startback",
    name="STarT Back Screening Tool",
    items=(
        *(Item(topic, 0, 1) for topic in _STARTBACK_TOPICS[:8]),
        Item(_STARTBACK_TOPICS[8], 0, 4, counts_one_from=3, labelled_answers=True),
    ),
    method="sum",
    score_low=0,
    score_high=9,
    unanswered="refused",
    max_unanswered=0,
    minimal_important_change=None,
    sources=("keele-startback", "contract-v1"),
    bands=(
        Band(
            "low",
            "low risk",
            advice="advice, reassurance and support to manage the pain themselves",
            sources=("nice-ng59", "keele-startback"),
        ),
        Band(
            "medium",
            "medium risk",
            advice="an exercise-based programme, with any manual therapy given only as part of it",
            sources=("nice-ng59", "keele-startback"),
        ),
        Band(
            "high",
            "high risk",
            advice=(
                "an exercise-based programme, with any manual therapy given only as part of it, "
                "and psychologically informed support"
            ),
            sources=("nice-ng59", "keele-startback"),
        ),
    ),
    stratification=StartBackRule(
        subscale_items=(4, 5, 6, 7, 8), high_when_subscale_at_least=4, low_when_total_at_most=3
    ),
    subscale_high=5,
    licence="Keele University: item wording not shipped",
)

NRS = Instrument(
    id="nrs",
    name="Numeric Rating Scale for pain",
    items=(Item("pain intensity, from 0 (none) to 10 (worst imaginable)", 0, 10),),
    method="sum",
    score_low=0,
    score_high=10,
    unanswered="refused",
    max_unanswered=0,
    minimal_important_change=MinimalImportantChange(2, ("ostelo-2008",)),
    sources=("ostelo-2008", "contract-v1"),
    loinc="72514-3",
)

INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType(
    {instrument.id: instrument for instrument in (ODI, RMDQ, SBI, STARTBACK, NRS)}
)

# Ostelo 2008: a 30% improvement from baseline is important on every pain and function measure.
IMPORTANT_PERCENT = 30
IMPORTANT_PERCENT_SOURCES: tuple[str, ...] = ("ostelo-2008",)
