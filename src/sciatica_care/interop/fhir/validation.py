"""Checking a resource against the FHIR models of fhir.resources (its R4B package: R4B reads and writes the
resources exported here exactly as R4 does; the official R4 JSON Schema is checked beside it in the tests).

`check` parses the JSON into the model and back: a resource passes when the model accepts it and gives back
exactly what was given (nothing dropped, renamed or reformatted)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any


class NotValidFhir(ValueError):
    """A resource the FHIR models refuse, or change when they read it."""


@cache
def _model(resource_type: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type)


def check(resource: dict[str, Any]) -> None:
    """Raise NotValidFhir (with what is wrong) unless the model reads `resource` and writes it back unchanged."""
    kind = resource.get("resourceType")
    if not isinstance(kind, str):
        raise NotValidFhir("no resourceType")
    try:
        model = _model(kind).model_validate(resource)
    except Exception as exc:  # pydantic's ValidationError and the library's own KeyError for unknown types
        raise NotValidFhir(f"{kind}/{resource.get('id')}: {exc}") from exc
    again = json.loads(model.model_dump_json(exclude_none=True))
    if again != json.loads(json.dumps(resource)):
        raise NotValidFhir(f"{kind}/{resource.get('id')}: the model does not give back what it was given")
