"""Bundles and OperationOutcomes: how FHIR answers a search, an operation or an error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sciatica_care.interop.fhir.people import instant

#: FHIR issue types for the HTTP statuses the API answers with.
ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
               406: "not-supported", 409: "conflict", 410: "deleted", 422: "invalid", 429: "throttled",
               500: "exception"}


def _full_url(resource: dict[str, Any], base: str) -> dict[str, str]:
    """An entry's absolute address on the server it came from (none when the bundle is read away from one)."""
    return {"fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}"} if base else {}


def outcome(status: int, diagnostics: str, *, expression: str | None = None,
            severity: str = "error") -> dict[str, Any]:
    """An OperationOutcome with one issue; `expression` names the parameter or field at fault."""
    issue: dict[str, Any] = {"severity": severity, "code": ISSUE_CODES.get(status, "processing"),
                             "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def searchset(resources: Iterable[dict[str, Any]], base: str, *, total: int | None = None,
              self_url: str | None = None, next_url: str | None = None,
              timestamp: dt.datetime | None = None) -> dict[str, Any]:
    entries = [{**_full_url(r, base), "resource": r, "search": {"mode": "match"}} for r in resources]
    out: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    if timestamp is not None:
        out["timestamp"] = instant(timestamp)
    out["total"] = total if total is not None else len(entries)
    links = [{"relation": "self", "url": self_url}] if self_url else []
    if next_url:
        links.append({"relation": "next", "url": next_url})
    if links:
        out["link"] = links
    if entries:
        out["entry"] = entries
    return out


def collection(resources: Iterable[dict[str, Any]], base: str, *, timestamp: dt.datetime,
               bundle_id: str | None = None) -> dict[str, Any]:
    """A collection Bundle (a patient's whole record, for the patient to take elsewhere)."""
    out: dict[str, Any] = {"resourceType": "Bundle"}
    if bundle_id:
        out["id"] = bundle_id
    out.update({"type": "collection", "timestamp": instant(timestamp)})
    entries = [{**_full_url(r, base), "resource": r} for r in resources]
    if entries:
        out["entry"] = entries
    return out
