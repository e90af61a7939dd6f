"""The public waitlist pages: the offer link (see, take, let go; kind refusals, never a 500; unknown links
throttled) and a clinic's join page (only while its online booking is on; limited per address; never says whether
someone is a patient)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from test_waitlist import BOOKED_AT, LATE, START, book, offers_to, token_of, wait

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks_and_empty_cache(settings: Any, sms_outbox: list[Any]) -> None:
    from django.core.cache import cache

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    cache.clear()


@pytest.fixture
def offered(desk: dict[str, Any], django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    from sciatica_care.scheduling import booking

    with time_machine.travel(BOOKED_AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(desk)
        cat = wait(desk, "Cat Early", at=BOOKED_AT)
        wait(desk, "Dan Next", at=BOOKED_AT + dt.timedelta(minutes=1))
    with time_machine.travel(LATE, tick=False), django_capture_on_commit_callbacks(execute=True):
        booking.cancel(appointment, by=None, reason="cannot come")
    return {"cat": cat, "url": f"/book/offer/{token_of(offers_to('cat@example.org')[0])}/"}


def test_the_offer_page_shows_the_time_and_accepting_books_it(client: Any, offered: dict[str, Any]) -> None:
    from sciatica_care.scheduling.models import Appointment, BookedVia

    with time_machine.travel(LATE + dt.timedelta(minutes=3), tick=False):
        page = client.get(offered["url"])
        assert page.status_code == 200
        text = page.content.decode()
        assert "Wednesday 6 January 2027 at 10:00" in text
        assert "Book this time" in text
        done = client.post(offered["url"], {"action": "accept"})
    assert done.status_code == 200
    assert "You are booked" in done.content.decode()
    assert Appointment.objects.get(start=START, status="booked").booked_via == BookedVia.WAITLIST


def test_declining_on_the_page_offers_it_to_the_next(client: Any, offered: dict[str, Any]) -> None:
    with time_machine.travel(LATE + dt.timedelta(minutes=3), tick=False):
        done = client.post(offered["url"], {"action": "decline"})
    assert done.status_code == 200
    assert "next person" in done.content.decode()
    assert len(offers_to("dan@example.org")) == 1


def test_a_taken_or_expired_offer_is_refused_kindly(client: Any, desk: dict[str, Any],
                                                    offered: dict[str, Any]) -> None:
    with time_machine.travel(LATE + dt.timedelta(minutes=200), tick=False):
        page = client.get(offered["url"])
        assert page.status_code == 200
        assert "has passed" in page.content.decode()
        assert "Book this time" not in page.content.decode()
        late = client.post(offered["url"], {"action": "accept"})
    assert late.status_code == 409
    assert "nothing was booked" in late.content.decode()


def test_a_time_taken_meanwhile_says_so(client: Any, desk: dict[str, Any], offered: dict[str, Any]) -> None:
    with time_machine.travel(LATE + dt.timedelta(minutes=3), tick=False):
        book(desk, prospect_name="Walk In", prospect_email="walk@example.org")
        taken = client.post(offered["url"], {"action": "accept"})
    assert taken.status_code == 409
    assert "Someone else booked this time" in taken.content.decode()


def test_no_answer_chosen_names_the_choice(client: Any, offered: dict[str, Any]) -> None:
    with time_machine.travel(LATE + dt.timedelta(minutes=3), tick=False):
        page = client.post(offered["url"], {"action": "maybe"})
    assert page.status_code == 422
    assert "Choose whether" in page.content.decode()


def test_unknown_offer_links_are_throttled_per_address(client: Any, settings: Any,
                                                       offered: dict[str, Any]) -> None:
    settings.QUESTIONNAIRE_LINK_FAILURE_LIMIT = 3
    with time_machine.travel(LATE + dt.timedelta(minutes=3), tick=False):
        for n in range(3):
            assert client.get(f"/book/offer/guess{n}/").status_code == 404
        # locked now: the real link is refused too, so the answer tells a guesser nothing
        locked = client.get(offered["url"])
        assert locked.status_code == 429
        assert locked["Retry-After"]
        assert client.get(offered["url"], REMOTE_ADDR="198.51.100.7").status_code == 200


# --- the join page --------------------------------------------------------------------------------------------


@pytest.fixture
def public(desk: dict[str, Any]) -> dict[str, Any]:
    rules = desk["rules"]
    rules.online_booking, rules.public_slug = True, "high-street"
    rules.save()
    return desk


def join_data(desk: dict[str, Any], **kw: Any) -> dict[str, Any]:
    today = dt.datetime.now(dt.UTC).date()
    return {"name": "Fay Public", "email": "fay@example.org", "phone": "",
            "service": desk["services"]["electroacupuncture"].pk, "practitioner": "",
            "earliest": today.isoformat(), "latest": (today + dt.timedelta(days=20)).isoformat(),
            "weekdays": ["0", "2"], **kw}


def test_joining_from_the_public_page(client: Any, public: dict[str, Any]) -> None:
    from sciatica_care.scheduling.models import WaitlistEntry

    assert client.get("/book/high-street/waitlist/").status_code == 200
    done = client.post("/book/high-street/waitlist/", join_data(public))
    assert done.status_code == 200
    assert "Thank you" in done.content.decode()
    entry = WaitlistEntry.objects.get()
    assert (entry.patient_id, entry.prospect_name, entry.weekdays) == (None, "Fay Public", [0, 2])


def test_the_join_page_is_there_only_while_online_booking_is_on(client: Any, public: dict[str, Any]) -> None:
    assert client.get("/book/nowhere/waitlist/").status_code == 404
    public["rules"].online_booking = False
    public["rules"].save()
    assert client.get("/book/high-street/waitlist/").status_code == 404
    assert client.post("/book/high-street/waitlist/", join_data(public)).status_code == 404


def test_the_join_page_names_each_bad_field(client: Any, public: dict[str, Any]) -> None:
    from sciatica_care.scheduling.models import WaitlistEntry

    bad = client.post("/book/high-street/waitlist/", join_data(public, name="", email="", latest="2020-01-01",
                                                               service="999999"))
    assert bad.status_code == 422
    text = bad.content.decode()
    for field in ("name", "email", "service"):
        assert f'id="id_{field}-error"' in text, field
    assert not WaitlistEntry.objects.exists()


def test_the_join_page_never_says_whether_someone_is_a_patient(client: Any, public: dict[str, Any]) -> None:
    from sciatica_care.scheduling.models import WaitlistEntry

    patient = public["patient"]
    patient.email = "ann@example.org"
    patient.save()
    known = client.post("/book/high-street/waitlist/", join_data(public, name="Ann Smith", email="ann@example.org"))
    stranger = client.post("/book/high-street/waitlist/", join_data(public, name="Ann Smith",
                                                                    email="nobody@example.org"))
    assert (known.status_code, known.content) == (stranger.status_code, stranger.content)
    assert not WaitlistEntry.objects.filter(patient__isnull=False).exists()


def test_joining_is_limited_per_address(client: Any, public: dict[str, Any]) -> None:
    from sciatica_care.scheduling.models import WaitlistEntry

    for _ in range(5):
        assert client.post("/book/high-street/waitlist/", join_data(public)).status_code == 200
    refused = client.post("/book/high-street/waitlist/", join_data(public))
    assert refused.status_code == 429
    assert WaitlistEntry.objects.count() == 5
    assert client.post("/book/high-street/waitlist/", join_data(public),
                       REMOTE_ADDR="198.51.100.9").status_code == 200


def test_the_join_page_looks_like_the_booking_page_and_offers_only_what_can_be_offered(
        client: Any, public: dict[str, Any]) -> None:
    massage = public["services"]["massage"]
    massage.online_bookable = False
    massage.save()
    page = client.get("/book/high-street/waitlist/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "scheduling/online_booking.css" in text
    assert '<p class="ob-clinic">Clinic A</p>' in text
    assert 'class="ob-card"' in text
    assert "Therapeutic massage" not in text
    assert "Initial assessment and treatment" in text
    assert text.count("for patients who have been before") == 2  # follow-up acupuncture and electroacupuncture
    assert 'class="ob-days"' in text
    assert "<script" not in text
    assert "style=" not in text
    refused = client.post("/book/high-street/waitlist/", join_data(public, service=massage.pk))
    assert refused.status_code == 422
    assert 'id="id_service-error"' in refused.content.decode()


def test_the_booking_page_can_pass_on_the_service_and_practitioner(client: Any, public: dict[str, Any]) -> None:
    call = public["services"]["consultation_call"]
    text = client.get("/book/high-street/waitlist/", {"service": call.pk, "practitioner": "999999"}
                      ).content.decode()
    assert re.search(rf'name="service" value="{call.pk}" id="id_service_\d+" checked', text)
    assert text.count(" checked") == 1  # the service; an unknown practitioner is ignored
    assert '<option value="" selected>Anyone</option>' in text


def test_joining_says_clearly_what_was_asked_for(client: Any, public: dict[str, Any]) -> None:
    done = client.post("/book/high-street/waitlist/", join_data(public, weekdays=["1", "3"]))
    text = done.content.decode()
    assert "<h1>You're on the waitlist</h1>" in text
    assert "<dd>Electroacupuncture</dd>" in text
    assert "<dd>Anyone</dd>" in text
    assert "<dd>Tuesday, Thursday</dd>" in text
    assert "What happens next" in text
    assert "fay@example.org" not in text  # the contact is not repeated back
