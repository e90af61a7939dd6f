"""The audit trail's hash chain: every event carries SHA-256 over its own fields and the previous event's hash.

Changing, removing, inserting or reordering an event by raw SQL breaks a link that `verify()` (the command
`sciatica-care audit verify`) finds and names. One chain per database, in event-id order; its head (the last
event's id and hash) lives in the one row of `AuditChainHead`, locked while an event is appended (`SELECT … FOR
UPDATE` on PostgreSQL, SQLite's write lock: its transactions start IMMEDIATE), so concurrent writers cannot fork
it, and moved by an AFTER INSERT trigger (migration 0011). The head also shows events cut from the end.

An attacker who can rewrite the whole table can recompute every hash after the one they changed: note the head
hash `verify` prints (on paper, in another system) and pass it back with `--anchor` to prove the trail up to it
is the one you saw. On PostgreSQL the app's own role cannot change audit rows at all (`sciatica-care db roles`).

No Django import at module level beyond what the functions take, so migrations can use `event_hash`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64  # the previous hash of the first event
VERSION = "sciatica-care-audit-1"
HEAD_ID = 1


def normalise_detail(detail: Any) -> Any:
    """The detail as the database gives it back: JSON-native, with whole floats as ints (PostgreSQL's jsonb
    keeps numbers as decimals, so `1e20` comes back as an int)."""

    def norm(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, list):
            return [norm(v) for v in value]
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        return value

    return norm(json.loads(json.dumps(detail if detail is not None else {})))


def _at(value: datetime | str) -> str:
    if isinstance(value, str):  # a raw SQLite row
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    """SHA-256 (hex) over a canonical JSON encoding of one event's fields and the previous event's hash."""
    detail = fields.get("detail")
    if isinstance(detail, str):  # raw SQL gives SQLite's JSON text
        detail = json.loads(detail)
    canonical = [
        VERSION,
        _at(fields["at"]),
        fields.get("actor_id"),
        fields.get("clinic_id_at_time"),
        fields.get("action") or "",
        fields.get("object_type") or "",
        fields.get("object_id"),
        fields.get("patient_id"),
        normalise_detail(detail),
        prev_hash,
    ]
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


FIELDS = ("id", "at", "actor_id", "clinic_id_at_time", "action", "object_type", "object_id", "patient_id",
          "detail", "prev_hash", "hash")


@dataclass(frozen=True)
class Break:
    """The first broken link: the event where the chain stops holding, and what differs."""

    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "chain head"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class Result:
    count: int
    head_id: int | None
    head_hash: str
    broken: Break | None
    anchor_found: bool | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_rows(rows: Iterable[Mapping[str, Any]], head: tuple[int | None, str] | None,
                anchor: str | None = None) -> Result:
    """Walk events (dicts of FIELDS, in id order) and the stored head; return the first broken link, if any."""
    previous_hash, previous_id, count = GENESIS, None, 0
    anchor_found: bool | None = None if anchor is None else False
    for row in rows:
        count += 1
        event_id = int(row["id"])
        if previous_id is not None and event_id <= previous_id:
            return Result(count, previous_id, previous_hash, Break(event_id, "events are out of order"))
        if row["prev_hash"] != previous_hash:
            after = f"event {previous_id}" if previous_id is not None else "the start of the chain"
            gap = (f" (ids {previous_id + 1}–{event_id - 1} are missing: events were removed?)"
                   if previous_id is not None and event_id > previous_id + 1 else "")
            return Result(count, previous_id, previous_hash, Break(
                event_id, f"its previous hash {str(row['prev_hash'])[:16]}… does not match the hash of {after} "
                f"({previous_hash[:16]}…): an event before it was changed, removed, inserted or moved{gap}"))
        computed = event_hash(row, previous_hash)
        if row["hash"] != computed:
            return Result(count, previous_id, previous_hash, Break(
                event_id, f"its stored hash {str(row['hash'])[:16]}… does not match its contents "
                f"({computed[:16]}…): the event's fields were changed after it was written"))
        if anchor is not None and computed == anchor:
            anchor_found = True
        previous_hash, previous_id = computed, event_id
    if head is None and count:
        return Result(count, previous_id, previous_hash, Break(
            None, "the chain head is missing: events may have been cut from the end"), anchor_found)
    if head is not None:
        head_id, head_hash = head
        if (head_id, head_hash) != (previous_id, previous_hash if previous_id is not None else GENESIS):
            return Result(count, previous_id, previous_hash, Break(
                None, f"the chain head says the last event is {head_id} ({str(head_hash)[:16]}…) but the table "
                f"ends at {previous_id} ({previous_hash[:16]}…): events were removed from, or added to, the end"),
                anchor_found)
    return Result(count, previous_id, previous_hash, None, anchor_found)


def iter_events(using: str = "default") -> Iterator[dict[str, Any]]:
    """Every audit event as raw field values, in id order (raw SQL: nothing in the ORM is trusted)."""
    from django.db import connections

    columns = ", ".join(f'"{f}"' for f in FIELDS)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM clinic_auditevent ORDER BY id")  # noqa: S608 - fixed names
        while batch := cursor.fetchmany(2000):
            for values in batch:
                yield dict(zip(FIELDS, values, strict=True))


def stored_head(using: str = "default") -> tuple[int | None, str] | None:
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute("SELECT last_event_id, last_hash FROM clinic_auditchainhead WHERE id = %s", [HEAD_ID])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def verify(using: str = "default", anchor: str | None = None) -> Result:
    return verify_rows(iter_events(using), stored_head(using), anchor)
