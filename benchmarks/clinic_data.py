"""Generate a big clinic for the clinic benchmarks: 10,000 patients, 100,000 charted visits.

Uses the app's own settings (`sciatica_care.site.settings`, read from the environment exactly as `sciatica-care
serve` does) and its own migrations, then fills the database with `bulk_create` in batches:

- one clinic, 20 practitioners (bench01…bench20, the load test's logins), an admin and a receptionist;
- 10,000 patients, each with one course of care (a fifth have an older, closed one too);
- per episode an intake and the engine's plan for it (a tenth have a re-assessment: a second intake and plan);
  the plans are REAL engine output: a pool of one plan per `--patients-per-plan` patients (default 250, so 40
  intake/plan pairs), each episode drawing one from the pool with a seeded RNG;
- exactly `--visits` charted sessions (default 100,000) spread over the treatable episodes, with ODI scores
  every few sessions (scored by the real scorer), and an audit "create" event for every record;
- with `--charted-scores`, also what the charting form stores beside a visit (`records.chart_visit`): the leg and
  back NRS of every visit as scores (`nrs_leg`, `nrs_back`) and a STarT Back at the first visit of most courses;
- every episode's dashboard row (`EpisodeOutcome`: top cause, phase, STarT Back group, EA/massage used, baseline
  and latest NRS and ODI, responder, sessions to response, ODI category…), filled after the inserts by
  `episode_outcomes.fill_missing` (the same fold as the writes), then checked against `episode_outcomes.definition`
  on a sample of episodes (`--check-summary`, default 200).

SQLite (default): the database is `DATA_DIR/clinic.sqlite3`, as the app puts it.

    python benchmarks/clinic_data.py --data-dir /tmp/scbench-sqlite [--force]

PostgreSQL: `DATABASE_URL` names a dedicated database (its name must contain "bench"); the script drops and
creates it (connecting to the server's `postgres` database for that), then migrates and fills it.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sciatica_bench \\
        python benchmarks/clinic_data.py --data-dir /tmp/scbench-pg --force
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sciatica_bench python benchmarks/clinic_data.py --drop

Writes `DATA_DIR/bench_manifest.json` (logins, ids and request material for clinic_load.py) and prints the
generation time, phase by phase.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

BENCH_PASSWORD = "bench-sciatica-password-2026"  # noqa: S105 - benchmark logins on a throwaway database
MANIFEST = "bench_manifest.json"
PROTECTED_DATABASES = {"postgres", "template0", "template1", "test", "root"}


# --------------------------------------------------------------------------------------------- database set-up
def _pg_admin_url(url: str) -> tuple[str, str]:
    """(URL of the server's maintenance database, name of the bench database) for a DATABASE_URL."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing a database that is not on loopback: {parsed.hostname}")
    if not name or name in PROTECTED_DATABASES or "bench" not in name:
        raise SystemExit(f"refusing to drop/create database {name!r}: use a dedicated name containing 'bench'")
    return urlunparse(parsed._replace(path="/postgres")), name


def pg_recreate(url: str, *, create: bool = True) -> None:
    import psycopg
    from psycopg import sql

    admin, name = _pg_admin_url(url)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(data_dir: Path) -> None:
    """Point the app's settings at `data_dir` (and DATABASE_URL, if set) as `sciatica-care serve` does."""
    from sciatica_care.site.paths import ensure_secret_key

    os.environ["SCIATICA_CARE_DATA_DIR"] = str(data_dir)
    if not os.environ.get("SCIATICA_CARE_SECRET_KEY"):
        ensure_secret_key(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciatica_care.site.settings")
    import django

    django.setup()


# ------------------------------------------------------------------------------------------------- the shape
def plan_pool(size: int, rng: random.Random) -> list[dict[str, Any]]:
    """`size` real intake/plan pairs from the engine: mostly treatable, about one in 20 a red-flag referral."""
    from generated_intakes import generate

    from sciatica_care import plan_for
    from sciatica_care.errors import InputRefused

    want_referrals = size // 20
    treatable: list[dict[str, Any]] = []
    referrals: list[dict[str, Any]] = []
    for intake in generate(size * 8, seed=rng.randrange(2**31)):
        try:
            plan = plan_for(intake)
        except InputRefused:
            continue
        entry = {"intake": intake, "plan": plan, "treatable": bool(plan.get("treatment_allowed"))}
        if entry["treatable"] and plan["acupuncture"].get("points"):
            if len(treatable) < size - want_referrals:
                treatable.append(entry)
        elif not entry["treatable"] and len(referrals) < want_referrals:
            referrals.append(entry)
        if len(treatable) + len(referrals) == size:
            break
    pool = treatable + referrals
    if len(pool) < size:
        raise SystemExit(f"only {len(pool)} usable intakes for a pool of {size}")
    rng.shuffle(pool)
    for entry in pool:
        plan = entry["plan"]
        ea, massage = plan.get("electroacupuncture", {}), plan.get("massage", {})
        entry["visit"] = {
            "points": [{"code": p["code"], "side": p.get("side", "")} for p in plan["acupuncture"].get("points", [])],
            "ea_pairs": ea.get("pairs", []) if ea.get("allowed") else [],
            "ea_frequency_hz": str(ea.get("frequency_hz") or "") if ea.get("allowed") else "",
            "ea_minutes": ea.get("minutes") if ea.get("allowed") else None,
            "massage_done": massage.get("techniques", [])[:2] if massage.get("allowed") else [],
            "cupping": bool(plan.get("cupping", {}).get("allowed")),
        }
    return pool


def allocate(total: int, n: int, rng: random.Random) -> list[int]:
    """`total` split over `n` buckets, unevenly (0.25x to 1.75x the mean) but summing exactly to `total`."""
    weights = [rng.uniform(0.25, 1.75) for _ in range(n)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in rng.sample(range(n), total - sum(counts)):
        counts[i] += 1
    return counts


FIRST = ["Olivia", "James", "Amelia", "Noah", "Isla", "Oliver", "Ava", "George", "Mia", "Leo", "Grace", "Arthur",
         "Freya", "Harry", "Lily", "Jack", "Sofia", "Thomas", "Emily", "Oscar", "Ella", "Charlie", "Ruby", "Henry",
         "Chloe", "William", "Zara", "Theo", "Maya", "Finn", "Aisha", "Mateo", "Hana", "Kofi", "Ines", "Ravi"]
LAST = ["Patel", "Evans", "Nowak", "Hughes", "Kowalski", "Ahmed", "Murphy", "Chen", "Davies", "Silva", "Walsh",
        "Ibrahim", "Baker", "Rossi", "Kelly", "Singh", "Wright", "Moreau", "Clarke", "Haddad", "Price", "Novak",
        "Turner", "Costa", "Reid", "Yilmaz", "Hall", "Dubois", "Ward", "Sato", "Okafor", "Lindqvist", "Mensah",
        "Fernandes", "Kaur", "Byrne", "Horvat", "Nakamura", "Osei", "Petrov"]
SUBJECTIVE = ["Sleeping better.", "Sitting still hurts after 30 minutes.", "Leg pain less sharp.",
              "Back stiff in the mornings.", "Walked 20 minutes.", "Flare-up after gardening.", "Much the same."]
OBJECTIVE = ["SLR improved by 10°.", "Less guarding.", "Tender at piriformis, less than before.",
             "Gait normal.", "Reduced lumbar flexion."]


def check_summary(sample: int, rng: random.Random) -> int:
    """Compare the dashboard rows (`episode_outcomes.fill_missing`, the same fold as the writes) with
    `episode_outcomes.definition` (the plain computation over each course) on `sample` random episodes, the
    longest courses included; raises SystemExit on any difference."""
    from sciatica_care.clinic import episode_outcomes
    from sciatica_care.clinic.models import Episode, EpisodeOutcome

    if sample <= 0:
        return 0
    ids = list(Episode.objects.order_by("id").values_list("id", flat=True))
    chosen = set(rng.sample(ids, min(sample, len(ids))))
    chosen |= set(EpisodeOutcome.objects.order_by("-sessions").values_list("episode_id", flat=True)[:5])
    for episode in Episode.objects.filter(pk__in=chosen).select_related("outcome"):
        want = episode_outcomes.definition(episode)
        have = episode_outcomes.columns_of(episode.outcome)
        if have != want:
            diff = {k: (have[k], want[k]) for k in want if have[k] != want[k]}
            raise SystemExit(f"episode {episode.pk}: dashboard row differs from episode_outcomes.definition "
                             f"(row, definition): {diff}")
    return len(chosen)


def startback_results(rng: random.Random) -> list[tuple[list[int], dict[str, Any]]]:
    """STarT Back answer sets across the three groups with the real scorer's result (reused across the data)."""
    from sciatica_care import score

    out = []
    for _ in range(24):
        answers = [rng.randint(0, 1) for _ in range(8)] + [rng.randint(0, 4)]
        out.append((answers, score("startback", answers)))
    return out


def odi_results(rng: random.Random) -> list[tuple[list[int], dict[str, Any]]]:
    """ODI answer sets at each level 0..5 with the real scorer's result (reused across the data)."""
    from sciatica_care import score

    out = []
    for level in range(6):
        for _ in range(4):
            answers = [max(0, min(5, level + rng.choice([-1, 0, 0, 1]))) for _ in range(10)]
            out.append((answers, score("odi", answers)))
    return out


# ------------------------------------------------------------------------------------------------ generation
def generate(args: argparse.Namespace, data_dir: Path, timings: dict[str, float]) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.db.models import JSONField, Value
    from django.utils import timezone

    from sciatica_care import score
    from sciatica_care.clinic.models import (
        AuditEvent,
        Clinic,
        Episode,
        Intake,
        OutcomeScore,
        Patient,
        PlanRevision,
        Role,
        Staff,
        Visit,
    )

    rng = random.Random(args.seed)  # noqa: S311 - reproducible benchmark data, not a secret
    t0 = time.perf_counter()
    pool = plan_pool(math.ceil(args.patients / args.patients_per_plan), rng)
    for entry in pool:
        entry["plan_db"], entry["intake_db"] = entry["plan"], entry["intake"]
        if connection.vendor == "postgresql":
            # Django 5.2 bulk-inserts through UNNEST(text[]) on PostgreSQL, and psycopg escapes every quote of a
            # 30 KB plan in Python to build that array (3x slower). An expression value makes Django use plain
            # VALUES (%s, …) for the batch instead.
            entry["plan_db"] = Value(entry["plan"], output_field=JSONField())
            entry["intake_db"] = Value(entry["intake"], output_field=JSONField())
    odi = odi_results(rng)
    # --charted-scores draws from a generator of its own, so that the rest of the data stay as without it.
    rng_scores = random.Random(args.seed + 1)  # noqa: S311 - reproducible benchmark data, not a secret
    startback = startback_results(rng_scores) if args.charted_scores else []
    nrs = {v: score("nrs", [v]) for v in range(11)}
    timings["engine plans and scores (pool)"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    today = timezone.localdate()
    tz = dt.UTC
    with transaction.atomic():
        clinic = Clinic.objects.create(name="Bench clinic")
        password = make_password(BENCH_PASSWORD)  # one Argon2 hash shared by every bench login
        staff = [Staff(username=f"bench{i:02d}", first_name=rng.choice(FIRST), last_name=rng.choice(LAST),
                       clinic=clinic, role=Role.PRACTITIONER, password=password) for i in range(1, args.staff + 1)]
        staff += [Staff(username="bench-admin", first_name="Ada", last_name="Admin", clinic=clinic,
                        role=Role.CLINIC_ADMIN, is_staff=True, password=password),
                  Staff(username="bench-reception", first_name="Rey", last_name="Desk", clinic=clinic,
                        role=Role.RECEPTION, password=password)]
        Staff.objects.bulk_create(staff)
        practitioners = list(Staff.objects.filter(role=Role.PRACTITIONER).order_by("id").values_list("id", flat=True))

    # Pass 1: the shape of every course of care, cheap and in memory, so that visits can be allocated exactly.
    episodes: list[dict[str, Any]] = []  # in id order
    for p in range(args.patients):
        n_eps = 2 if rng.random() < 0.2 else 1
        for k in range(n_eps):
            idx = rng.randrange(len(pool))
            episodes.append({"patient": p, "latest": k == n_eps - 1, "pool": idx,
                             "reassess": rng.randrange(len(pool)) if rng.random() < 0.1 else None})
    treatable = [i for i, e in enumerate(episodes) if pool[e["pool"]]["treatable"]]
    for i, n in zip(treatable, allocate(args.visits, len(treatable), rng), strict=True):
        episodes[i]["visits"] = n
    for e in episodes:
        e.setdefault("visits", 0)
        if e["reassess"] is not None and (e["visits"] < 4 or not pool[e["reassess"]]["treatable"]):
            e["reassess"] = None  # a re-assessment part-way through a long enough course, to a treatable plan
    by_patient: list[list[int]] = [[] for _ in range(args.patients)]
    for i, e in enumerate(episodes):
        by_patient[e["patient"]].append(i)

    ids = {"patient": 0, "episode": 0, "intake": 0, "plan": 0, "visit": 0, "score": 0}

    def next_id(kind: str) -> int:
        ids[kind] += 1
        return ids[kind]

    manifest_plans: list[int] = []
    manifest_chart: list[list[int]] = []  # [episode id, pool index of its current plan] for open treatable episodes
    counts = dict.fromkeys(("patients", "episodes", "intakes", "plans", "visits", "scores", "audit_events"), 0)
    batch = args.batch

    def flush(objs: dict[str, list[Any]]) -> None:
        with transaction.atomic():
            for model, key in ((Patient, "patients"), (Episode, "episodes"), (Intake, "intakes"),
                               (PlanRevision, "plans"), (Visit, "visits"), (OutcomeScore, "scores"),
                               (AuditEvent, "audit_events")):
                if objs[key]:
                    model.objects.bulk_create(objs[key], batch_size=batch)
                    counts[key] += len(objs[key])
                    objs[key].clear()

    def audit(objs: dict[str, list[Any]], actor: int, obj_type: str, obj_id: int, patient_id: int,
              at: dt.datetime) -> None:
        objs["audit_events"].append(AuditEvent(at=at, actor_id=actor, clinic_id_at_time=clinic.id, action="create",
                                               object_type=obj_type, object_id=obj_id, patient_id=patient_id))

    # Pass 2: the records, a chunk of patients at a time, each chunk one transaction of batched bulk_creates.
    objs: dict[str, list[Any]] = {k: [] for k in counts}
    chunk = max(1, args.chunk)
    for p in range(args.patients):
        prac = practitioners[p % len(practitioners)]
        my_eps = [episodes[i] for i in by_patient[p]]
        # Dates: the newest course ends by today, an older one a year or more before.
        spans = [3 + 5 * max(1, e["visits"]) for e in my_eps]
        end = today - dt.timedelta(days=rng.randint(0, 400))
        starts: list[dt.date] = []
        for span in reversed(spans):
            start = end - dt.timedelta(days=span)
            starts.insert(0, start)
            end = start - dt.timedelta(days=rng.randint(200, 500))
        first = pool[my_eps[0]["pool"]]["intake"]["patient"]
        age, sex = first["age"], first.get("sex", "")
        joined = dt.datetime.combine(starts[0] - dt.timedelta(days=rng.randint(0, 14)), dt.time(9), tz)
        pid = next_id("patient")
        fname, lname = rng.choice(FIRST), rng.choice(LAST)
        objs["patients"].append(Patient(
            id=pid, clinic_id=clinic.id, first_name=fname, last_name=lname,
            date_of_birth=starts[0].replace(year=starts[0].year - age, day=1) - dt.timedelta(days=rng.randint(0, 300)),
            sex=sex if sex in ("female", "male", "other") else "", phone=f"07700 {rng.randint(0, 999999):06d}",
            email=f"{fname.lower()}.{lname.lower()}{pid}@example.org", address=f"{rng.randint(1, 200)} High Street",
            consent_treatment=True, consent_treatment_at=joined, consent_data_use=rng.random() < 0.8,
            consent_data_use_at=joined, booking_notes=rng.choice(["Prefers mornings.", "Tuesdays only.", "", ""]),
            created_at=joined, updated_at=joined))
        audit(objs, prac, "Patient", pid, pid, joined)
        for e, start in zip(my_eps, starts, strict=True):
            eid = next_id("episode")
            entry = pool[e["pool"]]
            last_day = start + dt.timedelta(days=3 + 5 * max(0, e["visits"] - 1))
            if not entry["treatable"]:
                status, closed = "referred", None
            elif e["latest"] and last_day >= today - dt.timedelta(days=60):
                status, closed = "open", None
            else:
                status, closed = "closed", last_day
            episode = Episode(id=eid, clinic_id=clinic.id, patient_id=pid, opened_on=start, closed_on=closed,
                              status=status)
            objs["episodes"].append(episode)
            ep_visits: list[tuple[dt.date, Any, Any]] = []
            ep_scores: list[tuple[str, str, dt.date, dict[str, Any]]] = []
            at = dt.datetime.combine(start, dt.time(9, 30), tz)
            audit(objs, prac, "Episode", eid, pid, at)
            revisions = [(1, e["pool"], start, "first intake")]
            switch_at = None
            if e["reassess"] is not None:
                switch_at = e["visits"] // 2
                revisions.append((2, e["reassess"], start + dt.timedelta(days=3 + 5 * switch_at), "re-assessment"))
            plan_ids = []
            for number, idx, day, reason in revisions:
                item = pool[idx]
                when = dt.datetime.combine(day, dt.time(9, 30), tz)
                iid, rid = next_id("intake"), next_id("plan")
                objs["intakes"].append(Intake(id=iid, clinic_id=clinic.id, episode_id=eid, data=item["intake_db"],
                                              recorded_by_id=prac, recorded_at=when))
                objs["plans"].append(PlanRevision(
                    id=rid, clinic_id=clinic.id, episode_id=eid, intake_id=iid, number=number, plan=item["plan_db"],
                    engine_version=str(item["plan"].get("engine_version", "")),
                    knowledge_version=str(item["plan"].get("knowledge_version", "")), reason=reason,
                    created_by_id=prac, created_at=when))
                audit(objs, prac, "Intake", iid, pid, when)
                audit(objs, prac, "PlanRevision", rid, pid, when)
                plan_ids.append((rid, idx))
                manifest_plans.append(rid)
            if status == "open":
                manifest_chart.append([eid, plan_ids[-1][1]])
            leg = entry["intake"].get("pain", {}).get("leg_nrs", 6) or 6
            level = rng.randint(2, 4)
            n = e["visits"]
            for k in range(n):
                rid, idx = plan_ids[1] if switch_at is not None and k >= switch_at else plan_ids[0]
                tmpl = pool[idx]["visit"]
                day = start + dt.timedelta(days=3 + 5 * k)
                when = dt.datetime.combine(day, dt.time(10 + k % 8), tz)
                leg = max(0, leg - rng.choice([0, 0, 1, 1, 2]))
                points = tmpl["points"]
                if len(points) > 4 and rng.random() < 0.4:
                    points = points[:-1]
                vid = next_id("visit")
                objs["visits"].append(Visit(
                    id=vid, clinic_id=clinic.id, episode_id=eid, plan_id=rid, date=day, practitioner_id=prac,
                    red_flags_rechecked=True, red_flags_found=[], needling_stopped=False, points=points,
                    overrides=[], ea_pairs=tmpl["ea_pairs"], ea_frequency_hz=tmpl["ea_frequency_hz"],
                    ea_minutes=tmpl["ea_minutes"], massage_done=tmpl["massage_done"],
                    cupping_done=tmpl["cupping"] and rng.random() < 0.5,
                    adverse_events="Small bruise at GB30, settled." if rng.random() < 0.03 else "",
                    subjective=rng.choice(SUBJECTIVE), objective=rng.choice(OBJECTIVE),
                    assessment="Progressing as expected." if leg < 6 else "Slow progress.",
                    plan_notes="Continue plan; home exercises daily.", leg_nrs=leg,
                    back_nrs=max(0, leg - rng.randint(0, 3)), created_at=when, updated_at=when))
                audit(objs, prac, "Visit", vid, pid, when)
                ep_visits.append((day, tmpl["ea_pairs"], tmpl["massage_done"]))
                if k == 0 or k % 4 == 3 or k == n - 1:
                    answers, result = odi[min(23, max(0, level * 4 + rng.randrange(4)))]
                    level = max(0, level - (1 if rng.random() < 0.5 else 0))
                    sid = next_id("score")
                    objs["scores"].append(OutcomeScore(
                        id=sid, clinic_id=clinic.id, episode_id=eid, visit_id=vid, instrument="odi",
                        answers=answers, result=result, recorded_at=when, recorded_by_id=prac))
                    audit(objs, prac, "OutcomeScore", sid, pid, when)
                    ep_scores.append(("odi", "odi", day, result))
                if args.charted_scores:  # as records.chart_visit stores them with the visit
                    back = objs["visits"][-1].back_nrs
                    charted = [("nrs_leg", "nrs", [leg], nrs[leg]), ("nrs_back", "nrs", [back], nrs[back])]
                    if k == 0 and rng_scores.random() < 0.8:
                        charted.insert(0, ("startback", "startback", *rng_scores.choice(startback)))
                    for measure, instrument, answers, result in charted:
                        sid = next_id("score")
                        objs["scores"].append(OutcomeScore(
                            id=sid, clinic_id=clinic.id, episode_id=eid, visit_id=vid, instrument=instrument,
                            measure=measure, answers=answers, result=result, recorded_at=when,
                            recorded_by_id=prac))
                        audit(objs, prac, "OutcomeScore", sid, pid, when)
                        ep_scores.append((measure, instrument, day, result))
        if (p + 1) % chunk == 0:
            flush(objs)
            if not args.quiet:
                print(f"  {p + 1:>6} patients, {counts['visits']:>7} visits  "
                      f"({time.perf_counter() - t0:5.1f} s)", flush=True)
    flush(objs)
    timings["bulk inserts"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    from sciatica_care.clinic import episode_outcomes

    episode_outcomes.fill_missing()
    timings["dashboard rows"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cur:  # explicit ids were given: move the sequences past them
            for statement in connection.ops.sequence_reset_sql(
                    no_style(), [Patient, Episode, Intake, PlanRevision, Visit, OutcomeScore, AuditEvent]):
                cur.execute(statement)
            # What autovacuum would do shortly after a bulk load; the benchmark should not race it.
            cur.execute("VACUUM ANALYZE")
    timings["sequences + VACUUM ANALYZE" if connection.vendor == "postgresql" else "finish"] = \
        time.perf_counter() - t0

    t0 = time.perf_counter()
    checked = check_summary(args.check_summary, random.Random(args.seed + 2))  # noqa: S311 - a sample
    timings[f"check dashboard columns ({checked} episodes)"] = time.perf_counter() - t0

    return {
        "counts": counts,
        "charted_scores": args.charted_scores,
        "plan_pool_size": len(pool),
        "password": BENCH_PASSWORD,
        "practitioners": [s.username for s in staff if s.role == Role.PRACTITIONER],
        "patient_ids": [1, ids["patient"]],
        "plan_ids": manifest_plans,
        "chart_episodes": manifest_chart,
        "pool": [{"points": [[pt["code"], pt["side"]] for pt in e["visit"]["points"]],
                  "ea_pairs": ", ".join("-".join(pair) for pair in e["visit"]["ea_pairs"]),
                  "ea_frequency_hz": e["visit"]["ea_frequency_hz"],
                  "ea_minutes": e["visit"]["ea_minutes"],
                  "massage": e["visit"]["massage_done"],
                  "treatable": e["treatable"]} for e in pool],
    }


def database_size() -> int:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_database_size(current_database())")
            return int(cur.fetchone()[0])
    name = Path(str(settings.DATABASES["default"]["NAME"]))
    return sum(p.stat().st_size for p in name.parent.glob(name.name + "*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--data-dir", type=Path, help="data folder (SQLite file, secret key, manifest)")
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--staff", type=int, default=20, help="practitioners (the load test logs in as these)")
    parser.add_argument("--patients-per-plan", type=int, default=250,
                        help="one real engine plan per this many patients (the pool size is patients / this)")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--batch", type=int, default=2000, help="bulk_create batch size (SQLite caps it lower)")
    parser.add_argument("--chunk", type=int, default=1000, help="patients per transaction")
    parser.add_argument("--charted-scores", action="store_true",
                        help="also store the leg/back NRS of every visit and a STarT Back as scores, as the "
                             "charting form does (2 scores and 2 audit events more per visit)")
    parser.add_argument("--check-summary", type=int, default=200, metavar="N",
                        help="compare the generated dashboard columns with summary.compute on N episodes (0: off)")
    parser.add_argument("--force", action="store_true", help="replace an existing bench database")
    parser.add_argument("--drop", action="store_true", help="only drop the PostgreSQL bench database, then exit")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "").strip()
    is_pg = url.startswith(("postgres://", "postgresql://"))
    if args.drop:
        if not is_pg:
            raise SystemExit("--drop is for the PostgreSQL bench database (set DATABASE_URL); "
                             "for SQLite delete the data folder")
        pg_recreate(url, create=False)
        print(f"dropped {urlparse(url).path.lstrip('/')}")
        return
    if args.data_dir is None:
        parser.error("--data-dir is required")
    data_dir = args.data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)

    timings: dict[str, float] = {}
    started = time.perf_counter()
    t0 = started
    if is_pg:
        _pg_admin_url(url)  # refuse a non-bench name before touching anything
        if not args.force:
            import psycopg

            try:
                psycopg.connect(url, connect_timeout=5).close()
            except psycopg.OperationalError:
                pass
            else:
                raise SystemExit(f"{urlparse(url).path.lstrip('/')} exists: pass --force to replace it")
        pg_recreate(url)
    else:
        db_file = data_dir / "clinic.sqlite3"
        if db_file.exists() and not args.force:
            raise SystemExit(f"{db_file} exists: pass --force to replace it")
        for f in data_dir.glob("clinic.sqlite3*"):
            f.unlink()
    setup_django(data_dir)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    timings["create database + migrate"] = time.perf_counter() - t0

    manifest = generate(args, data_dir, timings)
    total = time.perf_counter() - started
    size = database_size()
    connection.close()
    manifest.update({
        "database": connection.vendor, "database_url": url or None, "data_dir": str(data_dir),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "generation_seconds": {**{k: round(v, 2) for k, v in timings.items()}, "total": round(total, 2)},
        "database_bytes": size,
    })
    (data_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    c = manifest["counts"]
    print(f"{connection.vendor}: {c['patients']:,} patients, {c['episodes']:,} episodes, {c['intakes']:,} intakes, "
          f"{c['plans']:,} plans (pool of {manifest['plan_pool_size']} real plans), {c['visits']:,} visits, "
          f"{c['scores']:,} {'scores (ODI, NRS, STarT Back)' if args.charted_scores else 'ODI scores'}, "
          f"{c['audit_events']:,} audit events")
    for phase, seconds in timings.items():
        print(f"  {phase:<34} {seconds:7.1f} s")
    print(f"  {'total':<34} {total:7.1f} s   database {size / 2**20:,.0f} MiB   manifest {data_dir / MANIFEST}")


if __name__ == "__main__":
    main()
