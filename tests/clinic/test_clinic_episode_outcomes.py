"""The dashboard's per-episode rows (`episode_outcomes`): after any sequence of writes the incrementally kept row
equals the row computed the plain way over the whole course (`definition`) and a rebuild; each write does bounded
work (no re-read of the course); real engine plans and scores (examples/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciatica_care.clinic import episode_outcomes, records
from sciatica_care.clinic.models import Clinic, Episode, EpisodeOutcome, Role

pytestmark = pytest.mark.django_db(transaction=False)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The real engine and scorer, captured before any fixture stands them in.




@pytest.fixture
def setting(make_staff: Any) -> dict[str, Any]:
    clinic = Clinic.objects.create(name="Outcome clinic")
    pracs = [make_staff(clinic, Role.PRACTITIONER, f"outcome_prac_{i}") for i in range(2)]
    patient = records.create_patient(pracs[0], first_name="Olive", last_name="Outcome",
                                     date_of_birth=dt.date(1970, 3, 3), sex="female", consent_treatment=True)
    return {"clinic": clinic, "pracs": pracs, "patient": patient,
            "intake": yaml.safe_load((EXAMPLES / "s1-disc-acute.yaml").read_text())}


def _check(episode: Episode) -> None:
    row = EpisodeOutcome.objects.get(episode=episode)
    kept = episode_outcomes.columns_of(row)
    assert kept == episode_outcomes.definition(episode)
    episode_outcomes.rebuild(episode)
    assert episode_outcomes.columns_of(EpisodeOutcome.objects.get(episode=episode)) == kept


VISIT = st.fixed_dictionaries({
    "kind": st.just("visit"),
    "day": st.integers(0, 40),  # days after the course opened: later, same day or back-dated among the others
    "leg": st.one_of(st.none(), st.integers(0, 10)),
    "back": st.one_of(st.none(), st.integers(0, 10)),
    "odi": st.one_of(st.none(), st.integers(0, 5)),
    "startback": st.one_of(st.none(), st.lists(st.integers(0, 1), min_size=9, max_size=9)),
    "ea": st.booleans(), "massage": st.booleans(), "prac": st.integers(0, 1)})
SCORE = st.fixed_dictionaries({
    "kind": st.just("score"), "measure": st.sampled_from(["nrs_leg", "odi", "startback", "nrs_back"]),
    "value": st.integers(0, 10)})
LINK = st.fixed_dictionaries({"kind": st.just("link"), "value": st.integers(0, 5)})
WRITES = st.lists(st.one_of(VISIT, VISIT, VISIT, SCORE, LINK), min_size=1, max_size=14)


def _apply(write: dict[str, Any], episode: Episode, plan: Any, pracs: list[Any], opened: dt.date) -> None:
    prac = pracs[write.get("prac", 0)]
    if write["kind"] == "visit":
        questionnaires: dict[str, list[Any]] = {}
        if write["odi"] is not None:
            questionnaires["odi"] = [write["odi"]] * 10
        if write["startback"] is not None:
            questionnaires["startback"] = write["startback"]
        records.chart_visit(prac, episode, plan, {
            "date": opened + dt.timedelta(days=write["day"]), "red_flags_rechecked": True,
            "leg_nrs": write["leg"], "back_nrs": write["back"],
            "ea_pairs": ["GB30-BL40"] if write["ea"] else [], "massage_done": ["tuina"] if write["massage"] else []},
            questionnaires=questionnaires)
    elif write["kind"] == "score":
        measure, value = write["measure"], write["value"]
        if measure == "odi":
            records.record_score(prac, episode, "odi", [min(value, 5)] * 10)
        elif measure == "startback":
            records.record_score(prac, episode, "startback", [value % 2] * 8 + [min(value, 4)])
        else:
            records.record_score(prac, episode, "nrs", [value], measure=measure)
    else:
        _, token = records.create_questionnaire_link(prac, episode, "odi")
        records.complete_questionnaire_link(token, [write["value"]] * 10)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=WRITES, discharge=st.booleans())
def test_incremental_row_equals_the_full_computation(setting: dict[str, Any], writes: list[dict[str, Any]],
                                                     discharge: bool) -> None:
    pracs = setting["pracs"]
    episode = records.open_episode(pracs[0], setting["patient"])
    opened = timezone.localdate() - dt.timedelta(days=45)
    Episode.objects.filter(pk=episode.pk).update(opened_on=opened)
    EpisodeOutcome.objects.filter(episode=episode).update(opened_on=opened)
    episode.refresh_from_db()
    plan = records.record_intake(pracs[0], episode, setting["intake"])
    for write in writes:
        _apply(write, episode, plan, pracs, opened)
        _check(episode)
    if discharge:
        episode.refresh_from_db()
        records.discharge_episode(pracs[0], episode, episode.version, timezone.localdate())
        _check(episode)


def test_a_long_course_reaches_responder_and_counts_sessions(setting: dict[str, Any]) -> None:
    pracs = setting["pracs"]
    episode = records.open_episode(pracs[1], setting["patient"])
    plan = records.record_intake(pracs[1], episode, setting["intake"])
    start = timezone.localdate() - dt.timedelta(days=30)
    for i, leg in enumerate([8, 8, 7, 4, 3, 3]):
        records.chart_visit(pracs[1 if i % 2 == 0 else 0], episode, plan,
                            {"date": start + dt.timedelta(days=3 * i), "red_flags_rechecked": True, "leg_nrs": leg})
    row = EpisodeOutcome.objects.get(episode=episode)
    assert (row.sessions, row.baseline_leg_nrs, row.latest_leg_nrs, row.responder) == (6, 8, 3, True)
    assert row.sessions_to_response == 5  # 4 then 3: the second improved day in a row
    assert row.lead_practitioner_id == pracs[1].pk
    assert row.top_cause
    assert row.phase_at_intake
    _check(episode)


def test_a_save_does_not_read_the_course_again(setting: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    """The row's update costs the same few queries for a course of 3 sessions and one of 30 (no Visit or
    OutcomeScore SELECT over the course)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pracs = setting["pracs"]
    episode = records.open_episode(pracs[0], setting["patient"])
    plan = records.record_intake(pracs[0], episode, setting["intake"])
    start = timezone.localdate() - dt.timedelta(days=70)
    counts = []
    for i in range(30):
        with CaptureQueriesContext(connection) as captured:
            records.chart_visit(pracs[0], episode, plan, {"date": start + dt.timedelta(days=2 * i),
                                                          "red_flags_rechecked": True, "leg_nrs": 7},
                                questionnaires={"odi": [2] * 10})
        reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")
                 and ('FROM "clinic_visit"' in q["sql"] or 'FROM "clinic_outcomescore"' in q["sql"])]
        counts.append(len(captured.captured_queries))
        assert not reads, reads
    assert len(set(counts[2:])) == 1, counts
    _check(episode)


def test_every_new_episode_has_its_row(setting: dict[str, Any]) -> None:
    from sciatica_care.clinic import dashboard_stats

    episode = Episode.objects.create(clinic=setting["clinic"], patient=setting["patient"])
    assert EpisodeOutcome.objects.filter(episode=episode, clinic=setting["clinic"],
                                         opened_on=episode.opened_on).exists()
    assert dashboard_stats.compute(setting["clinic"].pk, dashboard_stats.Filters()).overall.n == 1


def test_without_the_incremental_update_the_dashboard_is_stale(setting: dict[str, Any],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """H79: the row is what the dashboard counts; a write that skipped it would show stale outcomes."""
    pracs = setting["pracs"]
    episode = records.open_episode(pracs[0], setting["patient"])
    plan = records.record_intake(pracs[0], episode, setting["intake"])
    monkeypatch.setattr(episode_outcomes, "visit_charted", lambda *a, **k: None)
    records.chart_visit(pracs[0], episode, plan, {"red_flags_rechecked": True, "leg_nrs": 6})
    row = EpisodeOutcome.objects.get(episode=episode)
    assert episode_outcomes.columns_of(row) != episode_outcomes.definition(episode)


def test_fill_missing_gives_the_rows_the_writes_keep(setting: dict[str, Any]) -> None:
    """The batched fill (bench generator) equals the rows kept by the writes."""
    pracs = setting["pracs"]
    episode = records.open_episode(pracs[0], setting["patient"])
    plan = records.record_intake(pracs[0], episode, setting["intake"])
    start = timezone.localdate() - dt.timedelta(days=20)
    for i, leg in enumerate([9, 6, 4, 2]):
        records.chart_visit(pracs[i % 2], episode, plan, {"date": start + dt.timedelta(days=4 * i),
                                                          "red_flags_rechecked": True, "leg_nrs": leg},
                            questionnaires={"odi": [4 - i] * 10})
    kept = episode_outcomes.columns_of(EpisodeOutcome.objects.get(episode=episode))
    EpisodeOutcome.objects.filter(episode=episode).delete()
    assert episode_outcomes.fill_missing() == 1
    assert episode_outcomes.columns_of(EpisodeOutcome.objects.get(episode=episode)) == kept
    assert kept == episode_outcomes.definition(episode)
