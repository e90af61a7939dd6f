"""Patient, Practitioner, PractitionerRole, Organization and Location: who the records are about, who made them
and where."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from sciatica_care.interop.fhir.canonical import EIN, NPI, STAFF_ROLE, coding, concept, put, ref, text
from sciatica_care.interop.fhir.rows import ClinicRow, PatientRow, StaffRow


def identifiers(npi: str = "", tax_id: str = "") -> tuple[dict[str, Any], ...]:
    """A US NPI and an EIN (tax id), where recorded (the clinic's billing settings, a practitioner's NPI)."""
    out = [{"system": NPI, "value": text(npi)}] if text(npi) else []
    if text(tax_id):
        out.append({"system": EIN, "value": text(tax_id)})
    return tuple(out)


GENDER = {"female": "female", "male": "male", "other": "other"}
ROLE_NAMES = {"practitioner": "Practitioner", "clinic_admin": "Clinic admin", "reception": "Reception"}


@lru_cache(maxsize=1024)  # a score's time is written four times, a visit's twice
def instant(value: dt.datetime) -> str:
    """A FHIR instant: seconds and a time zone always (an aware time is required)."""
    if value.tzinfo is None:
        raise ValueError("a FHIR instant needs a time zone")
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def meta(updated: dt.datetime | None) -> dict[str, Any]:
    return {"meta": {"lastUpdated": instant(updated)}} if updated is not None else {}


def location_id(clinic_id: int) -> str:
    return f"clinic-{clinic_id}"


def patient(row: PatientRow) -> dict[str, Any]:
    """The patient's demographics; an anonymised patient is named by the pseudonym only."""
    name: dict[str, Any] = {}
    if row.anonymised:
        name["use"] = "anonymous"
        put(name, "text", row.pseudonym or row.last_name)
    else:
        name["use"] = "official"
        put(name, "text", f"{row.first_name} {row.last_name}")
        put(name, "family", row.last_name)
        if text(row.first_name):
            name["given"] = [text(row.first_name)]
    out: dict[str, Any] = {"resourceType": "Patient", "id": str(row.id), **meta(row.updated_at), "active": True}
    if len(name) > 1:
        out["name"] = [name]
    telecom = [{"system": system, "value": text(value)} for system, value in (("phone", row.phone),
                                                                             ("email", row.email)) if text(value)]
    if telecom:
        out["telecom"] = telecom
    out["gender"] = GENDER.get(row.sex, "unknown")
    out["birthDate"] = row.date_of_birth.isoformat()
    if text(row.address):
        out["address"] = [{"text": text(row.address)}]
    out["managingOrganization"] = ref("Organization", row.clinic_id)
    return out


def practitioner(row: StaffRow) -> dict[str, Any]:
    name: dict[str, Any] = {}
    put(name, "text", text(f"{row.first_name} {row.last_name}") or row.username)
    put(name, "family", row.last_name)
    if text(row.first_name):
        name["given"] = [text(row.first_name)]
    out: dict[str, Any] = {"resourceType": "Practitioner", "id": str(row.id), "active": row.active}
    if row.identifiers:
        out["identifier"] = list(row.identifiers)
    if name:
        out["name"] = [name]
    if text(row.email):
        out["telecom"] = [{"system": "email", "value": text(row.email), "use": "work"}]
    return out


def practitioner_role(row: StaffRow) -> dict[str, Any]:
    """What the person does at the clinic (their role in the app)."""
    return {"resourceType": "PractitionerRole", "id": str(row.id), "active": row.active,
            "practitioner": ref("Practitioner", row.id), "organization": ref("Organization", row.clinic_id),
            "code": [concept(coding(STAFF_ROLE, row.role, ROLE_NAMES.get(row.role)),
                             text=ROLE_NAMES.get(row.role, row.role))],
            "location": [ref("Location", location_id(row.clinic_id))]}


def organization(row: ClinicRow) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Organization", "id": str(row.id), "active": True}
    if row.identifiers:
        out["identifier"] = list(row.identifiers)
    put(out, "name", row.name)
    return out


def location(row: ClinicRow) -> dict[str, Any]:
    """The clinic's premises, where its sessions are given."""
    out: dict[str, Any] = {"resourceType": "Location", "id": location_id(row.id), "status": "active"}
    put(out, "name", row.name)
    out.update({"mode": "instance", "managingOrganization": ref("Organization", row.id)})
    return out
