"""Trigger analysis: it finds planted associations, stays quiet on noise, waits for enough data, pairs only
consecutive days, and words every result as an association."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from typing import Any

import pytest

import sciatica_care.journal.analysis as analysis_module
from sciatica_care.journal import analyse_diary
from sciatica_care.journal.analysis import DiaryAnalysis, FactorResult, _benjamini_hochberg, inflation
from sciatica_care.journal.factors import FDR_LEVEL, MIN_DAYS_EACH, MIN_DIARY_DAYS
from sciatica_care.journal.tdist import quantile_975, two_sided_p

Diary = list[dict[str, Any]]
Maker = Callable[..., Diary]
NOISE_SEEDS = range(200)


def result(analysis: DiaryAnalysis, factor: str, outcome: str = "leg_nrs", lag: int = 0) -> FactorResult:
    [found] = [r for r in analysis.factors if (r.factor, r.outcome, r.lag_days) == (factor, outcome, lag)]
    return found


def clear(analysis: DiaryAnalysis) -> list[FactorResult]:
    return [r for r in analysis.factors if r.finding in ("trigger", "relief")]


def sat_long_yesterday(day: int, entry: dict[str, Any], earlier: Diary) -> float:
    return 2.0 if earlier and earlier[-1]["sitting_hours"] > 6 else 0.0


@pytest.mark.parametrize("seed", range(10))
def test_planted_next_day_sitting_trigger_is_found(diary_maker: Maker, seed: int) -> None:
    """+2 leg pain the day after sitting over 6 h (noise SD 1.5, 120 days): a trigger at lag 1, about +2."""
    analysis = analyse_diary(diary_maker(seed, 120, plant=sat_long_yesterday))
    found = result(analysis, "sitting_over_6h", lag=1)
    assert found.finding == "trigger"
    assert found.effect is not None
    assert found.ci95 is not None
    assert found.ci95[0] < 2.0 < found.ci95[1] or abs(found.effect - 2.0) < 0.8
    assert found.ci95[0] <= found.effect <= found.ci95[1]
    assert found.n_with + found.n_without == 119  # the last day has no next day


@pytest.mark.parametrize("seed", range(10))
def test_planted_same_day_relief_and_activity_trigger_are_found(diary_maker: Maker, seed: int) -> None:
    """−2 on days with a 30-minute walk and +2 on gardening days (150 days): relief and trigger at lag 0."""

    def plant(day: int, entry: dict[str, Any], earlier: Diary) -> float:
        return (-2.0 if entry["walking_minutes"] >= 30 else 0.0) + (2.0 if "gardening" in entry["activities"] else 0)

    analysis = analyse_diary(diary_maker(seed, 150, plant=plant))
    assert result(analysis, "walked_30min").finding == "relief"
    assert result(analysis, "activity:gardening").finding == "trigger"
    assert result(analysis, "activity:gardening", "back_nrs").finding == "no_clear_effect"


@pytest.mark.parametrize("autocorrelated", [False, True], ids=["independent-days", "autocorrelated"])
def test_false_positive_rate_on_noise_stays_at_the_stated_level(diary_maker: Maker, autocorrelated: bool) -> None:
    """On 200 pure-noise diaries (30–240 days, 20 factors) at most 5 % report any trigger or relief — also
    when pain carries over from day to day and exposures come in runs."""
    flagged = 0
    for seed in NOISE_SEEDS:
        days = random.Random(seed).randint(30, 240)  # noqa: S311 - reproducible test data
        flagged += bool(clear(analyse_diary(diary_maker(seed, days, autocorrelated=autocorrelated))))
    assert flagged / len(NOISE_SEEDS) <= FDR_LEVEL


def test_without_the_autocorrelation_widening_noise_looks_like_triggers(
        diary_maker: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove the widening and autocorrelated noise diaries are flagged far above the stated level."""
    monkeypatch.setattr(analysis_module, "inflation", lambda r_x, r_y: 1.0)
    flagged = sum(bool(clear(analyse_diary(diary_maker(seed, 120, autocorrelated=True)))) for seed in range(40))
    assert flagged / 40 > 3 * FDR_LEVEL


def test_without_the_correction_noise_looks_like_triggers(
        diary_maker: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove the Benjamini–Hochberg correction and many noise diaries show a 'trigger'."""
    monkeypatch.setattr(analysis_module, "_benjamini_hochberg", list)
    flagged = sum(bool(clear(analyse_diary(diary_maker(seed, 120)))) for seed in range(40))
    assert flagged / 40 > 3 * FDR_LEVEL


def test_too_short_a_diary_has_not_enough_data(diary_maker: Maker) -> None:
    """Below MIN_DIARY_DAYS every result is not_enough_data, with no effect or interval — even a huge effect."""
    diary = diary_maker(1, MIN_DIARY_DAYS - 1, plant=lambda d, e, p: 5.0 if e["sitting_hours"] > 6 else -3.0)
    analysis = analyse_diary(diary)
    assert analysis.days == MIN_DIARY_DAYS - 1
    assert analysis.factors
    assert {r.finding for r in analysis.factors} == {"not_enough_data"}
    assert all(r.effect is None and r.ci95 is None for r in analysis.factors)
    assert "needs at least 14" in analysis.factors[0].text


def test_too_few_days_with_the_factor_has_not_enough_data(diary_maker: Maker) -> None:
    """Fewer than MIN_DAYS_EACH days with the factor: not_enough_data for it, with the counts."""
    diary = diary_maker(2, 60)
    for i, entry in enumerate(diary):
        entry["activities"] = ["swimming"] if i < MIN_DAYS_EACH - 1 else []
    found = result(analyse_diary(diary), "activity:swimming")
    assert (found.finding, found.n_with, found.n_without) == ("not_enough_data", MIN_DAYS_EACH - 1, 61 - MIN_DAYS_EACH)
    assert found.effect is None
    assert "4 days with, 56 without; at least 5 of each are needed" in found.text


def test_a_gap_in_the_dates_never_pairs_non_consecutive_days() -> None:
    """Next-day pairs need the next calendar day in the diary: a diary of every other day has none."""
    start = dt.date(2024, 1, 1)
    diary = [{"date": (start + dt.timedelta(days=2 * i)).isoformat(), "leg_nrs": 9 if i % 2 else 1,
              "sitting_hours": 8 if i % 2 == 0 else 2} for i in range(40)]
    analysis = analyse_diary(diary)
    same_day, next_day = result(analysis, "sitting_over_6h", lag=0), result(analysis, "sitting_over_6h", lag=1)
    assert (same_day.n_with, same_day.n_without) == (20, 20)
    assert (next_day.n_with, next_day.n_without, next_day.finding) == (0, 0, "not_enough_data")


def test_next_day_pairs_skip_a_missing_day() -> None:
    """One missing day removes exactly the one pair that would have crossed it."""
    start = dt.date(2024, 1, 1)
    diary = [{"date": (start + dt.timedelta(days=i)).isoformat(), "leg_nrs": i % 7, "stress": 8 if i % 3 else 2}
             for i in range(30) if i != 10]
    found = result(analyse_diary(diary), "high_stress", lag=1)
    assert found.n_with + found.n_without == 27  # 29 entries: no next day for day 9 (missing 10) or day 29


def test_days_without_a_field_are_left_out_of_that_factor(diary_maker: Maker) -> None:
    """A field not recorded on a day leaves that day out of its factor, and back pain only appears if recorded."""
    diary = diary_maker(3, 40)
    for i, entry in enumerate(diary):
        entry.pop("back_nrs")
        if i % 4 == 0:
            entry.pop("sitting_hours")
            entry.pop("activities")
    analysis = analyse_diary(diary)
    assert {r.outcome for r in analysis.factors} == {"leg_nrs"}
    sitting = result(analysis, "sitting_over_6h")
    assert sitting.n_with + sitting.n_without == 30
    driving = result(analysis, "activity:driving")
    assert driving.n_with + driving.n_without == 30


def test_every_factor_outcome_and_lag_is_reported_in_a_stable_order(diary_maker: Maker) -> None:
    """Five numeric factors, then activities and medications by name; leg before back; lag 0 before 1."""
    analysis = analyse_diary(diary_maker(4, 30))
    factors = list(dict.fromkeys(r.factor for r in analysis.factors))
    assert factors == ["sitting_over_6h", "sleep_under_6h", "poor_sleep_quality", "high_stress", "walked_30min",
                       "activity:driving", "activity:gardening", "activity:lifting", "activity:yoga",
                       "medication:ibuprofen", "medication:paracetamol"]
    assert [(r.outcome, r.lag_days) for r in analysis.factors[:4]] == [
        ("leg_nrs", 0), ("leg_nrs", 1), ("back_nrs", 0), ("back_nrs", 1)]
    assert len(analysis.factors) == 11 * 4


def test_json_shape(diary_maker: Maker) -> None:
    """The answer's JSON: days and one object per result with exactly the contract's keys."""
    doc = analyse_diary(diary_maker(5, 60, plant=sat_long_yesterday)).to_json()
    assert set(doc) == {"days", "factors"}
    assert doc["days"] == 60
    keys = {"factor", "outcome", "lag_days", "effect", "ci95", "n_with", "n_without", "finding", "text"}
    for item in doc["factors"]:
        assert set(item) == keys
        assert (item["effect"] is None) == (item["ci95"] is None) == (item["finding"] == "not_enough_data")
        if item["ci95"] is not None:
            assert isinstance(item["ci95"], list)
            assert len(item["ci95"]) == 2


def test_text_states_an_association_with_its_numbers_and_never_a_cause(diary_maker: Maker) -> None:
    """The sentence carries the effect, the interval and the days, in association words only."""
    found = result(analyse_diary(diary_maker(6, 120, plant=sat_long_yesterday)), "sitting_over_6h", lag=1)
    assert found.effect is not None
    assert found.ci95 is not None
    expected = (f"On days after you sat more than 6 hours, your leg pain was about {found.effect:.1f} points higher "
                f"({found.ci95[0]:.1f} to {found.ci95[1]:.1f}), from {found.n_with + found.n_without} days.")
    assert found.text.startswith(expected)
    assert "not proof that one causes the other" in found.text


def test_no_sentence_claims_a_cause(diary_maker: Maker) -> None:
    """Across findings of every kind, no sentence says a factor causes, triggers or worsens the pain."""
    diaries = [diary_maker(seed, 90, plant=sat_long_yesterday) for seed in range(5)]
    texts = [r.text for diary in diaries for r in analyse_diary(diary).factors]
    banned = re.compile(r"\b(caused?|triggers?|makes?|worsens?|due to|because of)\b", re.IGNORECASE)
    for text in texts:
        assert not banned.search(text.replace("not proof that one causes the other", "")), text


def test_benjamini_hochberg_matches_a_worked_example() -> None:
    """q values for a textbook list of p values (monotone, capped at 1, in the given order)."""
    q = _benjamini_hochberg([0.01, 0.04, 0.03, 0.005, 0.5])
    assert q == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.5])


@pytest.mark.parametrize(("df", "t"), [(1, 12.7062), (2, 4.3027), (5, 2.5706), (10, 2.2281), (30, 2.0423),
                                       (1000, 1.9623)])
def test_t_quantiles_match_the_tables(df: float, t: float) -> None:
    """The 97.5 % t quantile matches printed tables; the p value at it is 0.05."""
    assert quantile_975(df) == pytest.approx(t, abs=1e-4)
    assert two_sided_p(quantile_975(df), df) == pytest.approx(0.05, abs=1e-9)


def test_inflation_only_widens() -> None:
    """Bartlett's factor is 1 for independent or opposite series and grows with shared persistence, capped."""
    assert inflation(0.0, 0.9) == 1.0
    assert inflation(-0.5, 0.5) == 1.0
    assert inflation(0.5, 0.5) == pytest.approx(1.25 / 0.75)
    assert inflation(1.0, 1.0) == pytest.approx(1.8 / 0.2)
