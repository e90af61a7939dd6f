"""Django for the clinic's tests only: settings, users of two clinics, intakes from examples/ (real engine)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

if importlib.util.find_spec("django") is None:  # an engine-only environment: the clinic is not installed
    if os.environ.get("CI") == "true":
        raise RuntimeError("Django is not installed but CI=true: the clinic tests must run in CI")
    collect_ignore_glob = ["test_*.py"]
else:
    if importlib.util.find_spec("sciatica_care") is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    # The suite runs with --import-mode=importlib: make this folder's helpers importable by name.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from sciatica_care.site import testenv

    testenv.configure()
    from clinic_fixtures import *  # noqa: F403
