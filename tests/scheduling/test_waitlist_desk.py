"""The front desk's waitlist page: the clinic's reception, admins and practitioners only; every read and write
audited; another clinic's entries are not found here."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def entry(desk: dict[str, Any], **kw: Any) -> Any:
    from sciatica_care.scheduling import waitlist

    today = timezone.now().date()
    return waitlist.join(clinic=desk["clinic"], service=desk["services"]["electroacupuncture"], earliest=today,
                         latest=today + dt.timedelta(days=14), by=desk["reception"], **kw)


def test_the_page_lists_the_waiting_and_is_audited(desk: dict[str, Any], login: Any) -> None:
    from sciatica_care.clinic.models import AuditEvent

    entry(desk, patient=desk["patient"])
    entry(desk, prospect_name="Wren Waiting", prospect_email="wren@example.org")
    page = login(desk["reception"]).get(reverse("scheduling:waitlist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ann Smitha" in text
    assert "Wren Waiting" in text
    assert "Electroacupuncture" in text
    event = AuditEvent.objects.filter(action="list", object_type="WaitlistEntry").latest("id")
    assert event.detail["ids"] == [desk["patient"].pk]
    assert event.actor == desk["reception"]


@pytest.mark.parametrize("role", ["reception", "clinic_admin", "practitioner"])
def test_the_desk_and_practitioners_may_open_it(world: dict[str, Any], desk: dict[str, Any], login: Any,
                                                role: str) -> None:
    assert login(world["a"][role]).get(reverse("scheduling:waitlist")).status_code == 200


def test_a_patient_account_may_not(desk: dict[str, Any], make_staff: Any, client: Any) -> None:
    from sciatica_care.clinic.models import Role

    account = make_staff(desk["clinic"], Role.PATIENT, "patient_account")
    client.force_login(account)
    assert client.get(reverse("scheduling:waitlist")).status_code in (403, 404)
    assert client.post(reverse("scheduling:waitlist_add"), {}).status_code in (403, 404)


def test_the_calendar_links_to_it(desk: dict[str, Any], login: Any) -> None:
    page = login(desk["reception"]).get(reverse("scheduling:calendar"))
    assert reverse("scheduling:waitlist") in page.content.decode()


def test_adding_a_patient(desk: dict[str, Any], login: Any) -> None:
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling.models import WaitlistEntry

    today = timezone.now().date()
    r = login(desk["reception"]).post(reverse("scheduling:waitlist_add"), {
        "patient": desk["patient"].pk, "service": desk["services"]["massage"].pk,
        "practitioner": desk["practitioner"].pk, "earliest": today.isoformat(),
        "latest": (today + dt.timedelta(days=7)).isoformat(), "weekdays": ["1", "3"]})
    assert r.status_code == 302
    added = WaitlistEntry.objects.get()
    assert (added.patient, added.service, added.practitioner, added.weekdays) == (
        desk["patient"], desk["services"]["massage"], desk["practitioner"], [1, 3])
    assert AuditEvent.objects.filter(action="waitlist_join", patient_id=desk["patient"].pk,
                                     actor=desk["reception"]).exists()


def test_a_bad_entry_names_each_field_and_stores_nothing(desk: dict[str, Any], login: Any) -> None:
    from sciatica_care.scheduling.models import WaitlistEntry

    r = login(desk["reception"]).post(reverse("scheduling:waitlist_add"), {
        "service": "", "earliest": "2027-02-30", "latest": "soon", "weekdays": ["8"]})
    assert r.status_code == 422
    text = r.content.decode()
    for words in ("Service: choose one", "From: 2027-02-30 is not a date", "Until: give a date", "Days: choose days",
                  "Patient: choose the patient"):
        assert words in text, words
    assert not WaitlistEntry.objects.exists()


def test_taking_an_entry_off(desk: dict[str, Any], login: Any) -> None:
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling.models import WaitlistStatus

    e = entry(desk, patient=desk["patient"])
    r = login(desk["reception"]).post(reverse("scheduling:waitlist_withdraw", args=[e.pk]))
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.status == WaitlistStatus.WITHDRAWN
    assert AuditEvent.objects.filter(action="waitlist_withdraw", patient_id=desk["patient"].pk).exists()


def test_linking_a_public_entry_to_its_patient(desk: dict[str, Any], login: Any) -> None:
    e = entry(desk, prospect_name="Ann Smith", prospect_email="ann@example.org")
    client = login(desk["reception"])
    found = client.get(reverse("scheduling:waitlist"), {"link": e.pk, "q": "Smitha"})
    assert f'value="{desk["patient"].pk}"' in found.content.decode()
    refused = client.post(reverse("scheduling:waitlist_link", args=[e.pk]), {})
    assert refused.status_code == 422
    assert "Patient: find the patient" in refused.content.decode()
    r = client.post(reverse("scheduling:waitlist_link", args=[e.pk]), {"patient": desk["patient"].pk})
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.patient == desk["patient"]


def test_another_clinics_entry_is_not_found_here(world: dict[str, Any], desk: dict[str, Any], login: Any) -> None:
    from sciatica_care.clinic.models import AuditEvent
    from sciatica_care.scheduling.models import WaitlistStatus

    e = entry(desk, patient=desk["patient"])
    other = login(world["b"]["reception"])
    assert "Ann Smitha" not in other.get(reverse("scheduling:waitlist")).content.decode()
    assert other.post(reverse("scheduling:waitlist_withdraw", args=[e.pk])).status_code == 404
    assert other.post(reverse("scheduling:waitlist_link", args=[e.pk]),
                      {"patient": world["b"]["patient"].pk}).status_code == 404
    e.refresh_from_db()
    assert e.status == WaitlistStatus.WAITING
    assert e.patient == desk["patient"]
    assert AuditEvent.objects.filter(action="denied_other_clinic", object_type="WaitlistEntry").exists()


def test_linking_is_tucked_in_a_disclosure_opened_while_searching(desk: dict[str, Any], login: Any) -> None:
    entry(desk, patient=desk["patient"])
    e = entry(desk, prospect_name="Wren Waiting", prospect_email="wren@example.org")
    client = login(desk["reception"])
    text = client.get(reverse("scheduling:waitlist")).content.decode()
    assert text.count('<details class="wl-link">') == 1  # only the entry not yet linked to a patient
    assert "<h1>Waitlist <span class=\"cal-when\">2 waiting</span></h1>" in text
    assert '<section class="card wl-add" aria-labelledby="add">' in text
    assert text.count('<label class="check"><input type="checkbox" name="weekdays"') == 7
    assert 'class="wl-state wl-waiting"' in text
    searching = client.get(reverse("scheduling:waitlist"), {"link": e.pk, "q": "Smitha"}).content.decode()
    assert '<details class="wl-link" open>' in searching
    assert "style=" not in text
    assert "<script>" not in text
