"""DocumentReference: the PDFs the clinic gives out (a plan's home programme, a course's discharge summary),
referred to by address, content type and, when the bytes are at hand, their SHA-1 and size — never embedded."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from sciatica_care.interop.fhir.canonical import DOCUMENT, coding, concept, put, ref
from sciatica_care.interop.fhir.people import instant
from sciatica_care.interop.fhir.rows import DocumentRow

KINDS = {"handout": "Home programme (patient handout)", "discharge": "Discharge summary"}


def sha1_base64(hex_digest: str) -> str:
    """FHIR's Attachment.hash: the SHA-1 in base64."""
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


def document_reference(row: DocumentRow) -> dict[str, Any]:
    attachment: dict[str, Any] = {"contentType": "application/pdf", "url": row.url}
    if row.size is not None:
        attachment["size"] = row.size
    if row.sha1 is not None:
        attachment["hash"] = sha1_base64(row.sha1)
    put(attachment, "title", row.title)
    created = row.created
    attachment["creation"] = instant(created) if isinstance(created, dt.datetime) else created.isoformat()
    out: dict[str, Any] = {
        "resourceType": "DocumentReference", "id": row.id, "status": "current" if row.current else "superseded",
        "type": concept(coding(DOCUMENT, row.kind, KINDS.get(row.kind)), text=KINDS.get(row.kind, row.title)),
        "subject": ref("Patient", row.patient_id),
    }
    if isinstance(created, dt.datetime):
        out["date"] = instant(created)
    if row.author_id is not None:
        out["author"] = [ref("Practitioner", row.author_id)]
    put(out, "description", row.title)
    out["content"] = [{"attachment": attachment}]
    if row.related:
        out["context"] = {"related": [ref(t, i) for t, i in row.related]}
    return out
