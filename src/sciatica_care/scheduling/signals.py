"""What the front desk tells the rest of the system: `appointment_changed`, sent once the change has committed.

Receivers (the patient's messages, the waitlist) are called with `appointment=` (the saved row), `change=` (one of
CHANGES) and `previous=` (for `moved`: the start, end and practitioner id it had before; otherwise None). Nothing
is sent for a transaction that rolls back."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

#: Every value `change` takes.
CHANGES = ("booked", "requested", "approved", "moved", "cancelled", "late_cancelled", "no_show", "arrived",
           "completed")

appointment_changed = Signal()


def send_on_commit(appointment: Any, change: str, previous: dict[str, Any] | None = None) -> None:
    """Send `appointment_changed` when the surrounding transaction commits (at once outside one)."""
    if change not in CHANGES:
        raise ValueError(f"unknown appointment change {change!r}")
    transaction.on_commit(lambda: appointment_changed.send(
        sender=type(appointment), appointment=appointment, change=change, previous=previous), robust=True)
