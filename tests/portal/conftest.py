"""Django for the portal's tests: the clinic's fixtures (two clinics, staff, a patient with a course) and patient
accounts that sign in to the portal."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if importlib.util.find_spec("django") is None:  # an engine-only environment: the clinic is not installed
    if os.environ.get("CI") == "true":
        raise RuntimeError("Django is not installed but CI=true: the portal tests must run in CI")
    collect_ignore_glob = ["test_*.py"]
else:
    if importlib.util.find_spec("sciatica_care") is None:
        sys.path.insert(0, str(HERE.parents[1] / "src"))
    sys.path.insert(0, str(HERE.parent / "clinic"))  # clinic_fixtures, intakes
    sys.path.insert(0, str(HERE))  # portal_fixtures
    from sciatica_care.site import testenv

    testenv.configure()
    from clinic_fixtures import *  # noqa: F403
    from portal_fixtures import *  # noqa: F403
