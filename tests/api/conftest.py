"""Django for the API tests: the clinic tests' settings and fixtures (two clinics, their staff and patients)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

if importlib.util.find_spec("django") is None:  # an engine-only environment: the clinic is not installed
    if os.environ.get("CI") == "true":
        raise RuntimeError("Django is not installed but CI=true: the API tests must run in CI")
    collect_ignore_glob = ["test_*.py"]
else:
    HERE = Path(__file__).resolve().parent
    sys.path.insert(0, str(HERE.parent / "clinic"))  # clinic_fixtures, intakes
    sys.path.insert(0, str(HERE.parent / "interop"))  # fhir_schema
    from sciatica_care.site import testenv

    testenv.configure()
    from clinic_fixtures import *  # noqa: F403
