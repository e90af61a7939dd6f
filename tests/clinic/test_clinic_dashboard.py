"""The clinic dashboard: per-episode facts kept by `episode_outcomes`, aggregates checked against a small cohort
computed by hand, filters, the traditional categories beside the responder analysis, the de-identified CSV, access."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse

from sciatica_care.clinic import dashboard_stats, records
from sciatica_care.clinic.models import AuditEvent, Clinic, Episode, EpisodeOutcome, Role
from sciatica_care.outcomes import wilson_interval

pytestmark = pytest.mark.django_db

# (cause, phase, STarT Back, EA, massage, responder, sessions to response, leg NRS, ODI, category, opened, lead)
COHORT = [
    ("disc_herniation", "acute", "low", True, False, True, 4, (8, 3), (60.0, 20.0), "markedly_improved",
     dt.date(2026, 1, 10), "prac"),
    ("disc_herniation", "acute", "medium", True, True, True, 6, (7, 4), (40.0, 30.0), "ineffective",
     dt.date(2026, 2, 10), "prac"),
    ("disc_herniation", "chronic", "high", False, True, False, None, (6, 6), (50.0, 50.0), "ineffective",
     dt.date(2026, 3, 10), "prac"),
    ("piriformis_syndrome", "chronic", "low", False, False, None, None, (5, None), (30.0, None), "",
     dt.date(2026, 4, 10), "prac"),
    ("piriformis_syndrome", "acute", "medium", True, False, True, 5, (9, 1), (80.0, 4.0), "cured",
     dt.date(2026, 5, 10), "admin"),
]


def _episode(clinic: Clinic, patient: Any, opened_on: dt.date | None = None, **columns: Any) -> Episode:
    """An episode whose dashboard row carries `columns` (as if its records had given them)."""
    episode = Episode.objects.create(clinic=clinic, patient=patient, **({"opened_on": opened_on} if opened_on else {}))
    EpisodeOutcome.objects.filter(episode=episode).update(**columns)
    return episode


@pytest.fixture
def cohort(make_staff: Any) -> dict[str, Any]:
    clinic = Clinic.objects.create(name="Cohort clinic")
    staff = {"prac": make_staff(clinic, Role.PRACTITIONER, "cohort_prac"),
             "admin": make_staff(clinic, Role.CLINIC_ADMIN, "cohort_admin"),
             "reception": make_staff(clinic, Role.RECEPTION, "cohort_recep")}
    patient = records.create_patient(staff["prac"], first_name="Zelda", last_name="Quinton",
                                     date_of_birth=dt.date(1971, 7, 9), phone="07700 900123",
                                     email="zelda@example.org", consent_data_use=True)
    for cause, phase, band, ea, massage, resp, sts, leg, odi, cat, opened, lead in COHORT:
        _episode(clinic, patient, opened_on=opened, top_cause=cause,
                 phase_at_intake=phase, startback_band=band, ea_used=ea, massage_used=massage,
                 sessions=6, lead_practitioner=staff[lead], baseline_leg_nrs=leg[0],
                 latest_leg_nrs=leg[1], baseline_odi=odi[0], latest_odi=odi[1], responder=resp,
                 sessions_to_response=sts, odi_category=cat)
    # Another clinic's responder must never count here.
    other = Clinic.objects.create(name="Elsewhere")
    other_prac = make_staff(other, Role.PRACTITIONER, "elsewhere")
    other_patient = records.create_patient(other_prac, first_name="O", last_name="Ther",
                                           date_of_birth=dt.date(1970, 1, 1))
    _episode(other, other_patient, top_cause="disc_herniation", responder=True, sessions_to_response=1,
             baseline_leg_nrs=9, latest_leg_nrs=0)
    return {"clinic": clinic, **staff}


def _rows(d: dashboard_stats.Dashboard, title: str) -> dict[str, dashboard_stats.Row]:
    return {r.label: r for t, rows in d.breakdowns if t == title for r in rows}


def test_aggregates_match_the_hand_computed_cohort(cohort: dict[str, Any]) -> None:
    d = dashboard_stats.compute(cohort["clinic"].pk, dashboard_stats.Filters())
    o = d.overall
    assert (o.n, o.evaluable, o.responders) == (5, 4, 3)
    assert o.rate == 0.75
    assert o.interval == wilson_interval(3, 4)
    assert o.median_sessions == 5.0                      # of 4, 6, 5
    assert o.mean_leg_change == pytest.approx(-4.0)      # (-5 - 3 + 0 - 8) / 4
    assert o.mean_odi_change == pytest.approx(-31.5)     # (-40 - 10 + 0 - 76) / 4
    cause = _rows(d, "Likely cause (top at intake)")
    disc, piri = cause["Disc herniation"], cause["Piriformis syndrome"]
    assert (disc.n, disc.evaluable, disc.responders, disc.median_sessions) == (3, 3, 2, 5.0)  # (4 + 6) / 2
    assert disc.mean_leg_change == pytest.approx(-8 / 3)
    assert (piri.n, piri.evaluable, piri.responders, piri.median_sessions) == (2, 1, 1, 5.0)
    assert piri.mean_odi_change == pytest.approx(-76.0)
    ea = _rows(d, "Electroacupuncture")
    assert (ea["yes"].evaluable, ea["yes"].responders, ea["yes"].rate) == (3, 3, 1.0)
    assert ea["yes"].mean_leg_change == pytest.approx(-16 / 3)
    assert (ea["no"].n, ea["no"].evaluable, ea["no"].responders, ea["no"].median_sessions) == (2, 1, 0, None)
    massage = _rows(d, "Massage")
    assert (massage["yes"].n, massage["yes"].responders) == (2, 1)
    phase = _rows(d, "Phase at intake")
    assert (phase["Acute"].n, phase["Acute"].responders, phase["Acute"].median_sessions) == (3, 3, 5.0)
    band = _rows(d, "STarT Back group")
    assert (band["Low"].n, band["Medium"].responders, band["High"].rate) == (2, 2, 0.0)
    assert {label: n for label, _, n in d.categories} == {"cured": 1, "markedly improved": 1, "improved": 0,
                                                        "ineffective": 2}
    assert d.categorised == 4


def test_filters(cohort: dict[str, Any]) -> None:
    clinic = cohort["clinic"].pk
    assert dashboard_stats.compute(clinic, dashboard_stats.Filters(cause="piriformis_syndrome")).overall.n == 2
    by_admin = dashboard_stats.compute(clinic, dashboard_stats.Filters(practitioner_id=cohort["admin"].pk)).overall
    assert (by_admin.n, by_admin.responders, by_admin.median_sessions) == (1, 1, 5.0)
    spring = dashboard_stats.compute(clinic, dashboard_stats.Filters(date_from=dt.date(2026, 2, 1),
                                                         date_to=dt.date(2026, 4, 30))).overall
    assert (spring.n, spring.evaluable, spring.responders, spring.median_sessions) == (3, 2, 1, 6.0)


def test_dashboard_is_sql_aggregation(cohort: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    """A fixed number of queries whatever the number of episodes or visits (no Python loop over visits)."""
    with django_assert_max_num_queries(40):
        dashboard_stats.compute(cohort["clinic"].pk, dashboard_stats.Filters())


def test_page_csv_and_access(cohort: dict[str, Any], login: Any) -> None:
    client = login(cohort["admin"])
    page = client.get(reverse("clinic:dashboard")).content.decode()
    assert "75 %" in page
    assert "3 of n = 4" in page
    assert "Traditional categories" in page
    assert "reduced by at least 60% but under 90%" in page
    assert "only beside the responder analysis" in page
    r = client.get(reverse("clinic:dashboard_csv") + "?cause=disc_herniation")
    assert r["Content-Type"].startswith("text/csv")
    text = r.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    assert set(rows[0]) == set(dashboard_stats.CSV_COLUMNS)
    for secret in ("Zelda", "Quinton", "1971", "07700", "example.org", "2026-"):
        assert secret not in text
    ids = {row["episode"] for row in rows}
    assert len(ids) == 3
    assert not ids & {str(e.pk) for e in Episode.objects.all()}
    assert AuditEvent.objects.filter(action="export_analysis", actor=cohort["admin"]).exists()
    assert login(cohort["prac"]).get(reverse("clinic:dashboard")).status_code == 200
    assert login(cohort["reception"]).get(reverse("clinic:dashboard")).status_code == 403
    assert login(cohort["reception"]).get(reverse("clinic:dashboard_csv")).status_code == 403


def test_records_keep_the_episode_facts(world: dict[str, Any]) -> None:
    """Intake, visits and a self-completed score keep the dashboard columns up to date."""
    from clinic_fixtures import base_intake

    a = world["a"]
    episode = records.open_episode(a["practitioner"], a["patient"])
    plan = records.record_intake(a["practitioner"], episode, base_intake())
    start = dt.date(2026, 2, 2)
    for i, leg in enumerate([8, 7, 4, 3]):
        records.chart_visit(a["practitioner"], episode, plan,
                            {"red_flags_rechecked": True, "date": start + dt.timedelta(weeks=i), "leg_nrs": leg,
                             "ea_pairs": [["GB30", "BL40"]] if i == 0 else []},
                            questionnaires={"odi": [3] * 10} if i == 0 else None)
    e = EpisodeOutcome.objects.get(episode=episode)
    assert (e.top_cause, e.phase_at_intake, e.sessions, e.lead_practitioner) == (
        "disc_herniation", "acute", 4, a["practitioner"])
    assert (e.ea_used, e.massage_used) == (True, False)
    assert (e.baseline_leg_nrs, e.latest_leg_nrs) == (8, 3)
    assert e.responder is True
    assert e.sessions_to_response == 4
    assert (e.baseline_odi, e.latest_odi, e.odi_category) == (60.0, None, "")
    _, token = records.create_questionnaire_link(a["practitioner"], episode, "odi")
    records.complete_questionnaire_link(token, [1] * 10)
    e.refresh_from_db()
    assert (e.latest_odi, e.odi_category) == (20.0, "markedly_improved")


def test_rebuild_fills_the_rows_of_existing_episodes(world: dict[str, Any]) -> None:
    """`episode_outcomes.rebuild_all` recomputes what the write path keeps, a missing row included."""
    from sciatica_care.clinic import episode_outcomes

    EpisodeOutcome.objects.update(top_cause="", sessions=0, baseline_leg_nrs=None, lead_practitioner=None)
    EpisodeOutcome.objects.filter(episode=world["b"]["episode"]).delete()
    assert episode_outcomes.rebuild_all() == 2
    assert EpisodeOutcome.objects.count() == 2
    e = EpisodeOutcome.objects.get(episode=world["a"]["episode"])
    assert (e.top_cause, e.sessions, e.baseline_leg_nrs, e.lead_practitioner) == (
        "disc_herniation", 1, 5, world["a"]["practitioner"])
    assert e.responder is None  # one measurement: not yet evaluable


def test_one_query_whatever_the_number_of_groups(cohort: dict[str, Any],
                                                    django_assert_num_queries: Any) -> None:
    """One GROUP BY gives the counts, means and medians of every group of every dimension."""
    with django_assert_num_queries(1):
        dashboard_stats.compute(cohort["clinic"].pk, dashboard_stats.Filters())


def test_a_filter_that_matches_nothing(cohort: dict[str, Any]) -> None:
    d = dashboard_stats.compute(cohort["clinic"].pk, dashboard_stats.Filters(cause="no_such_cause"))
    o = d.overall
    assert (o.n, o.evaluable, o.responders, o.rate, o.median_sessions, o.mean_leg_change) == (0, 0, 0, None, None,
                                                                                              None)
    assert [rows for _, rows in d.breakdowns] == [[], [], [], [], []]
    assert d.categorised == 0


def test_medians_and_means_match_a_plain_computation(make_staff: Any) -> None:
    """A random clinic (odd and even groups, ties, groups with no responder) against the figures computed one
    episode at a time in Python."""
    import random
    import statistics

    rng = random.Random(7)  # noqa: S311 - test data
    clinic = Clinic.objects.create(name="Random clinic")
    prac = make_staff(clinic, Role.PRACTITIONER, "random_prac")
    patient = records.create_patient(prac, first_name="R", last_name="Andom", date_of_birth=dt.date(1980, 1, 1))
    rows = []
    for _ in range(157):
        responder = rng.choice([True, False, None])
        leg = rng.choice([None, (rng.randint(3, 10), rng.randint(0, 10)), (rng.randint(3, 10), None)])
        odi = rng.choice([None, (rng.choice([20.0, 44.0, 60.0]), rng.choice([0.0, 12.0, 30.0, 64.0]))])
        episode = Episode.objects.create(clinic=clinic, patient=patient,
                                         opened_on=dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300)))
        rows.append(EpisodeOutcome(
            episode=episode, clinic=clinic, opened_on=episode.opened_on,
            top_cause=rng.choice(["disc_herniation", "piriformis_syndrome", "spinal_stenosis", ""]),
            phase_at_intake=rng.choice(["acute", "subacute", "chronic"]),
            startback_band=rng.choice(["low", "high", ""]),
            ea_used=rng.random() < 0.3, massage_used=rng.random() < 0.6, responder=responder,
            sessions_to_response=rng.randint(2, 12) if responder else None,
            baseline_leg_nrs=leg[0] if leg else None, latest_leg_nrs=leg[1] if leg else None,
            baseline_odi=odi[0] if odi else None, latest_odi=odi[1] if odi else None,
            odi_category=rng.choice(["", "cured", "improved", "ineffective"])))
    EpisodeOutcome.objects.filter(clinic=clinic).delete()
    EpisodeOutcome.objects.bulk_create(rows)
    d = dashboard_stats.compute(clinic.pk, dashboard_stats.Filters(date_from=dt.date(2026, 2, 1)))
    chosen = [e for e in rows if e.opened_on >= dt.date(2026, 2, 1)]

    def check(row: dashboard_stats.Row, group: list[EpisodeOutcome]) -> None:
        sessions = [e.sessions_to_response for e in group if e.responder and e.sessions_to_response is not None]
        legs = [e.latest_leg_nrs - e.baseline_leg_nrs for e in group if e.latest_leg_nrs is not None]
        odis = [e.latest_odi - e.baseline_odi for e in group if e.latest_odi is not None]
        assert (row.n, row.evaluable, row.responders) == (
            len(group), sum(e.responder is not None for e in group), sum(e.responder is True for e in group))
        assert row.median_sessions == (statistics.median(sessions) if sessions else None)
        assert row.mean_leg_change == (pytest.approx(statistics.mean(legs)) if legs else None)
        assert row.mean_odi_change == (pytest.approx(statistics.mean(odis)) if odis else None)

    check(d.overall, chosen)
    for (dimension, _), (_, rows) in zip(dashboard_stats.DIMENSIONS, d.breakdowns, strict=True):
        values = sorted({getattr(e, dimension) for e in chosen})
        assert [r.label for r in rows] == [dashboard_stats._label(dimension, v) for v in values]
        for value, row in zip(values, rows, strict=True):
            check(row, [e for e in chosen if getattr(e, dimension) == value])
    categories = {label: n for label, _, n in d.categories}
    assert categories["cured"] == sum(e.odi_category == "cured" for e in chosen)
    assert d.categorised == sum(e.odi_category != "" for e in chosen)
