"""Messages in a browser: a patient opts out from the link in their email (phone width), the front desk records a
patient's choices and sees what was sent, a practitioner makes their calendar feed's address."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from browser_steps import log_in
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def patient(practitioner: Any) -> Any:
    from sciatica_care.clinic.models import Patient

    return Patient.objects.create(clinic=practitioner.clinic, first_name="Bea", last_name="Jones",
                                  date_of_birth=dt.date(1980, 5, 1), email="bea.jones@example.org",
                                  phone="07700 900123")


def _sent(patient: Any) -> None:
    """A confirmation sent, a reminder queued, a reminder skipped (the patient stopped reminders by text)."""
    from django.utils import timezone

    from sciatica_care.scheduling.models import Message

    now = timezone.now()
    for kind, channel, status, reason, subject, due in [
        ("confirmation", "email", "sent", "", "Your appointment at Riverside on Mon 7 Jan at 10:00", now),
        ("reminder", "sms", "skipped", "opted_out", "", now + dt.timedelta(days=1)),
        ("reminder", "email", "queued", "", "Reminder: your appointment on Mon 7 Jan at 10:00",
         now + dt.timedelta(days=2)),
    ]:
        Message.objects.create(clinic=patient.clinic, patient=patient, channel=channel, kind=kind,
                               topic="reminders" if kind == "reminder" else "appointments", subject=subject,
                               body="…", dedupe_key=f"shot:{kind}:{channel}", to_address="x", status=status,
                               skip_reason=reason, due_at=due, sent_at=now if status == "sent" else None)


def test_a_patient_stops_reminders_from_the_link_in_their_email(chromium: Any, live_server: Any, patient: Any,
                                                               shots: Path) -> None:
    """Phone width: the link opens the page with the kind ticked; saving stops it; the page says so."""
    from sciatica_care.scheduling import unsubscribe
    from sciatica_care.scheduling.models import OptOut

    token = unsubscribe.token(patient.clinic_id, "email", patient_id=patient.pk)
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 375, "height": 760})
    page = context.new_page()
    page.goto(f"/messages/unsubscribe/{token}/?topic=reminders")
    expect(page.locator("h1")).to_have_text("Messages from Riverside")
    expect(page.get_by_label("Appointment reminders")).to_be_checked()
    expect(page.locator("body")).to_contain_text("b•••@example.org")
    page.screenshot(path=str(shots / "unsubscribe-375.png"), full_page=True)
    page.click("button:has-text('Save my choices')")
    expect(page.locator("[role=status]")).to_contain_text("Saved")
    assert list(OptOut.objects.values_list("channel", "topic")) == [("email", "reminders")]
    context.close()


def test_the_front_desk_sees_a_patients_messages_and_records_no_texts(page: Any, practitioner: Any, patient: Any,
                                                                      make_staff: Any, shots: Path) -> None:
    """Reception opens the patient's Messages, sees what was sent and skipped, and stops text messages."""
    from sciatica_care.clinic.models import Role
    from sciatica_care.scheduling.models import OptOut

    _sent(patient)
    make_staff(practitioner.clinic, Role.RECEPTION, "desk")
    log_in(page, "desk")
    page.goto(f"/patients/{patient.pk}/")
    page.click("text=Sent, queued and skipped")
    expect(page.locator("h1")).to_have_text("Messages")
    expect(page.locator("table.messages")).to_contain_text("The patient asked not to receive these")
    for kind in ("appointment confirmations and changes", "appointment reminders"):
        page.locator("fieldset", has_text="Text message").get_by_label(f"Do not send: {kind}").check()
    page.screenshot(path=str(shots / "patient-messages.png"), full_page=True)
    page.click("button:has-text('Save choices')")
    expect(page.locator("h1")).to_have_text("Messages")
    assert set(OptOut.objects.values_list("channel", "topic")) == {("sms", "appointments"), ("sms", "reminders")}


def test_a_practitioner_makes_their_calendar_feed(page: Any, practitioner: Any, shots: Path) -> None:
    """Account → Calendar: the address is shown once; it serves their calendar."""
    log_in(page, "dr.lin")
    page.goto("/account/")
    page.click("text=Your appointments in your phone's calendar")
    page.click("button:has-text('Make my feed')")
    url = page.locator("#new-feed-url").inner_text()
    assert "/calendar/feed/" in url
    page.set_viewport_size({"width": 1280, "height": 640})
    page.screenshot(path=str(shots / "calendar-feed.png"), full_page=True)
    response = page.request.get(url)
    assert response.status == 200
    assert response.text().startswith("BEGIN:VCALENDAR")
    page.reload()
    expect(page.locator("#new-feed-url")).to_have_count(0)
