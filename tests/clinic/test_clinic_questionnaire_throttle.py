"""The public one-time questionnaire link (`/q/<token>/`) needs no account, so guessing tokens is throttled per
client address: after the limit of unknown tokens, every link from that address gets 429 for a while; other
addresses, and patients opening their own valid link, are not affected."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sciatica_care.clinic import records
from sciatica_care.clinic.models import AuditEvent, OutcomeScore

pytestmark = pytest.mark.django_db

GUESSER = "203.0.113.7"
PATIENT = "198.51.100.20"
LIMIT = 4


@pytest.fixture(autouse=True)
def small_limit(settings: Any) -> None:
    settings.QUESTIONNAIRE_LINK_FAILURE_LIMIT = LIMIT
    settings.QUESTIONNAIRE_LINK_LOCKOUT_SECONDS = 15 * 60


def _link(world: dict[str, Any], measure: str = "sbi") -> str:
    a = world["a"]
    _, token = records.create_questionnaire_link(a["practitioner"], a["episode"], measure)
    return reverse("clinic:questionnaire", args=[token])


def _guess(client: Client, n: int, address: str = GUESSER) -> list[int]:
    return [
        client.get(reverse("clinic:questionnaire", args=[f"guess-{i}-x"]), REMOTE_ADDR=address).status_code
        for i in range(n)
    ]


SBI = {f"sbi_{k}": "2" for k in range(4)}


def test_unknown_tokens_from_one_address_are_throttled(world: dict[str, Any]) -> None:
    """The first LIMIT unknown tokens are answered as unknown (410); after that the address gets 429, with a clear
    page and Retry-After, for every link — a real one included, so the answer tells a guesser nothing."""
    client = Client()
    assert _guess(client, LIMIT) == [410] * LIMIT
    refused = client.get(reverse("clinic:questionnaire", args=["one-more"]), REMOTE_ADDR=GUESSER)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(15 * 60)
    body = refused.content.decode()
    assert "Too many attempts" in body
    assert "15 minutes" in body
    valid = _link(world)
    assert client.get(valid, REMOTE_ADDR=GUESSER).status_code == 429
    assert client.post(valid, SBI, REMOTE_ADDR=GUESSER).status_code == 429
    assert not OutcomeScore.objects.filter(instrument="sbi").exists()
    throttled = AuditEvent.objects.filter(action="questionnaire_link_throttled")
    assert throttled.count() == 1  # when the lock starts, not once per refused request
    assert throttled.get().detail["address"] == GUESSER


def test_a_valid_link_from_another_address_still_works(world: dict[str, Any]) -> None:
    """A guesser's lock is theirs alone: a patient elsewhere opens and completes their link, once."""
    _guess(Client(), LIMIT + 3)
    url = _link(world)
    patient = Client()
    assert patient.get(url, REMOTE_ADDR=PATIENT).status_code == 200
    done = patient.post(url, SBI, REMOTE_ADDR=PATIENT)
    assert done.status_code == 200
    assert "Thank you" in done.content.decode()
    assert OutcomeScore.objects.filter(instrument="sbi", source="link").count() == 1
    again = patient.get(url, REMOTE_ADDR=PATIENT)
    assert again.status_code == 410  # works once, as before
    assert "already been filled in" in again.content.decode()


def test_a_patient_opening_their_valid_link_is_never_counted(world: dict[str, Any]) -> None:
    """Opening one's own link again and again, sending an incomplete form, even a mistyped link or two first:
    none of it locks the patient out."""
    url = _link(world)
    patient = Client()
    assert _guess(patient, LIMIT - 1, PATIENT) == [410] * (LIMIT - 1)  # mistyped links
    for _ in range(LIMIT * 3):
        assert patient.get(url, REMOTE_ADDR=PATIENT).status_code == 200
    assert patient.post(url, {"sbi_0": "2"}, REMOTE_ADDR=PATIENT).status_code == 422  # incomplete: not a guess
    assert patient.post(url, SBI, REMOTE_ADDR=PATIENT).status_code == 200
    assert OutcomeScore.objects.filter(instrument="sbi").count() == 1


def test_used_or_expired_links_are_not_counted_as_guesses(world: dict[str, Any]) -> None:
    """A patient who clicks their spent link again keeps getting the clear 'already filled in' page, never 429."""
    url = _link(world)
    patient = Client()
    assert patient.post(url, SBI, REMOTE_ADDR=PATIENT).status_code == 200
    assert [patient.get(url, REMOTE_ADDR=PATIENT).status_code for _ in range(LIMIT * 2)] == [410] * (LIMIT * 2)


def test_tablet_mode_on_the_clinic_network_is_not_throttled_by_its_own_use(world: dict[str, Any], login: Any) -> None:
    """Patients on the waiting-room tablet share one address; their valid links never count against it."""
    a = world["a"]
    for _ in range(LIMIT + 2):
        _, token = records.create_questionnaire_link(a["practitioner"], a["episode"], "sbi", mode="tablet", hours=1)
        url = reverse("clinic:questionnaire", args=[token])
        assert Client().get(url, REMOTE_ADDR=PATIENT).status_code == 200
        assert Client().post(url, SBI, REMOTE_ADDR=PATIENT).status_code == 200


def test_the_lock_ends_after_the_window(world: dict[str, Any], settings: Any) -> None:
    settings.QUESTIONNAIRE_LINK_LOCKOUT_SECONDS = 1
    client = Client()
    _guess(client, LIMIT)
    url = _link(world)
    assert client.get(url, REMOTE_ADDR=GUESSER).status_code == 429
    time.sleep(1.2)
    assert client.get(url, REMOTE_ADDR=GUESSER).status_code == 200


def test_login_and_link_throttles_count_separately(world: dict[str, Any]) -> None:
    """Locked out of the questionnaire links, the same address can still log in (and the other way round)."""
    client = Client()
    _guess(client, LIMIT + 1)
    from clinic_fixtures import PASSWORD

    r = client.post(reverse("clinic:login"), {"username": "prac_a", "password": PASSWORD}, REMOTE_ADDR=GUESSER)
    assert r.status_code == 302
