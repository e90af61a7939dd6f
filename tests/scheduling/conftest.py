"""Django for the front desk's tests: the clinic tests' fixtures (two clinics, staff, patients) plus a location,
services and shifts in clinic A."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if importlib.util.find_spec("django") is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("Django is not installed but CI=true: the scheduling tests must run in CI")
    collect_ignore_glob = ["test_*.py"]
else:
    if importlib.util.find_spec("sciatica_care") is None:
        sys.path.insert(0, str(HERE.parents[1] / "src"))
    sys.path.insert(0, str(HERE.parent / "clinic"))
    sys.path.insert(0, str(HERE))
    from sciatica_care.site import testenv

    testenv.configure()
    from calendar_fixtures import *  # noqa: F403
    from clinic_fixtures import *  # noqa: F403
    from online_booking_steps import clock, online  # noqa: F401
    from scheduling_fixtures import *  # noqa: F403
