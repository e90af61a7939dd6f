"""The dashboard's per-episode columns move from `Episode` to their own table, `EpisodeOutcome` (one row per
episode, written only by `clinic/episode_outcomes.py`, updated incrementally with each write).

The rows are filled from the records already stored: the first plan's top cause and phase are copied from the
episode's columns (they come from the first plan, which never changes), or read from the first plan when those are
empty (a database migrated from before 0004, whose backfill no longer runs); everything else is folded from the
episode's visits and scores with `episode_outcomes.Fold`, the same steps the writes take, read a thousand episodes
at a time through this migration's models. Then the old covering index (0006) and the columns go.
"""

import datetime as dt
from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD_COLUMNS = ("top_cause", "phase_at_intake", "startback_band", "ea_used", "massage_used", "sessions",
               "lead_practitioner", "baseline_leg_nrs", "latest_leg_nrs", "baseline_back_nrs", "latest_back_nrs",
               "baseline_odi", "latest_odi", "responder", "sessions_to_response", "odi_category")
OLD_INDEX = ("clinic_id", "top_cause", "phase_at_intake", "startback_band", "ea_used", "massage_used", "odi_category",
             "responder", "sessions_to_response", "baseline_leg_nrs", "latest_leg_nrs", "baseline_odi", "latest_odi",
             "opened_on", "lead_practitioner_id")
BATCH = 1000


def fill(apps: Any, schema_editor: Any) -> None:
    from sciatica_care.clinic.clinical import PlanUnreadable, read_plan
    from sciatica_care.clinic.episode_outcomes import Fold, NewScore, _day_of

    Episode = apps.get_model("clinic", "Episode")
    Visit = apps.get_model("clinic", "Visit")
    OutcomeScore = apps.get_model("clinic", "OutcomeScore")
    EpisodeOutcome = apps.get_model("clinic", "EpisodeOutcome")
    PlanRevision = apps.get_model("clinic", "PlanRevision")
    db = schema_editor.connection.alias
    ids = list(Episode.objects.using(db).order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        folds: dict[int, Fold] = {}
        dates: dict[int, list[dt.date]] = {}
        episodes = Episode.objects.using(db).filter(id__in=batch).values_list(
            "id", "clinic_id", "opened_on", "top_cause", "phase_at_intake")
        meta = {}
        for eid, clinic_id, opened_on, cause, phase in episodes:
            fold = folds[eid] = Fold()
            fold.top_cause, fold.phase = cause, phase
            meta[eid] = (clinic_id, opened_on)
            dates[eid] = []
        unknown = [eid for eid, fold in folds.items() if not fold.top_cause and not fold.phase]
        for eid, plan in (PlanRevision.objects.using(db).filter(episode_id__in=unknown, number=1)
                          .values_list("episode_id", "plan")):
            try:
                assessment = read_plan(plan).assessment
            except PlanUnreadable:
                continue
            if assessment is not None:
                folds[eid].top_cause = assessment.causes[0].id[:60] if assessment.causes else ""
                folds[eid].phase = assessment.phase[:20]
        for eid, vid, day, practitioner, ea, massage in (
                Visit.objects.using(db).filter(episode_id__in=batch).order_by("episode_id", "date", "id")
                .values_list("episode_id", "id", "date", "practitioner_id", "ea_pairs", "massage_done")):
            folds[eid].visit(vid, day, practitioner, ea, massage)
            dates[eid].append(day)
        scores: dict[int, list[NewScore]] = {}
        for eid, sid, measure, instrument, result, at, visit_day in (
                OutcomeScore.objects.using(db).filter(episode_id__in=batch)
                .values_list("episode_id", "id", "measure", "instrument", "result", "recorded_at", "visit__date")):
            scores.setdefault(eid, []).append(
                NewScore(sid, measure or instrument, instrument, result, at, _day_of(visit_day, at)))
        rows = []
        for eid, fold in folds.items():
            for score in sorted(scores.get(eid, []), key=lambda s: (s.day, s.recorded_at, s.id)):
                fold.score(score)
            fold.settle(lambda day, eid=eid: sum(d.isoformat() <= day for d in dates[eid]))
            clinic_id, opened_on = meta[eid]
            rows.append(EpisodeOutcome(episode_id=eid, clinic_id=clinic_id, opened_on=opened_on,
                                       state=fold.state(), **fold.columns()))
        EpisodeOutcome.objects.using(db).bulk_create(rows, batch_size=500)


def unfill(apps: Any, schema_editor: Any) -> None:
    """Back: the columns return to the episodes from the rows."""
    Episode = apps.get_model("clinic", "Episode")
    EpisodeOutcome = apps.get_model("clinic", "EpisodeOutcome")
    db = schema_editor.connection.alias
    names = [c if c != "lead_practitioner" else "lead_practitioner_id" for c in OLD_COLUMNS]
    for row in EpisodeOutcome.objects.using(db).values("episode_id", *names).iterator():
        Episode.objects.using(db).filter(pk=row.pop("episode_id")).update(**row)


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0007_staff_administration'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='EpisodeOutcome',
            fields=[
                ('episode', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='outcome', serialize=False, to='clinic.episode')),
                ('clinic', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='clinic.clinic')),
                ('opened_on', models.DateField()),
                ('top_cause', models.CharField(blank=True, max_length=60)),
                ('phase_at_intake', models.CharField(blank=True, max_length=20)),
                ('startback_band', models.CharField(blank=True, max_length=10)),
                ('ea_used', models.BooleanField(default=False)),
                ('massage_used', models.BooleanField(default=False)),
                ('sessions', models.PositiveIntegerField(default=0)),
                ('lead_practitioner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('baseline_leg_nrs', models.SmallIntegerField(blank=True, null=True)),
                ('latest_leg_nrs', models.SmallIntegerField(blank=True, null=True)),
                ('baseline_back_nrs', models.SmallIntegerField(blank=True, null=True)),
                ('latest_back_nrs', models.SmallIntegerField(blank=True, null=True)),
                ('baseline_odi', models.FloatField(blank=True, null=True)),
                ('latest_odi', models.FloatField(blank=True, null=True)),
                ('responder', models.BooleanField(blank=True, null=True)),
                ('sessions_to_response', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('odi_category', models.CharField(blank=True, max_length=20)),
                ('state', models.JSONField(default=dict)),
            ],
        ),
        migrations.RunPython(fill, unfill),
        migrations.AddIndex(
            model_name='episodeoutcome',
            index=models.Index(fields=['clinic', 'top_cause', 'phase_at_intake', 'startback_band', 'ea_used', 'massage_used', 'odi_category', 'responder', 'sessions_to_response', 'baseline_leg_nrs', 'latest_leg_nrs', 'baseline_odi', 'latest_odi', 'opened_on', 'lead_practitioner'], name='episode_outcome_dashboard_idx'),
        ),
        migrations.AddIndex(
            model_name='episodeoutcome',
            index=models.Index(fields=['clinic', 'top_cause'], name='episode_outcome_cause_idx'),
        ),
        migrations.RunSQL(
            "DROP INDEX clinic_episode_dashboard_idx",
            f"CREATE INDEX clinic_episode_dashboard_idx ON clinic_episode ({', '.join(OLD_INDEX)})",
        ),
        migrations.RemoveIndex(
            model_name='episode',
            name='clinic_epis_clinic__b6168c_idx',
        ),
        *[migrations.RemoveField(model_name='episode', name=name) for name in OLD_COLUMNS],
    ]
