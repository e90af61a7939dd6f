"""Provenance: who recorded a resource, when, and (for a plan) which engine and knowledge decided it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sciatica_care.interop.fhir.canonical import DATA_OPERATION, PROVENANCE_AGENT, coding, concept, ref
from sciatica_care.interop.fhir.people import instant


def provenance(resource_id: str, targets: Sequence[tuple[str, object]], recorded: dt.datetime,
               author_id: int | None, *, activity: str = "CREATE", software: str | None = None) -> dict[str, Any]:
    agents: list[dict[str, Any]] = []
    if author_id is not None:
        agents.append({"type": concept(coding(PROVENANCE_AGENT, "author", "Author")),
                       "who": ref("Practitioner", author_id)})
    if software:
        agents.append({"type": concept(coding(PROVENANCE_AGENT, "assembler", "Assembler")),
                       "who": {"display": software}})
    if not agents:
        agents.append({"type": concept(coding(PROVENANCE_AGENT, "enterer", "Enterer")),
                       "who": {"display": "Sciatica Care (command line)"}})
    return {"resourceType": "Provenance", "id": resource_id, "target": [ref(t, i) for t, i in targets],
            "recorded": instant(recorded), "activity": concept(coding(DATA_OPERATION, activity)),
            "agent": agents}
