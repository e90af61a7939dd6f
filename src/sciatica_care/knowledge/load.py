"""Load the knowledge base once: read `data/*.yaml`, convert into the typed records of `model.py`.

The YAML files are the source of truth. Parsing them takes longer than a cold CLI start can afford, so
`data/compiled.json` holds the same knowledge with a digest of the YAML it was made from; the loader uses it only
when the digest matches the files on disk and otherwise parses the YAML, so the snapshot can never be stale.
msgspec converts and type-checks in one fast pass. The full validation (every error with its path,
cross-references, rules that can never fire) lives in `validate.py`, run by the tests and `knowledge check`.
"""

from __future__ import annotations

import zlib
from functools import cache
from pathlib import Path
from typing import Any

import msgspec

from .model import Knowledge

#: One file per field of `Knowledge`, plus `version.yaml`.
FILES = tuple(name for name in Knowledge.__struct_fields__ if name != "version")
COMPILED = "compiled.json"


class Compiled(msgspec.Struct, frozen=True):
    source_digest: str
    knowledge: Knowledge


def data_dir() -> Path:
    return Path(__file__).parent / "data"


def read_raw(directory: Path | None = None) -> dict[str, Any]:
    """The YAML documents as plain data, keyed by file stem (`points`, `triage`, …) plus `version`."""
    import yaml  # only for validation or a stale snapshot: parsing YAML is the slow path

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when the wheel ships it
    base = directory or data_dir()
    raw: dict[str, Any] = {}
    for name in (*FILES, "version"):
        with (base / f"{name}.yaml").open(encoding="utf-8") as fh:
            raw[name] = yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader, C or pure
    raw["version"] = raw["version"]["version"]
    return raw


def build(raw: dict[str, Any]) -> Knowledge:
    """Convert raw documents into `Knowledge`; raises msgspec.ValidationError on the first type error."""
    return msgspec.convert(raw, Knowledge)


def source_digest(directory: Path | None = None) -> str:
    """A checksum of every YAML source file, names and bytes (it detects edits; it is not a security seal)."""
    base = directory or data_dir()
    parts = []
    for name in sorted((*FILES, "version")):
        data = (base / f"{name}.yaml").read_bytes()
        parts.append(f"{name}:{len(data)}:{zlib.crc32(data):08x}")
    return ";".join(parts)


def write_compiled(directory: Path | None = None) -> Path:
    """Write `compiled.json` from the YAML sources; run after editing them (a test checks it is current)."""
    base = directory or data_dir()
    snapshot = Compiled(source_digest(base), build(read_raw(base)))
    target = base / COMPILED
    target.write_bytes(msgspec.json.format(msgspec.json.encode(snapshot), indent=1) + b"\n")
    return target


def read_compiled(directory: Path | None = None) -> Compiled | None:
    base = directory or data_dir()
    try:
        return msgspec.json.decode((base / COMPILED).read_bytes(), type=Compiled)
    except (OSError, msgspec.DecodeError):
        return None


@cache
def load_knowledge() -> Knowledge:
    """The packaged knowledge base, read and converted once per process."""
    snapshot = read_compiled()
    if snapshot is not None and snapshot.source_digest == source_digest():
        return snapshot.knowledge
    return build(read_raw())
