"""The patient's consents as FHIR Consent resources: to treatment, and to the use of their anonymised data for
research, each with the Provenance of who recorded it. Only a consent given is exported: the record keeps no
refusal apart from a consent never asked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sciatica_care.interop.fhir.canonical import ACT_CODE, ACT_REASON, CONSENT_SCOPE, LOINC, coding, concept, ref
from sciatica_care.interop.fhir.people import instant
from sciatica_care.interop.fhir.provenance import provenance
from sciatica_care.interop.fhir.rows import PatientRow

SCOPES = {"treatment": "Treatment", "research": "Research"}


def _consent(row: PatientRow, kind: str, when: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Consent", "id": f"{row.id}-{kind}", "status": "active",
        "scope": concept(coding(CONSENT_SCOPE, kind, SCOPES[kind])),
        "category": [concept(coding(LOINC, "59284-0"), text="Patient consent")],
        "patient": ref("Patient", row.id),
    }
    if when is not None:
        out["dateTime"] = instant(when)
    out["performer"] = [ref("Patient", row.id)]
    out["organization"] = [ref("Organization", row.clinic_id)]
    out["policyRule"] = concept(coding(ACT_CODE, "OPTIN", "opt-in"))
    provision: dict[str, Any] = {"type": "permit"}
    if kind == "research":
        provision["purpose"] = [coding(ACT_REASON, "HRESCH", "healthcare research")]
    out["provision"] = provision
    return out


def consents(row: PatientRow) -> Iterator[dict[str, Any]]:
    if row.consent_treatment:
        yield _consent(row, "treatment", row.consent_treatment_at)
        if row.consent_treatment_at is not None:
            yield provenance(f"consent-{row.id}-treatment", [("Consent", f"{row.id}-treatment")],
                             row.consent_treatment_at, row.consent_treatment_by)
    if row.consent_data_use:
        yield _consent(row, "research", row.consent_data_use_at)
