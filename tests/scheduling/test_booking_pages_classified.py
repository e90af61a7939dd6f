"""Every public booking page (namespace `booking`, under /book/) is open to anyone, so each must say what guards
it: the clinic's switch, a one-time code, or a token in the link. A page added without saying fails here."""

from __future__ import annotations

from django.urls import URLPattern

from sciatica_care.scheduling.online.urls import urlpatterns

#: name: what guards it ("switch": shown only while the clinic's online booking is on; "code": a one-time code
#: sent to the contact on file; "token": the secret in a link the person was sent).
PUBLIC_PAGES: dict[str, str] = {
    "offer": "token",
    "waitlist_join": "switch",
}


def test_every_public_booking_page_says_what_guards_it() -> None:
    names = {p.name for p in urlpatterns if isinstance(p, URLPattern)}
    assert names == set(PUBLIC_PAGES), f"classify these /book/ pages in PUBLIC_PAGES: {names ^ set(PUBLIC_PAGES)}"
    assert set(PUBLIC_PAGES.values()) <= {"switch", "code", "token"}
