"""What the front desk keeps of a patient's identity, cleared when the clinic anonymises the patient: the
messages' addresses, wording and calendar attachments (a message still queued is skipped, never sent), the
front desk's notes on their appointments, the address on their opt-outs, and any waitlist place."""

from __future__ import annotations

from typing import Any

from sciatica_care.clinic.models import Patient
from sciatica_care.scheduling.models import Appointment, Message, MessageStatus, OptOut, SkipReason, WaitlistEntry
from sciatica_care.scheduling.models.appointments import WaitlistStatus

CLEARED_BODY = "(removed: the patient's record was anonymised)"


def scrub(sender: Any, *, patient: Patient, **_: Any) -> dict[str, int]:
    messages = Message.objects.filter(patient=patient)
    skipped = messages.filter(status=MessageStatus.QUEUED).update(status=MessageStatus.SKIPPED,
                                                                 skip_reason=SkipReason.ANONYMISED)
    cleared = messages.update(to_address="", subject="", body=CLEARED_BODY, attachments=[], unsubscribe_url="")
    # The patient's own opt-outs stay (by patient) without the address; one kept by address alone is not theirs
    # to lift: it holds whoever has that address.
    OptOut.objects.filter(patient=patient).update(address="")
    notes = Appointment.objects.filter(patient=patient).exclude(front_desk_note="").update(front_desk_note="")
    waiting = (WaitlistEntry.objects.filter(patient=patient)
               .exclude(status__in=[WaitlistStatus.BOOKED, WaitlistStatus.WITHDRAWN, WaitlistStatus.EXPIRED])
               .update(status=WaitlistStatus.WITHDRAWN))
    return {"messages_cleared": cleared, "messages_not_sent": skipped, "appointment_notes_cleared": notes,
            "waitlist_withdrawn": waiting}
