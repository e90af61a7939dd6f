"""What the clinic's records tell the rest of the system, without knowing it.

`course_stopped` is sent, once the write has committed, when a course of treatment must not go on as booked: a red
flag found at a visit's re-check (needling stopped), a new intake whose plan stops treatment (a red flag at triage,
or a plan that cannot be read), or the course discharged. Receivers get `episode=`, `reason=` (a sentence for the
people told), `red_flag=` (True when treatment stopped for a red flag) and `by=` (the member of staff who recorded
it). The front desk cancels what is left of the course and the patient is told (scheduling/course_stop.py).

`visit_charted` is sent inside the charting transaction when a session is charted, with `visit=`, `by=` and
`appointment=`: the appointment number the charting form was opened from (as typed in the address: the receiver
reads and checks it; "" when there is none). The front desk links the session to that appointment and completes it
(scheduling/charting_link.py)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

course_stopped = Signal()
visit_charted = Signal()
# Sent inside the anonymising transaction (`anonymise.py`), so what other apps keep of the patient's identity
# (messages, the front desk's notes) is cleared with the record or not at all. Receivers return what they cleared.
patient_anonymised = Signal()

RED_FLAG_AT_VISIT = "Treatment stopped: a red flag was found at a visit; the patient is being referred."
NOT_FOR_TREATMENT = "Treatment stopped: the new assessment does not allow treatment (a red flag or referral)."
DISCHARGED = "The course of treatment was completed and discharged."


def stop_course_on_commit(episode: Any, *, reason: str, red_flag: bool, by: Any) -> None:
    """Send `course_stopped` when the surrounding transaction commits."""
    transaction.on_commit(lambda: course_stopped.send(sender=type(episode), episode=episode, reason=reason,
                                                      red_flag=red_flag, by=by), robust=True)
