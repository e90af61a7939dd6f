"""The portal's "Book an appointment": a link to the patient's own clinic's booking page while the clinic takes
bookings online, nothing otherwise; following it reaches the booking page and never a staff page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a class="button" href="([^"]+)">Book an appointment</a>')


def _rules(world: dict[str, Any], key: str, *, on: bool, slug: str | None) -> None:
    from sciatica_care.scheduling.models import BookingRules

    BookingRules.objects.update_or_create(clinic=world[key]["clinic"],
                                          defaults={"online_booking": on, "public_slug": slug})


def _link(client: Any) -> str | None:
    found = LINK.search(client.get(reverse("portal:home")).content.decode())
    return found.group(1) if found else None


def test_the_link_is_shown_only_while_the_clinic_books_online(patient_client: Any, world: dict[str, Any]) -> None:
    assert _link(patient_client) is None  # no booking rules at all
    _rules(world, "a", on=False, slug="clinic-a")
    assert _link(patient_client) is None
    _rules(world, "a", on=True, slug=None)
    assert _link(patient_client) is None
    _rules(world, "b", on=True, slug="clinic-b")  # another clinic's page is never offered
    assert _link(patient_client) is None
    _rules(world, "a", on=True, slug="clinic-a")
    assert _link(patient_client) == "/book/clinic-a/"


def test_following_the_link_books_as_the_patient_and_staff_pages_stay_shut(patient_client: Any,
                                                                          world: dict[str, Any]) -> None:
    _rules(world, "a", on=True, slug="clinic-a")
    link = _link(patient_client)
    assert link is not None
    page = patient_client.get(link)
    assert page.status_code == 200
    assert "Booking as <strong>Ann</strong>" in page.content.decode()
    for staff_page in ("/", "/patients/", f"/patients/{world['a']['patient'].pk}/", "/calendar/", "/settings/"):
        assert patient_client.get(staff_page).status_code == 404
