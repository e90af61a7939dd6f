"""The patient's unsubscribe page (from the link in an email, no sign-in) and the staff's page of a patient's
messages and choices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def link(patient: Any, channel: str = "email", topic: str = "reminders") -> str:
    from sciatica_care.scheduling import unsubscribe

    url = unsubscribe.url(patient.clinic_id, channel, topic, patient_id=patient.pk)
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def stopped(patient: Any, channel: str = "email") -> set[str]:
    from sciatica_care.scheduling.models import OptOut

    return set(OptOut.objects.filter(patient=patient, channel=channel).values_list("topic", flat=True))


def test_the_unsubscribe_link_works_without_signing_in_and_is_audited(world: dict[str, Any]) -> None:
    """The link opens a page (nothing changes on a GET: link scanners open links); the POST stops the kind the
    email was, audited, and says so."""
    from sciatica_care.clinic.models import AuditEvent

    patient = world["a"]["patient"]
    page = Client().get(link(patient))
    assert page.status_code == 200
    assert "Clinic A" in page.content.decode()
    assert stopped(patient) == set()
    r = Client().post(link(patient), {"stop": ["reminders"]})
    assert r.status_code == 200
    assert "Saved" in r.content.decode()
    assert stopped(patient) == {"reminders"}
    event = AuditEvent.objects.get(action="message_choices")
    assert (event.patient_id, event.detail["stopped"], event.detail["via"]) == (patient.pk, ["reminders"],
                                                                                "unsubscribe_link")


def test_a_mail_clients_one_click_unsubscribe_stops_that_kind(world: dict[str, Any]) -> None:
    """RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` (no CSRF token, no cookie): that kind stops."""
    patient = world["a"]["patient"]
    client = Client(enforce_csrf_checks=True)
    r = client.post(link(patient, topic="appointments"), {"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200
    assert stopped(patient) == {"appointments"}


def test_ticking_nothing_starts_every_kind_again(world: dict[str, Any]) -> None:
    """The page sets the choices as ticked: unticking starts a kind again."""
    patient = world["a"]["patient"]
    Client().post(link(patient), {"stop": ["reminders", "diary"]})
    Client().post(link(patient), {})
    assert stopped(patient) == set()


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2], lambda t: t.replace(":", ";"), lambda t: "x" + t, lambda t: "not-a-token",
])
def test_an_altered_link_changes_nothing(world: dict[str, Any], mangle: Any) -> None:
    """A forged or damaged token: 404, a page saying so, nothing changed."""
    from sciatica_care.scheduling import unsubscribe

    patient = world["a"]["patient"]
    token = unsubscribe.token(patient.clinic_id, "email", patient_id=patient.pk)
    url = reverse("scheduling:unsubscribe", args=[mangle(token)])
    assert Client().post(url, {"stop": ["reminders"]}).status_code == 404
    assert stopped(patient) == set()


def test_the_link_names_no_one(world: dict[str, Any]) -> None:
    """The token carries ids only, signed: no name, no address (a link ends up in logs)."""
    import base64
    import zlib

    from sciatica_care.scheduling import unsubscribe

    patient = world["a"]["patient"]
    patient.email = "ann.smith@example.org"
    patient.save()
    token = unsubscribe.token(patient.clinic_id, "email", patient_id=patient.pk)
    payload = token.split(":")[0]
    data = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    raw = (zlib.decompress(data) if payload.startswith(".") else data).decode()
    assert raw == f'[{patient.clinic_id},"email","p",{patient.pk}]'


def test_an_unknown_kind_is_refused_naming_the_field(world: dict[str, Any]) -> None:
    """A kind of message that does not exist: 422 naming `stop`, nothing changed."""
    patient = world["a"]["patient"]
    r = Client().post(link(patient), {"stop": ["reminders", "everything"]})
    assert r.status_code == 422
    assert "stop" in r.content.decode()
    assert stopped(patient) == set()


def test_a_prospect_unsubscribes_by_the_address_on_their_booking(desk: dict[str, Any]) -> None:
    """Someone who booked the free call is not a patient: their choice is kept against their address, and
    messages to that address of that kind are skipped."""
    from sciatica_care.scheduling import outbox, unsubscribe
    from sciatica_care.scheduling.models import Appointment, OptOut

    start = dt.datetime(2027, 1, 6, 10, tzinfo=dt.UTC)
    appointment = Appointment.objects.create(
        clinic=desk["clinic"], practitioner=desk["practitioner"], service=desk["services"]["consultation_call"],
        location=desk["location"], start=start, end=start + dt.timedelta(minutes=15), blocked_from=start,
        blocked_until=start + dt.timedelta(minutes=15), prospect_name="Ben Jones", prospect_email="ben@example.org")
    url = unsubscribe.url(desk["clinic"].pk, "email", "reminders", appointment_id=appointment.pk)
    Client().post(url.split("://", 1)[1].split("/", 1)[1].join(["/", ""]), {"stop": ["reminders"]})
    assert OptOut.objects.filter(address="ben@example.org", patient__isnull=True, topic="reminders").exists()
    m = outbox.queue(clinic_id=desk["clinic"].pk, channel="email", to="ben@example.org", body="x",
                     dedupe_key="prospect-reminder", kind="reminder", topic="reminders")
    assert m.status == "skipped"


def test_staff_see_a_patients_messages_and_record_their_choices(world: dict[str, Any], login: Any) -> None:
    """Reception (it is their job) sees what was sent or skipped and records "no text messages, please";
    the read and the change are audited."""
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.clinic.submission import FIELD

    patient, reception = world["a"]["patient"], world["a"]["reception"]
    client = login(reception)
    url = reverse("scheduling:patient_messages", args=[patient.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert AuditEvent.objects.filter(action="read_messages", patient_id=patient.pk, actor=reception).exists()
    token = page.content.decode().split(f'name="{FIELD}" value="')[1].split('"')[0]
    r = client.post(url, {FIELD: token, "stop_sms_reminders": "1", "stop_sms_appointments": "1"})
    assert r.status_code == 302
    assert stopped(patient, "sms") == {"reminders", "appointments"}
    assert stopped(patient, "email") == set()
    assert AuditEvent.objects.filter(action="message_choices", actor=reception, patient_id=patient.pk).exists()


def test_another_clinics_patients_messages_are_not_found(world: dict[str, Any], login: Any) -> None:
    """Clinic B's staff asking for clinic A's patient: 404, audited."""
    from sciatica_care.clinic.models import AuditEvent

    client = login(world["b"]["reception"])
    r = client.get(reverse("scheduling:patient_messages", args=[world["a"]["patient"].pk]))
    assert r.status_code == 404
    assert AuditEvent.objects.filter(action="denied_other_clinic", actor=world["b"]["reception"]).exists()


def test_an_unknown_choice_is_refused_naming_the_field(world: dict[str, Any], login: Any) -> None:
    """A made-up channel or kind on the staff form: 422 naming `stop`, nothing changed."""
    patient = world["a"]["patient"]
    r = login(world["a"]["reception"]).post(reverse("scheduling:patient_messages", args=[patient.pk]),
                                             {"stop_pigeon_reminders": "1", "stop_sms_reminders": "1"})
    assert r.status_code == 422
    assert "stop" in r.content.decode()
    assert stopped(patient, "sms") == set()
