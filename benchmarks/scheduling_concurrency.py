"""Fifty clients booking one slot at the same moment, round after round, on SQLite and on PostgreSQL: through the
real API in process (Django's handler, token auth, the booking service, the database's guard), each client a
thread with its own database connection, released together by a barrier. Each round must end with one 201, the
rest 409, no other answer, no exception and exactly one appointment holding the slot.

The race itself is tests/scheduling/booking_race.py (also run by the test suite). The app's own settings and
migrations, in a data folder (SQLite) or a dedicated PostgreSQL database whose name contains "bench":

    python benchmarks/scheduling_concurrency.py --data-dir /tmp/scbench-race --force --rounds 10
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/schedcore_bench \\
        python benchmarks/scheduling_concurrency.py --data-dir /tmp/scbench-race-pg --force --rounds 10

Prints, per round and in total: winners, 409s, other answers, errors, the slowest answer and the round's wall
time. `--json FILE` writes them.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "scheduling"))


def main() -> None:
    from scheduling_slots import arguments, prepare

    parser = arguments(__doc__ or "")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    prepare(args.data_dir, args.force)
    from booking_race import live_at, make_clinic, race
    from django.db import connection

    rounds = []
    for _ in range(max(1, min(args.rounds, 200))):
        clinic = make_clinic()
        connection.close()
        outcome = race(clinic["token"], clinic["body"], max(2, min(args.clients, 200)))
        outcome["live_at_slot"] = live_at(clinic["practitioner"], clinic["start"])
        rounds.append(outcome)
        print(json.dumps({k: outcome[k] for k in ("statuses", "errors", "live_at_slot", "slowest_s", "wall_s")}))
    ok = [r for r in rounds if r["statuses"] == {201: 1, 409: args.clients - 1} and not r["errors"]
          and r["live_at_slot"] == 1]
    report = {"database": connection.vendor, "clients": args.clients, "rounds": len(rounds),
              "rounds_with_one_winner_and_only_409s": len(ok),
              "errors": sum(len(r["errors"]) for r in rounds),
              "other_answers": sum(n for r in rounds for s, n in r["statuses"].items() if s not in (201, 409)),
              "slowest_answer_s": max(r["slowest_s"] for r in rounds),
              "wall_s_median": round(statistics.median(r["wall_s"] for r in rounds), 3),
              "load_average": os.getloadavg()[0], "cpus": os.cpu_count()}
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps({"summary": report, "rounds": rounds}, indent=2, default=str))


if __name__ == "__main__":
    main()
