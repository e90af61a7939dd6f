"""Load the knowledge base once: read `data/*.yaml`, convert into the typed records of `model.py`.

msgspec converts and type-checks in one fast pass, so a cold CLI start stays quick. The full validation
(every error with its path, cross-references, rules that can never fire) lives in `validate.py` and runs in the
test suite and in `sciatica-care knowledge check`.
"""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import yaml

from .model import Knowledge

try:  # libyaml's parser is several times faster; PyYAML's wheels ship it.
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - only on builds without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]

#: One file per field of `Knowledge`, plus `version.yaml`.
FILES = tuple(f.name for f in fields(Knowledge) if f.name != "version")


def data_dir() -> Path:
    return Path(str(resources.files(__package__).joinpath("data")))


def read_raw(directory: Path | None = None) -> dict[str, Any]:
    """The YAML documents as plain data, keyed by file stem (`points`, `triage`, …) plus `version`."""
    base = directory or data_dir()
    raw: dict[str, Any] = {}
    for name in (*FILES, "version"):
        with (base / f"{name}.yaml").open(encoding="utf-8") as fh:
            raw[name] = yaml.load(fh, Loader=SafeLoader)
    raw["version"] = raw["version"]["version"]
    return raw


def build(raw: dict[str, Any]) -> Knowledge:
    """Convert raw documents into `Knowledge`; raises msgspec.ValidationError on the first type error."""
    return msgspec.convert(raw, Knowledge)


@cache
def load_knowledge() -> Knowledge:
    """The packaged knowledge base, read and converted once per process."""
    return build(read_raw())
