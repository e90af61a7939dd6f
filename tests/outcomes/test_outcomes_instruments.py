"""The instrument definitions: items, ranges, minimal important change, codes and sources."""

from __future__ import annotations

import dataclasses

import pytest

from sciatica_care.outcomes import INSTRUMENTS
from sciatica_care.outcomes.instruments import IMPORTANT_PERCENT


def test_the_five_instruments_are_defined() -> None:
    """Exactly the contract's five instruments are known, by their contract ids."""
    assert set(INSTRUMENTS) == {"odi", "rmdq", "sbi", "startback", "nrs"}


@pytest.mark.parametrize(
    ("instrument", "items", "low", "high"),
    [("odi", 10, 0, 100), ("rmdq", 24, 0, 24), ("sbi", 4, 0, 24), ("startback", 9, 0, 9), ("nrs", 1, 0, 10)],
)
def test_item_count_and_score_range(instrument: str, items: int, low: int, high: int) -> None:
    """Each instrument has the contract's number of items and score range."""
    found = INSTRUMENTS[instrument]
    assert (len(found.items), found.score_low, found.score_high) == (items, low, high)


@pytest.mark.parametrize("instrument", ["rmdq", "sbi", "startback", "nrs"])
def test_summed_instruments_reach_their_top_score(instrument: str) -> None:
    """Every item at its highest answer adds up to the top of the score range."""
    found = INSTRUMENTS[instrument]
    assert sum(item.points(item.high) for item in found.items) == found.score_high


def test_odi_section_topics() -> None:
    """The ODI's ten section topics are the ones facts §7 lists, in order."""
    topics = [item.topic for item in INSTRUMENTS["odi"].items]
    assert [t.split(" (")[0] for t in topics] == [
        "pain intensity",
        "personal care",
        "lifting",
        "walking",
        "sitting",
        "standing",
        "sleeping",
        "sex life",
        "social life",
        "travelling",
    ]


@pytest.mark.parametrize("instrument", sorted(INSTRUMENTS))
def test_every_item_has_a_topic(instrument: str) -> None:
    """Every item carries a short own-words topic."""
    assert all(0 < len(item.topic) <= 80 for item in INSTRUMENTS[instrument].items)


def test_rmdq_topics_do_not_copy_the_form() -> None:
    """RMDQ topics are our words, not the form's first-person statements."""
    topics = [item.topic.lower() for item in INSTRUMENTS["rmdq"].items]
    assert not any("because of my back" in t or t.startswith("i ") for t in topics)


@pytest.mark.parametrize(
    ("instrument", "points"), [("nrs", 2), ("odi", 10), ("rmdq", 5), ("sbi", None), ("startback", None)]
)
def test_minimal_important_change(instrument: str, points: int | None) -> None:
    """The MCID in points is as facts §7 gives it, None where no figure is stated."""
    mcid = INSTRUMENTS[instrument].minimal_important_change
    assert (None if mcid is None else mcid.points) == points


def test_relative_threshold_is_thirty_percent() -> None:
    """The relative rule is 30% of baseline (Ostelo 2008)."""
    assert IMPORTANT_PERCENT == 30


@pytest.mark.parametrize(
    ("instrument", "loinc"),
    [("nrs", "72514-3"), ("odi", "97909-6"), ("rmdq", None), ("sbi", None), ("startback", None)],
)
def test_loinc_codes(instrument: str, loinc: str | None) -> None:
    """LOINC codes are given only where facts §7 gives one."""
    assert INSTRUMENTS[instrument].loinc == loinc


@pytest.mark.parametrize("instrument", sorted(INSTRUMENTS))
def test_higher_is_worse(instrument: str) -> None:
    """A higher score means worse on every instrument."""
    assert INSTRUMENTS[instrument].direction == "higher_is_worse"


@pytest.mark.parametrize("instrument", sorted(INSTRUMENTS))
def test_every_instrument_cites_the_contract(instrument: str) -> None:
    """Every instrument names its sources, the contract among them."""
    assert "contract-v1" in INSTRUMENTS[instrument].sources


def test_unverified_sbi_item_is_marked() -> None:
    """The SBI's fourth item, unverified in facts §7, says so; the other three do not."""
    assert [item.unverified for item in INSTRUMENTS["sbi"].items] == [False, False, False, True]


@pytest.mark.parametrize(("answer", "points"), [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)])
def test_startback_ninth_item_points(answer: int, points: int) -> None:
    """STarT Back's ninth item scores 1 only for answers 3 and 4."""
    assert INSTRUMENTS["startback"].items[8].points(answer) == points


def test_instruments_are_frozen() -> None:
    """Instrument definitions cannot be changed at run time."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        INSTRUMENTS["nrs"].score_high = 11  # type: ignore[misc]


def test_instrument_table_is_read_only() -> None:
    """The instrument table cannot be added to at run time."""
    with pytest.raises(TypeError):
        INSTRUMENTS["vas"] = INSTRUMENTS["nrs"]  # type: ignore[index]
