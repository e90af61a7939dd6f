"""The addresses FHIR resources are named with: the standard code systems used, and the project's own canonical
base for what no standard names (our measures, procedures, care activities, acupuncture points, questionnaires).

The project's base is a name, not an address to fetch: it stays the same across installations so that two clinics'
exports mean the same thing by the same code.
"""

from __future__ import annotations

import re
from typing import Any

#: The FHIR version every resource is written for (R4; the models used to check them are R4B's, which read and
#: write these resources identically).
FHIR_VERSION = "4.0.1"

BASE = "https://sciatica-care.org/fhir"
QUESTIONNAIRE = f"{BASE}/Questionnaire"
MEASURE = f"{BASE}/CodeSystem/measure"
PROCEDURE = f"{BASE}/CodeSystem/procedure"
CARE_ACTIVITY = f"{BASE}/CodeSystem/care-activity"
ACUPOINT = f"{BASE}/CodeSystem/acupuncture-point"
CAUSE = f"{BASE}/CodeSystem/cause"
STAFF_ROLE = f"{BASE}/CodeSystem/staff-role"
DOCUMENT = f"{BASE}/CodeSystem/document"

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CPT = "http://www.ama-assn.org/go/cpt"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
NPI = "http://hl7.org/fhir/sid/us-npi"
EIN = "urn:oid:2.16.840.1.113883.4.4"  # the US employer identification number (tax id)
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
PROVENANCE_AGENT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
ISSUE_TYPE = "http://hl7.org/fhir/issue-type"


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"system": system, "code": code}
    if display:
        put(out, "display", display)
    return out


def concept(*codings: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    """A CodeableConcept: the codings given (none is fine) and the words a person reads."""
    out: dict[str, Any] = {}
    if codings:
        out["coding"] = list(codings)
    if text:
        put(out, "text", text)
    return out


def ref(resource_type: str, resource_id: object, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        put(out, "display", display)
    return out


_NOT_FHIR_SPACE = re.compile(r"[^\S \r\n\t]")


def text(value: str | None) -> str | None:
    """Free text as a FHIR string: never empty (FHIR has no empty string: the element is left out, None), no
    whitespace at either end, and no whitespace but space, tab and newline (a form feed, a no-break space…
    become spaces)."""
    if not value:
        return None
    if value.isprintable() and value[0] != " " and value[-1] != " ":  # no whitespace but inner spaces: as is
        return value
    cleaned = _NOT_FHIR_SPACE.sub(" ", value).strip()
    return cleaned or None


def put(out: dict[str, Any], key: str, value: str | None) -> None:
    """Set `out[key]` to the text when there is any (see `text`)."""
    cleaned = text(value)
    if cleaned is not None:
        out[key] = cleaned
