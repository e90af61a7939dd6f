"""The server's CapabilityStatement (`GET /api/fhir/metadata`): what it reads, searches and exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sciatica_care.interop.fhir.canonical import FHIR_VERSION
from sciatica_care.interop.fhir.people import instant

BULK_EXPORT = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"
PATIENT_EXPORT = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"
EVERYTHING = "http://hl7.org/fhir/OperationDefinition/Patient-everything"
SEARCH_TYPES = {"_id": "token", "patient": "reference", "date": "date", "family": "string",
                "birthdate": "date", "_count": "number"}


def capability_statement(base: str, version: str, when: dt.datetime,
                         searches: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """`searches`: the search parameters each resource type takes (every type is read by id)."""
    resources = []
    for kind, params in searches.items():
        entry: dict[str, Any] = {"type": kind, "interaction": [{"code": "read"}, {"code": "search-type"}]}
        entry["searchParam"] = [{"name": p, "type": SEARCH_TYPES[p]} for p in params]
        if kind == "Patient":
            entry["operation"] = [{"name": "everything", "definition": EVERYTHING},
                                  {"name": "export", "definition": PATIENT_EXPORT}]
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement", "status": "active", "date": instant(when),
        "publisher": "Sciatica Care", "kind": "instance",
        "software": {"name": "Sciatica Care", "version": version},
        "implementation": {"description": "Sciatica Care FHIR R4 API (read, search, $everything, bulk $export)",
                           "url": base},
        "fhirVersion": FHIR_VERSION, "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": ("Every request carries an API token (Authorization: Bearer …) made in the clinic "
                              "app; every read and export is audited. Records are the token owner's clinic's."),
            "security": {"cors": False, "description": "Bearer API tokens (see the clinic's API tokens page)."},
            "resource": resources,
            "operation": [{"name": "export", "definition": BULK_EXPORT}],
        }],
    }
