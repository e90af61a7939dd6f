"""CPT units from charted minutes (facts.md §8, §15: AAAOM, CMS, AAPC): acupuncture periods and re-insertions,
the one initial code a day, e-stim, and CMS's 8-minute rule over massage and manual therapy."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sciatica_care.interop.billing_units import (
    MAX_MINUTES,
    DayMinutes,
    MinutesError,
    day_bill,
    midpoint_units,
    timed_units,
)


def billed(day: DayMinutes) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(line.code, line.units, line.modifiers) for line in day_bill(day).lines]


@pytest.mark.parametrize(("minutes", "units"), [
    (0, 0), (1, 0), (7, 0), (8, 1), (15, 1), (22, 1), (23, 2), (30, 2), (37, 2), (38, 3), (52, 3), (53, 4),
    (67, 4), (68, 5),
])
def test_eight_minute_boundaries(minutes: int, units: int) -> None:
    """Under 8 minutes no unit; 8–22 one; 23–37 two; 38–52 three; 53–67 four (CMS ch. 5 §20.2)."""
    assert midpoint_units(minutes) == units


@pytest.mark.parametrize(("day", "lines"), [
    (DayMinutes(), []),
    (DayMinutes(acupuncture=7), []),
    (DayMinutes(acupuncture=8), [("97810", 1, ())]),
    (DayMinutes(acupuncture=15, reinsertions=1), [("97810", 1, ())]),
    (DayMinutes(acupuncture=22, reinsertions=1), [("97810", 1, ())]),
    (DayMinutes(acupuncture=23, reinsertions=1), [("97810", 1, ()), ("97811", 1, ())]),
    (DayMinutes(acupuncture=30, reinsertions=1), [("97810", 1, ()), ("97811", 1, ())]),
    (DayMinutes(acupuncture=37, reinsertions=2), [("97810", 1, ()), ("97811", 1, ())]),
    (DayMinutes(acupuncture=38, reinsertions=2), [("97810", 1, ()), ("97811", 2, ())]),
    (DayMinutes(acupuncture=45, reinsertions=2), [("97810", 1, ()), ("97811", 2, ())]),
], ids=["nothing", "7 min", "8 min", "15 min", "22 min", "23 min", "30 min", "37 min", "38 min", "45 min"])
def test_acupuncture_without_estim(day: DayMinutes, lines: list[tuple[str, int, tuple[str, ...]]]) -> None:
    """97810 for the first 15 minutes, +97811 for each further period past its mid-point, with re-insertion."""
    assert billed(day) == lines


@pytest.mark.parametrize(("day", "lines"), [
    (DayMinutes(electroacupuncture=8), [("97813", 1, ())]),
    (DayMinutes(electroacupuncture=30, reinsertions=1), [("97813", 1, ()), ("97814", 1, ())]),
    (DayMinutes(electroacupuncture=45, reinsertions=2), [("97813", 1, ()), ("97814", 2, ())]),
], ids=["8 min", "30 min", "45 min"])
def test_acupuncture_with_estim(day: DayMinutes, lines: list[tuple[str, int, tuple[str, ...]]]) -> None:
    """With electrical stimulation the codes are 97813 and +97814."""
    assert billed(day) == lines


@pytest.mark.parametrize(("day", "lines"), [
    (DayMinutes(acupuncture=15, electroacupuncture=15, reinsertions=1, first="acupuncture"),
     [("97810", 1, ()), ("97814", 1, ())]),
    (DayMinutes(acupuncture=15, electroacupuncture=15, reinsertions=1, first="electroacupuncture"),
     [("97813", 1, ()), ("97811", 1, ())]),
    (DayMinutes(acupuncture=15, electroacupuncture=30, reinsertions=2, first="acupuncture"),
     [("97810", 1, ()), ("97814", 2, ())]),
    (DayMinutes(acupuncture=5, electroacupuncture=25, reinsertions=1, first="acupuncture"),
     [("97813", 1, ()), ("97814", 1, ())]),
], ids=["needles then e-stim", "e-stim then needles", "15 + 30", "e-stim fills the first period"])
def test_one_initial_code_a_day(day: DayMinutes, lines: list[tuple[str, int, tuple[str, ...]]]) -> None:
    """Needling with and without e-stim on one day: one initial code (never 97810 and 97813 together), from the
    modality of the first 15 minutes; each further period takes the add-on code of the modality that filled it."""
    got = billed(day)
    assert got == lines
    assert len([c for c, _, _ in got if c in ("97810", "97813")]) == 1


@pytest.mark.parametrize(("reinsertions", "add_on_units"), [(0, 0), (1, 1), (2, 2), (5, 2)])
def test_add_on_units_need_reinsertions(reinsertions: int, add_on_units: int) -> None:
    """Each add-on unit needs a re-insertion of needles: fewer re-insertions, fewer add-on units, said in a note."""
    bill = day_bill(DayMinutes(acupuncture=45, reinsertions=reinsertions))
    assert sum(x.units for x in bill.lines if x.code == "97811") == add_on_units
    assert any("re-insertion" in note for note in bill.notes) == (reinsertions < 2)


@pytest.mark.parametrize(("massage", "manual", "lines"), [
    (0, 0, []),
    (7, 0, []),
    (8, 0, [("97124", 1, ())]),
    (22, 0, [("97124", 1, ())]),
    (23, 0, [("97124", 2, ())]),
    (37, 0, [("97124", 2, ())]),
    (38, 0, [("97124", 3, ())]),
    (0, 23, [("97140", 2, ())]),
    (7, 7, [("97124", 1, ())]),
    (33, 7, [("97124", 2, ()), ("97140", 1, ())]),
    (24, 23, [("97124", 2, ()), ("97140", 1, ())]),
    (5, 5, [("97124", 1, ())]),
    (4, 3, []),
    (15, 15, [("97124", 1, ()), ("97140", 1, ())]),
])
def test_cms_eight_minute_rule_over_two_timed_codes(massage: int, manual: int,
                                                    lines: list[tuple[str, int, tuple[str, ...]]]) -> None:
    """Total timed minutes set the units; whole units first, then the most minutes left over (CMS's examples:
    33 + 7 minutes bill 2 + 1; 7 + 7 minutes bill one unit)."""
    assert billed(DayMinutes(massage=massage, manual_therapy=manual)) == lines


def test_two_modalities_on_one_day_add_the_distinct_service_modifier() -> None:
    """Acupuncture and massage on one day: both billed, the massage line with modifier 59 (unverified; codes.yaml)."""
    assert billed(DayMinutes(acupuncture=30, reinsertions=1, massage=30)) == [
        ("97810", 1, ()), ("97811", 1, ()), ("97124", 2, ("59",))]


def test_massage_alone_has_no_modifier() -> None:
    """Without acupuncture that day, no modifier."""
    assert billed(DayMinutes(massage=30)) == [("97124", 2, ())]


def test_acupuncture_minutes_stay_out_of_the_massage_total() -> None:
    """Acupuncture is not pooled into the CMS timed total: 30 minutes of needling do not lift 7 of massage."""
    assert [c for c, _, _ in billed(DayMinutes(acupuncture=30, reinsertions=1, massage=7))] == ["97810", "97811"]


def test_under_eight_minutes_is_said_not_hidden() -> None:
    """A few minutes that bill nothing are named in the notes."""
    bill = day_bill(DayMinutes(acupuncture=5, massage=6))
    assert bill.lines == ()
    assert len(bill.notes) == 2


@pytest.mark.parametrize(("day", "field"), [
    (DayMinutes(acupuncture=-1), "acupuncture"),
    (DayMinutes(massage=MAX_MINUTES + 1), "massage"),
    (DayMinutes(reinsertions=-2), "reinsertions"),
    (DayMinutes(acupuncture=10, electroacupuncture=10), "first"),
    (DayMinutes(acupuncture=10, first="electroacupuncture"), "first"),
])
def test_minutes_that_cannot_be_billed_name_the_field(day: DayMinutes, field: str) -> None:
    """Negative or implausible minutes, or two acupuncture modalities with no order, are refused by field."""
    with pytest.raises(MinutesError) as caught:
        day_bill(day)
    assert caught.value.field == field


def test_every_line_cites_its_sources() -> None:
    """Each line says why and cites the facts.md sources (AAAOM, AAPC, CMS)."""
    bill = day_bill(DayMinutes(electroacupuncture=30, reinsertions=1, manual_therapy=20))
    assert all(line.reason and line.sources for line in bill.lines)
    assert "aaaom-codes" in bill.lines[0].sources
    assert "cms-claims-ch5" in bill.lines[-1].sources


@settings(deadline=None)  # microseconds a case; a busy machine must not fail it
@given(st.integers(0, MAX_MINUTES), st.integers(0, MAX_MINUTES))
def test_timed_units_never_exceed_the_total_rule(a: int, b: int) -> None:
    """Shared units always add up to the units of the total minutes."""
    assert sum(timed_units({"massage": a, "manual_therapy": b}).values()) == midpoint_units(a + b)


@settings(deadline=None)
@given(st.integers(0, MAX_MINUTES), st.integers(0, MAX_MINUTES), st.integers(0, 16),
       st.sampled_from(["acupuncture", "electroacupuncture"]))
def test_acupuncture_never_bills_two_initial_codes(acu: int, estim: int, reinsertions: int, first: str) -> None:
    """Whatever the minutes, at most one initial code, and add-on units never exceed the re-insertions."""
    first_done = first if (acu if first == "acupuncture" else estim) else None
    if acu and estim and first_done is None:
        return
    bill = day_bill(DayMinutes(acupuncture=acu, electroacupuncture=estim, reinsertions=reinsertions,
                               first=first_done))  # type: ignore[arg-type]
    initial = [x for x in bill.lines if x.code in ("97810", "97813")]
    assert len(initial) <= 1
    assert all(x.units == 1 for x in initial)
    assert sum(x.units for x in bill.lines if x.add_on) <= reinsertions
