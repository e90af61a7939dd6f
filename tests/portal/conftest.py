"""The portal's tests: the clinic's fixtures (two clinics with their staff and a patient each, the real engine)
and patient accounts in them."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

if importlib.util.find_spec("django") is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("Django is not installed but CI=true: the portal tests must run in CI")
    collect_ignore_glob = ["test_*.py"]
else:
    if importlib.util.find_spec("sciatica_care") is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "clinic"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from sciatica_care.site import testenv

    testenv.configure()
    from clinic_fixtures import *  # noqa: F403
    from portal_fixtures import *  # noqa: F403

