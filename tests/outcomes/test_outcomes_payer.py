"""The optional US Medicare rule for acupuncture in chronic low back pain (NCD 30.3.3): 12 visits in 90 days,
8 more only while improving, at most 20 a year, and only for eligible pain."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciatica_care.errors import InputRefused
from sciatica_care.outcomes import MedicareEligibility, medicare_check

START = date(2025, 1, 6)
ELIGIBLE = MedicareEligibility(pain_weeks=20, nonspecific=True, associated_with_surgery=False,
                               associated_with_pregnancy=False)


def day(n: int) -> date:
    """Day n after the first visit (day(0) is the first visit, the 1st day of the 90)."""
    return START + timedelta(days=n)


def weekly(count: int) -> list[date]:
    return [day(7 * i) for i in range(count)]


def every_other_day(count: int) -> list[date]:
    return [day(2 * i) for i in range(count)]


@pytest.mark.parametrize(
    ("visits", "planned", "improving", "reasons", "in_period"),
    [
        pytest.param(every_other_day(11), day(22), False, (), 12, id="12th-in-90-days-not-improving"),
        pytest.param(every_other_day(12), day(24), False, ("not_improving",), 13, id="13th-in-90-days-not-improving"),
        pytest.param(every_other_day(12), day(24), True, (), 13, id="13th-in-90-days-improving"),
        pytest.param([day(0)], day(89), False, (), 2, id="90th-day-not-improving"),
        pytest.param([day(0)], day(90), False, ("not_improving",), 1, id="91st-day-not-improving"),
        pytest.param([day(0)], day(90), True, (), 1, id="91st-day-improving"),
        pytest.param([], day(0), False, (), 1, id="first-visit"),
    ],
)
def test_initial_period(
    visits: list[date], planned: date, improving: bool, reasons: tuple[str, ...], in_period: int
) -> None:
    """The first 12 visits within 90 days are covered; the 13th, or any visit from the 91st day, only while
    the patient improves."""
    check = medicare_check(visits, planned, improving, ELIGIBLE)
    assert (check.reasons, check.exceeds, check.visit_in_period) == (reasons, bool(reasons), in_period)


@pytest.mark.parametrize(
    ("visits", "planned", "reasons", "in_year", "remaining"),
    [
        pytest.param(weekly(19), day(7 * 19), (), 20, 0, id="20th-in-a-year"),
        pytest.param(weekly(20), day(7 * 20), ("annual_limit",), 21, 0, id="21st-in-a-year"),
        pytest.param(weekly(20), day(365), (), 20, 0, id="first-visit-just-a-year-ago"),
        pytest.param([day(1), *weekly(20)[1:]], day(365), ("annual_limit",), 21, 0, id="first-visit-364-days-ago"),
        pytest.param(weekly(10), day(70), (), 11, 9, id="plenty-left"),
    ],
)
def test_annual_limit(
    visits: list[date], planned: date, reasons: tuple[str, ...], in_year: int, remaining: int
) -> None:
    """At most 20 visits in any year (the planned day and the 364 before it), even while improving."""
    check = medicare_check(visits, planned, True, ELIGIBLE)
    assert (check.reasons, check.visit_in_year, check.remaining_in_year) == (reasons, in_year, remaining)


def test_not_improving_and_over_the_limit_gives_both_reasons() -> None:
    """Every reason is given at once."""
    assert medicare_check(weekly(20), day(140), False, ELIGIBLE).reasons == ("not_improving", "annual_limit")


@pytest.mark.parametrize(
    ("eligibility", "reasons"),
    [
        pytest.param(ELIGIBLE, (), id="eligible"),
        pytest.param(MedicareEligibility(12, True, False, False), (), id="exactly-12-weeks"),
        pytest.param(MedicareEligibility(11.9, True, False, False), ("pain_under_12_weeks",), id="under-12-weeks"),
        pytest.param(MedicareEligibility(30, False, False, False), ("not_nonspecific",), id="specific-cause"),
        pytest.param(MedicareEligibility(30, True, True, False), ("associated_with_surgery",), id="surgery"),
        pytest.param(MedicareEligibility(30, True, False, True), ("associated_with_pregnancy",), id="pregnancy"),
        pytest.param(
            MedicareEligibility(4, False, True, True),
            ("pain_under_12_weeks", "not_nonspecific", "associated_with_surgery", "associated_with_pregnancy"),
            id="all",
        ),
    ],
)
def test_eligibility(eligibility: MedicareEligibility, reasons: tuple[str, ...]) -> None:
    """Only chronic (12 weeks or more), nonspecific low back pain not linked to surgery or pregnancy is covered."""
    check = medicare_check([], START, True, eligibility)
    assert (check.reasons, check.exceeds) == (reasons, bool(reasons))


def test_warning_text() -> None:
    """A visit outside the rule comes with a warning naming the rule, the date, the visit count and why."""
    check = medicare_check(weekly(20), day(140), True, ELIGIBLE)
    assert check.warning is not None
    assert "NCD 30.3.3" in check.warning
    assert "26 May 2025" in check.warning  # the house date format
    assert "visit 21" in check.warning
    assert "at most 20 visits" in check.warning
    assert check.sources == ("medicare-ncd-30-3-3",)


def test_no_warning_inside_the_rule() -> None:
    """A covered visit has no warning."""
    check = medicare_check(weekly(3), day(21), False, ELIGIBLE)
    assert (check.exceeds, check.warning, check.day_of_period) == (False, None, 22)


@pytest.mark.parametrize(
    ("args", "problems"),
    [
        pytest.param(
            ([day(5)], day(4), True, ELIGIBLE),
            [("visit_dates[0]", "must not be after the planned visit 2025-01-10, got 2025-01-11")],
            id="visit-after-planned",
        ),
        pytest.param(
            ([datetime(2025, 1, 6, tzinfo=UTC)], day(4), True, ELIGIBLE),
            [("visit_dates[0]", "must be a date, got a datetime")],
            id="datetime",
        ),
        pytest.param(([], None, True, ELIGIBLE), [("planned", "must be a date, got null")], id="planned"),
        pytest.param(([], START, 1, ELIGIBLE), [("improving", "must be true or false, got 1")], id="improving"),
        pytest.param(
            ([], START, True, {"pain_weeks": 20}),
            [("eligibility", "must be a MedicareEligibility, got an object")],
            id="eligibility-dict",
        ),
        pytest.param(
            ([], START, True, MedicareEligibility(float("nan"), "yes", False, None)),  # type: ignore[arg-type]
            [
                ("eligibility.pain_weeks", "must be a number from 0, got nan"),
                ("eligibility.nonspecific", 'must be true or false, got "yes"'),
                ("eligibility.associated_with_pregnancy", "must be true or false, got null"),
            ],
            id="eligibility-fields",
        ),
    ],
)
def test_refusals(args: tuple[object, ...], problems: list[tuple[str, str]]) -> None:
    """Bad arguments are refused, every one at its path."""
    with pytest.raises(InputRefused) as refused:
        medicare_check(*args)  # type: ignore[arg-type]
    assert [(p.path, p.message) for p in refused.value.problems] == problems


visit_days = st.lists(st.integers(0, 500), max_size=30)


@given(visit_days, st.integers(0, 60), st.booleans(), st.randoms())
def test_visit_order_does_not_matter(offsets: list[int], after: int, improving: bool, rng: Random) -> None:
    """Shuffling the visit dates never changes the answer."""
    dates = [day(n) for n in offsets]
    planned = day(max(offsets, default=0) + after)
    shuffled = dates.copy()
    rng.shuffle(shuffled)
    assert medicare_check(shuffled, planned, improving, ELIGIBLE) == medicare_check(dates, planned, improving, ELIGIBLE)


@given(visit_days, st.integers(0, 60), st.booleans())
def test_rule_definition(offsets: list[int], after: int, improving: bool) -> None:
    """For an eligible patient the visit exceeds exactly when it is the 21st in a year, or is beyond the first 12
    in 90 days while the patient is not improving."""
    planned = day(max(offsets, default=0) + after)
    check = medicare_check([day(n) for n in offsets], planned, improving, ELIGIBLE)
    beyond = check.day_of_period > 90 or check.visit_in_period > 12
    assert ("annual_limit" in check.reasons) is (check.visit_in_year > 20)
    assert ("not_improving" in check.reasons) is (beyond and not improving)
    assert check.exceeds is bool(check.reasons) is (check.warning is not None)
    assert 1 <= check.visit_in_period <= check.visit_in_year
