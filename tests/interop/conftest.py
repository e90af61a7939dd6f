"""The interop tests: the FHIR builders are pure (no Django); this folder's helpers importable by name."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
