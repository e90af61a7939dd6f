"""Who a message about an appointment goes to, and on which channel.

A patient's contact details are on the patient; a prospective patient's (the free call) on the appointment. Each
topic has a channel order — confirmations and changes by email (the calendar file rides along), reminders by text
message — and a message goes on the first channel with an address the person has not opted out of. When there is
none, it is still queued on the first channel, where it is recorded as skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sciatica_care.scheduling import outbox, unsubscribe
from sciatica_care.scheduling.message_wording import Wording, footer
from sciatica_care.scheduling.models import Appointment, Channel, Topic

#: The channels of each topic, in order of preference.
CHANNELS = {
    Topic.APPOINTMENTS: (Channel.EMAIL, Channel.SMS),
    Topic.REMINDERS: (Channel.SMS, Channel.EMAIL),
    Topic.HOME_PROGRAMME: (Channel.EMAIL, Channel.SMS),
    Topic.DIARY: (Channel.EMAIL, Channel.SMS),
}


@dataclass(frozen=True)
class Recipient:
    clinic_id: int
    name: str
    email: str
    phone: str
    patient_id: int | None
    appointment_id: int | None  # for a prospective patient: the appointment that holds their details

    def address(self, channel: str) -> str:
        return self.email if channel == Channel.EMAIL else self.phone


def of(appointment: Appointment) -> Recipient:
    patient = appointment.patient
    if patient is not None:
        return Recipient(appointment.clinic_id, patient.first_name, patient.email, patient.phone, patient.pk, None)
    return Recipient(appointment.clinic_id, appointment.prospect_name.split(" ")[0], appointment.prospect_email,
                     appointment.prospect_phone, None, appointment.pk)


def channel_for(recipient: Recipient, topic: str) -> str:
    order = CHANNELS[Topic(topic)]
    usable = [ch for ch in order if recipient.address(ch).strip()]
    for ch in usable:
        address, problem = outbox.usable_address(ch, recipient.address(ch))
        if not problem and not outbox.opted_out(recipient.clinic_id, recipient.patient_id, address, ch, topic):
            return ch
    return usable[0] if usable else order[0]


def message(recipient: Recipient, *, kind: str, topic: str, dedupe_key: str, wording: Wording,
            appointment_id: int | None = None, attachments: tuple[outbox.Attachment, ...] = (),
            due_at: dt.datetime | None = None, about_start: dt.datetime | None = None,
            clinic_name: str = "") -> outbox.Outgoing:
    """The message to this person on their channel for the topic; an email gets the unsubscribe link."""
    channel = channel_for(recipient, topic)
    body, link = wording.sms, ""
    if channel == Channel.EMAIL:
        link = unsubscribe.url(recipient.clinic_id, channel, topic, patient_id=recipient.patient_id,
                               appointment_id=None if recipient.patient_id else recipient.appointment_id)
        body = wording.email + footer(clinic_name, link, unsubscribe.topic_label(topic))
    return outbox.Outgoing(
        clinic_id=recipient.clinic_id, channel=channel, to=recipient.address(channel), body=body,
        subject=wording.subject if channel == Channel.EMAIL else "", dedupe_key=dedupe_key, kind=kind, topic=topic,
        due_at=due_at, patient_id=recipient.patient_id, appointment_id=appointment_id, about_start=about_start,
        attachments=attachments if channel == Channel.EMAIL else (), unsubscribe_url=link)
