"""Every public booking page (namespace `booking`, under /book/) is open to anyone, so each must say what guards
it: the clinic's switch, a one-time code, or a token in the link. A page added without saying fails here."""

from __future__ import annotations

import pytest
from django.urls import URLPattern

from sciatica_care.scheduling.online.urls import urlpatterns

#: name: what guards it ("switch": shown only while the clinic's online booking is on; "code": a one-time code
#: sent to the contact on file; "token": the secret in a link the person was sent).
PUBLIC_PAGES: dict[str, str] = {
    "online_start": "switch",
    "online_details": "switch",
    "online_code": "code",
    "online_done": "token",
    "manage": "token",
    "manage_cancel": "token",
    "manage_move": "token",
    "offer": "token",
    "waitlist_join": "switch",
}


def test_every_public_booking_page_says_what_guards_it() -> None:
    names = {p.name for p in urlpatterns if isinstance(p, URLPattern)}
    assert names == set(PUBLIC_PAGES), f"classify these /book/ pages in PUBLIC_PAGES: {names ^ set(PUBLIC_PAGES)}"
    assert set(PUBLIC_PAGES.values()) <= {"switch", "code", "token"}


def test_a_clinics_booking_address_cannot_be_one_of_the_pages_own() -> None:
    """`/book/manage/…` and `/book/offer/…` are the link pages: no clinic may take those words as its address."""
    from django.core.exceptions import ValidationError

    from sciatica_care.scheduling.models.front_desk import BookingRules

    for word in ("manage", "offer", "Waitlist"):
        rules = BookingRules(clinic_id=1, public_slug=word)
        with pytest.raises(ValidationError) as refused:
            rules.full_clean(exclude=["clinic"])
        assert "public_slug" in refused.value.message_dict
