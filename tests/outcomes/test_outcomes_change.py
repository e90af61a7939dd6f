"""Minimal important change: the MCID in points or 30% of baseline, both limits inclusive."""

from __future__ import annotations

import pytest

from sciatica_care.errors import InputRefused
from sciatica_care.outcomes import change


@pytest.mark.parametrize(
    ("instrument", "baseline", "current", "important"),
    [
        pytest.param("nrs", 8, 6, True, id="nrs-exactly-mcid-2"),
        pytest.param("nrs", 8, 7, False, id="nrs-1-point-12pct"),
        pytest.param("nrs", 3, 2, True, id="nrs-1-point-33pct"),
        pytest.param("nrs", 10, 7, True, id="nrs-exactly-30pct"),
        pytest.param("odi", 50.0, 40.0, True, id="odi-exactly-mcid-10"),
        pytest.param("odi", 50.0, 40.1, False, id="odi-9.9-points-19.8pct"),
        pytest.param("odi", 20.0, 14.0, True, id="odi-exactly-30pct"),
        pytest.param("odi", 20.0, 14.1, False, id="odi-29.5pct"),
        pytest.param("odi", 7.0, 4.9, True, id="odi-exactly-30pct-float-trap"),
        pytest.param("odi", 40, 28, True, id="odi-int-inputs"),
        pytest.param("rmdq", 20, 15, True, id="rmdq-exactly-mcid-5"),
        pytest.param("rmdq", 20, 16, False, id="rmdq-4-points-20pct"),
        pytest.param("rmdq", 10, 7, True, id="rmdq-exactly-30pct"),
        pytest.param("sbi", 10, 7, True, id="sbi-exactly-30pct"),
        pytest.param("sbi", 10, 8, False, id="sbi-20pct"),
        pytest.param("startback", 9, 6, True, id="startback-33pct"),
        pytest.param("startback", 9, 7, False, id="startback-22pct"),
        pytest.param("nrs", 5, 5, False, id="no-change"),
        pytest.param("nrs", 0, 0, False, id="zero-to-zero"),
    ],
)
def test_important_improvement(instrument: str, baseline: float, current: float, important: bool) -> None:
    """Improvement is important at the MCID or at 30% of baseline, whichever comes first."""
    assert change(instrument, baseline, current).important_improvement is important


@pytest.mark.parametrize(
    ("instrument", "baseline", "current", "important"),
    [
        pytest.param("nrs", 4, 6, True, id="nrs-exactly-mcid-2"),
        pytest.param("nrs", 4, 5, False, id="nrs-1-point-25pct"),
        pytest.param("nrs", 6, 7, False, id="nrs-1-point-17pct"),
        pytest.param("odi", 20.0, 26.0, True, id="odi-exactly-30pct"),
        pytest.param("odi", 50.0, 59.9, False, id="odi-9.9-points"),
        pytest.param("odi", 50.0, 60.0, True, id="odi-exactly-mcid"),
        pytest.param("sbi", 10, 13, True, id="sbi-exactly-30pct"),
        pytest.param("sbi", 10, 12, False, id="sbi-20pct"),
        pytest.param("nrs", 0, 2, True, id="from-zero-by-mcid"),
        pytest.param("sbi", 0, 10, False, id="from-zero-without-mcid"),
        pytest.param("nrs", 7, 3, False, id="improvement-is-not-worsening"),
    ],
)
def test_important_worsening(instrument: str, baseline: float, current: float, important: bool) -> None:
    """Worsening is important by the same rule in the other direction."""
    assert change(instrument, baseline, current).important_worsening is important


@pytest.mark.parametrize(
    ("instrument", "baseline", "current", "absolute", "percent"),
    [
        pytest.param("odi", 35.6, 25.6, -10.0, -28.1, id="odi-floats"),
        pytest.param("nrs", 8, 6, -2, -25.0, id="nrs"),
        pytest.param("sbi", 6, 9, 3, 50.0, id="worse"),
        pytest.param("rmdq", 0, 4, 4, None, id="baseline-zero"),
    ],
)
def test_absolute_and_percent(
    instrument: str, baseline: float, current: float, absolute: float, percent: float | None
) -> None:
    """Absolute is current − baseline; percent is that over baseline, None from a zero baseline."""
    result = change(instrument, baseline, current)
    assert (result.absolute, result.percent) == (absolute, percent)


def test_absolute_is_int_for_int_scores() -> None:
    """Whole-number scores give a whole-number change."""
    assert type(change("nrs", 8, 6).absolute) is int


@pytest.mark.parametrize(
    ("instrument", "rule"),
    [
        ("nrs", "mcid_or_percent"),
        ("odi", "mcid_or_percent"),
        ("rmdq", "mcid_or_percent"),
        ("sbi", "percent_only"),
        ("startback", "percent_only"),
    ],
)
def test_rule(instrument: str, rule: str) -> None:
    """The rule says whether an MCID in points was available."""
    assert change(instrument, 5, 5).rule == rule


def test_rule_text_without_mcid_says_so() -> None:
    """Without an MCID the rule text says none is stated."""
    assert "no minimal important change is stated" in change("sbi", 5, 5).rule_text


def test_sources_cite_ostelo() -> None:
    """The change cites Ostelo 2008."""
    assert change("nrs", 5, 3).sources == ("ostelo-2008",)


def test_json_round_trips_the_fields() -> None:
    """to_json carries every field, sources as a list."""
    result = change("nrs", 8, 6).to_json()
    assert (result["absolute"], result["important_improvement"], result["sources"]) == (
        -2,
        True,
        ["ostelo-2008"],
    )


@pytest.mark.parametrize(
    ("instrument", "baseline", "current", "problems"),
    [
        pytest.param(
            "vas",
            1,
            2,
            [("instrument", 'unknown instrument "vas"; known: odi, rmdq, sbi, startback, nrs')],
            id="unknown",
        ),
        pytest.param("nrs", 11, 2, [("baseline", "must be an integer from 0 to 10, got 11")], id="above"),
        pytest.param(
            "nrs", 5, 5.5, [("current", "must be an integer from 0 to 10, got 5.5")], id="not-whole"
        ),
        pytest.param("nrs", True, 2, [("baseline", "must be an integer from 0 to 10, got true")], id="bool"),
        pytest.param(
            "odi",
            float("nan"),
            -1,
            [
                ("baseline", "must be a number from 0 to 100, got nan"),
                ("current", "must be a number from 0 to 100, got -1"),
            ],
            id="both",
        ),
        pytest.param(
            "odi", "40", 20, [("baseline", 'must be a number from 0 to 100, got "40"')], id="string"
        ),
    ],
)
def test_refusals(
    instrument: str, baseline: object, current: object, problems: list[tuple[str, str]]
) -> None:
    """Bad arguments are refused with every problem at its path."""
    with pytest.raises(InputRefused) as refused:
        change(instrument, baseline, current)  # type: ignore[arg-type]
    assert [(p.path, p.message) for p in refused.value.problems] == problems
