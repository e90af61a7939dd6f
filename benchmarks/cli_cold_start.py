"""Cold-start wall time and peak memory of `sciatica-care plan FILE --format json`, against a bare
`python -c "import json"` from the same interpreter; also checks the command never imports Django.

    python benchmarks/cli_cold_start.py [--runs 30] [--cmd .venv/bin/sciatica-care]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wall_times(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs + 2):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times[2:]  # the first two warm the page cache


def peak_rss_mb(argv: list[str]) -> float:
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *argv], check=True, capture_output=True, text=True)
    return int(out.stdout) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    venv_cmd = ROOT / ".venv/bin/sciatica-care"
    parser.add_argument("--cmd", default=str(venv_cmd) if venv_cmd.exists() else shutil.which("sciatica-care"))
    args = parser.parse_args()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({"schema_version": "1", "patient": {"age": 38, "sex": "male"},
                   "episode": {"side": "left", "duration_weeks": 2, "onset": "sudden"},
                   "pain": {"leg_nrs": 7, "areas": ["lower_back", "buttock", "posterior_calf", "sole"]},
                   "examination": {"straight_leg_raise": "positive", "reflexes": {"ankle": "reduced"}},
                   "red_flags": [], "medical": []}, fh)
    plan = [args.cmd, "plan", fh.name, "--format", "json"]
    # The bare baseline runs the very interpreter named in the command's shebang line.
    python = Path(Path(args.cmd).read_text(encoding="utf-8").splitlines()[0].removeprefix("#!").strip())
    bare = [str(python), "-c", "import json"]
    cli = wall_times(plan, args.runs)
    base = wall_times(bare, args.runs)
    ratio = statistics.median(cli) / statistics.median(base)
    print(f"bare python -c 'import json': median {statistics.median(base) * 1000:.1f} ms")
    print(f"sciatica-care plan --format json: median {statistics.median(cli) * 1000:.1f} ms, "
          f"p90 {sorted(cli)[int(len(cli) * 0.9)] * 1000:.1f} ms, ratio {ratio:.2f}x")
    print(f"peak memory of the plan command: {peak_rss_mb(plan):.1f} MB")
    probe = ("import sys; from click.testing import CliRunner; from sciatica_care.cli.main import main;"
             f"CliRunner().invoke(main, ['plan', {fh.name!r}, '--format', 'json']); print('django' in sys.modules)")
    print("django imported by plan:", subprocess.run([str(python), "-c", probe], capture_output=True,
                                                      text=True).stdout.strip())
    os.unlink(fh.name)


if __name__ == "__main__":
    main()
