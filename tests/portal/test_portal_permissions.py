"""Who reaches what: a patient's account reaches its own portal and nothing else — no other patient's record, no
staff page, no API endpoint (every URL outside the portal is enumerated, so a page added later is covered) — and
staff, or someone not signed in, get no portal page."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from portal_fixtures import entry

from sciatica_care.clinic import api_tokens, records
from sciatica_care.clinic.models import ApiToken, Role
from sciatica_care.errors import InputRefused
from sciatica_care.portal.models import JournalEntry

pytestmark = pytest.mark.django_db

BACKEND = "sciatica_care.portal.patient_auth.PatientBackend"


def _urls() -> list[tuple[str, str, tuple[str, ...]]]:
    """(namespace, name, converters) for every named URL of the site."""
    out: list[tuple[str, str, tuple[str, ...]]] = []

    def walk(patterns: list[Any], namespace: str, converters: tuple[str, ...]) -> None:
        for p in patterns:
            here = (*converters, *p.pattern.converters)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, ":".join(x for x in (namespace, p.namespace or "") if x), here)
            elif isinstance(p, URLPattern) and p.name:
                out.append((namespace, p.name, here))

    walk(get_resolver().url_patterns, "", ())
    return sorted(set(out))


ALL_URLS = _urls()
#: The public booking pages (`booking`, /book/) are open to a patient's account as to anyone: each guards itself.
OUTSIDE = [(f"{ns}:{name}" if ns else name, conv) for ns, name, conv in ALL_URLS if ns not in ("portal", "booking")]
PORTAL = {name: conv for ns, name, conv in ALL_URLS if ns == "portal"}
#: Portal addresses for someone not signed in, and why; every other portal page is the signed-in patient's only.
PUBLIC_PORTAL = {
    "signin": "signing in", "signin_code": "signing in", "signin_second_factor": "signing in",
    "signout": "signing out", "welcome": "an invitation link (the link is the key)",
    "manifest": "the web app's manifest", "service_worker": "the service worker", "offline": "the offline page",
}
PATIENT_ONLY = sorted(set(PORTAL) - set(PUBLIC_PORTAL))


def _args(name: str, converters: Any, pk: int) -> str:
    args: list[Any] = []
    for key in converters:
        conv = converters[key] if isinstance(converters, dict) else None
        regex = getattr(conv, "regex", "[0-9]+")
        args.append(pk if regex == "[0-9]+" else f"x{pk}")
    return reverse(name, args=args)


def _patterns() -> dict[str, Any]:
    """name → its converters (key → converter), for reversing with the right kinds of values."""
    found: dict[str, Any] = {}

    def walk(patterns: list[Any], namespace: str, converters: dict[str, Any]) -> None:
        for p in patterns:
            here = {**converters, **p.pattern.converters}
            if isinstance(p, URLResolver):
                walk(p.url_patterns, ":".join(x for x in (namespace, p.namespace or "") if x), here)
            elif isinstance(p, URLPattern) and p.name:
                found[f"{namespace}:{p.name}" if namespace else p.name] = here

    walk(get_resolver().url_patterns, "", {})
    return found


CONVERTERS = _patterns()


def test_the_walk_finds_the_staff_pages_and_the_api() -> None:
    """The enumeration sees clinic pages and API operations (so the parametrised tests below mean something)."""
    names = {n for n, _ in OUTSIDE}
    assert {"clinic:patient_list", "clinic:patient_detail", "clinic:staff_list", "clinic:audit_log"} <= names
    assert any(n.startswith("api:") for n in names)


@pytest.mark.parametrize("name", [n for n, _ in OUTSIDE])
def test_a_patient_reaches_no_page_outside_the_portal(world: dict[str, Any], accounts_ab: dict[str, Any],
                                                       name: str) -> None:
    """Every staff page and API endpoint answers a patient's account 404, for GET and POST, even for the
    patient's own record."""
    client = Client()
    client.force_login(accounts_ab["a"], backend=BACKEND)
    own = world["a"]["patient"].pk
    if name in ("clinic:logout",):
        pytest.skip("signing out is open to everyone")
    url = _args(name, CONVERTERS[name], own)
    assert client.get(url).status_code == 404, url
    assert client.post(url, {"x": "1"}).status_code == 404, url


def test_the_patient_can_sign_out_through_the_clinics_logout_too(accounts_ab: dict[str, Any]) -> None:
    """The one address outside /portal/ a patient's account may use: signing out."""
    client = Client()
    client.force_login(accounts_ab["a"], backend=BACKEND)
    assert client.post(reverse("clinic:logout")).status_code == 302
    assert client.get(reverse("portal:home")).status_code == 302  # signed out: the sign-in page


def test_a_patient_account_never_gets_an_api_token(accounts_ab: dict[str, Any]) -> None:
    """Issuing a token to a patient's account is refused."""
    with pytest.raises(InputRefused):
        api_tokens.issue(accounts_ab["a"], "mine")


def test_a_token_held_by_a_patient_account_does_not_open_the_api(accounts_ab: dict[str, Any]) -> None:
    """Even a token row made for a patient's account some other way is refused (401)."""
    account = accounts_ab["a"]
    token = "patient-token-made-by-hand-0123456789"  # noqa: S105 - test data
    ApiToken.objects.create(staff=account, name="x", digest=api_tokens.digest(token),
                            expires_at=timezone.now() + dt.timedelta(days=1), scope="read_write")
    assert api_tokens.lookup(token) is None
    r = Client().get("/api/patients", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 401


def test_every_portal_page_is_public_or_the_patients_own() -> None:
    """A new portal URL must be listed as public (and why) or be covered by the patient-only tests below."""
    assert set(PUBLIC_PORTAL) <= set(PORTAL)
    assert {"home", "diary", "diary_api", "progress", "settings"} <= set(PATIENT_ONLY)


@pytest.mark.parametrize("name", PATIENT_ONLY)
@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.CLINIC_ADMIN, Role.RECEPTION])
def test_staff_get_no_portal_page(world: dict[str, Any], accounts_ab: dict[str, Any], role: str, name: str) -> None:
    """The portal is for patients: a member of staff is refused (403), whatever their role."""
    staff = world["a"][{"practitioner": "practitioner", "clinic_admin": "clinic_admin",
                        "reception": "reception"}[role]]
    client = Client()
    client.force_login(staff)
    url = _args(f"portal:{name}", CONVERTERS[f"portal:{name}"], world["a"]["patient"].pk)
    assert client.get(url).status_code in (403, 405)
    assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize("name", PATIENT_ONLY)
def test_no_portal_page_without_signing_in(world: dict[str, Any], name: str) -> None:
    """Not signed in: the sign-in page (a page) or 401 (the JSON endpoint)."""
    url = _args(f"portal:{name}", CONVERTERS[f"portal:{name}"], 1)
    r = Client().get(url)
    if name.endswith("_api"):
        assert Client().post(url, "{}", content_type="application/json").status_code == 401
    else:
        assert r.status_code == 302
        assert r["Location"].startswith(reverse("portal:signin"))


def test_an_inactive_account_is_signed_out(world: dict[str, Any], accounts_ab: dict[str, Any]) -> None:
    """Access turned off by the clinic: the session no longer opens the portal."""
    from sciatica_care.portal import accounts

    client = Client()
    client.force_login(accounts_ab["a"], backend=BACKEND)
    accounts.end_access(world["a"]["practitioner"], world["a"]["patient"])
    assert client.get(reverse("portal:home")).status_code == 302


def test_a_patient_never_reaches_another_patients_questionnaire(world: dict[str, Any],
                                                                  accounts_ab: dict[str, Any]) -> None:
    """A questionnaire sent to patient B is 404 for patient A; A's own opens."""
    b_link, _ = records.create_questionnaire_link(world["b"]["practitioner"], world["b"]["episode"], "odi")
    a_link, _ = records.create_questionnaire_link(world["a"]["practitioner"], world["a"]["episode"], "odi")
    client = Client()
    client.force_login(accounts_ab["a"], backend=BACKEND)
    assert client.get(reverse("portal:questionnaire", args=[b_link.pk])).status_code == 404
    assert client.get(reverse("portal:questionnaire", args=[a_link.pk])).status_code == 200


@pytest.mark.parametrize("name", ["home", "diary", "progress"])
def test_a_patients_pages_show_only_their_own_diary(world: dict[str, Any], accounts_ab: dict[str, Any],
                                                    name: str) -> None:
    """Patient B's entries never appear on patient A's pages."""
    for key in ("a", "b"):
        c = Client()
        c.force_login(accounts_ab[key], backend=BACKEND)
        doc = entry(flare_up=True, flare_trigger=f"marker-{key}-trigger")
        assert c.post(reverse("portal:diary_api"), json.dumps(doc), content_type="application/json").status_code == 201
    client = Client()
    client.force_login(accounts_ab["a"], backend=BACKEND)
    body = client.get(reverse(f"portal:{name}")).content.decode()
    assert "marker-b-trigger" not in body
    assert "Smithb" not in body
    assert JournalEntry.objects.filter(patient=world["b"]["patient"]).count() == 1


def test_a_patient_account_sees_no_clinic_records_through_the_access_helpers(world: dict[str, Any],
                                                                            accounts_ab: dict[str, Any]) -> None:
    """Belt and braces: were a staff view ever reached, the access helpers give a patient account nothing."""
    from sciatica_care.clinic import access
    from sciatica_care.clinic.models import Patient

    assert not access.scoped(accounts_ab["a"], Patient).exists()
    assert not access.listed_patients(accounts_ab["a"]).exists()
