"""The front desk's background tasks (django-tasks: Django's tasks API, queued in the clinic's database by
django_tasks_db and run by `sciatica-care worker`).

Every task here may run twice (a worker killed after it started one is not told it finished: see
`worker.requeue_stalled`), so each does what it does idempotently — the messages it queues carry dedupe keys.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def send_appointment_notices(appointment_id: int, change: str, version: int,
                             previous: dict[str, Any] | None = None) -> int:
    """Queue the messages an appointment's change calls for (scheduling/notices.py)."""
    from sciatica_care.scheduling import notices

    return notices.tell(appointment_id, change, version, previous)


@task()
def offer_freed_time(clinic_id: int, service_id: int, practitioner_id: int, location_id: int, start: str) -> bool:
    """Offer a freed time to the first in turn on the waitlist (scheduling/waitlist.py)."""
    from sciatica_care.scheduling import waitlist

    return waitlist.slot_freed(clinic_id, service_id, practitioner_id, location_id, start) is not None


#: The tasks that may safely be run again when the worker running them died (see worker.requeue_stalled).
IDEMPOTENT = (send_appointment_notices, offer_freed_time)
