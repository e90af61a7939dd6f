"""The plan view's cached body (clinic/figures.py `plan_body`) and the clinic's Argon2 parameters."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from clinic_fixtures import PASSWORD
from django.urls import reverse

from sciatica_care.clinic import figures
from sciatica_care.clinic.models import AuditEvent, PlanRevision


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the renders of the plan body (cache misses; its timing banner is rendered with it)."""
    calls: list[str] = []
    real = figures.render_to_string

    def counting(name: str, context: Any = None, *args: Any, **kwargs: Any) -> str:
        if name != "clinic/_plan_timing.html":
            calls.append(name)
        return real(name, context, *args, **kwargs)

    monkeypatch.setattr(figures, "render_to_string", counting)
    return calls


def _body(revision: PlanRevision) -> str:
    """The body as the plan view gets it: keyed by the plan's stored text."""
    return str(_cached(revision).html)


def _cached(revision: PlanRevision) -> figures.PlanBody:
    stored = PlanRevision.objects.annotate(plan_text=figures.stored_plan_text()).defer("plan").get(pk=revision.pk)
    return figures.cached_plan_body(stored, stored.plan_text)


def _timing(revision: PlanRevision) -> str:
    """The timing banner cached with the body (it carries the triage advice)."""
    return str(_cached(revision).timing)


def _reads(revision: PlanRevision) -> int:
    return AuditEvent.objects.filter(action="read", object_type="PlanRevision", object_id=revision.pk).count()


def _second_revision(first: PlanRevision, advice: str) -> PlanRevision:
    plan = copy.deepcopy(first.plan)
    plan["triage"]["advice"] = advice
    return PlanRevision.objects.create(
        clinic=first.clinic, episode=first.episode, intake=first.intake, number=first.number + 1, plan=plan,
        engine_version=first.engine_version, knowledge_version=first.knowledge_version,
        created_by=first.created_by)


def test_second_read_hits_the_cache_with_identical_body_and_is_still_audited(
        world: dict[str, Any], login: Any, renders: list[str]) -> None:
    a = world["a"]
    revision = a["plan"]
    client = login(a["practitioner"])
    url = reverse("clinic:plan", args=[revision.pk])
    before = _reads(revision)
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert renders == ["clinic/_plan_body.html"]  # rendered once, then served from the cache
    body = _body(revision)
    assert renders == ["clinic/_plan_body.html"]
    assert '<div class="plan">' in body
    assert body in first.content.decode()
    assert body in second.content.decode()
    assert _reads(revision) == before + 2  # every read is audited, cache hit or not
    assert "Content-Security-Policy" in second.headers


def test_cached_body_is_the_same_for_every_reader_and_carries_nothing_of_theirs(
        world: dict[str, Any], login: Any, renders: list[str]) -> None:
    a = world["a"]
    revision = a["plan"]
    url = reverse("clinic:plan", args=[revision.pk])
    login(a["practitioner"]).get(url)
    body = _body(revision)
    for who in ("practitioner", "clinic_admin"):
        assert a[who].username not in body
    assert a["patient"].last_name not in body
    r = login(a["clinic_admin"]).get(url)
    assert r.status_code == 200
    assert body in r.content.decode()
    assert renders == ["clinic/_plan_body.html"]


def test_another_clinic_gets_404_even_when_the_body_is_cached(world: dict[str, Any], login: Any) -> None:
    a, b = world["a"], world["b"]
    url = reverse("clinic:plan", args=[a["plan"].pk])
    assert login(a["practitioner"]).get(url).status_code == 200
    before = _reads(a["plan"])
    r = login(b["practitioner"]).get(url)
    assert r.status_code == 404
    assert '<div class="plan">' not in r.content.decode()
    assert _reads(a["plan"]) == before


def test_a_different_revision_gets_its_own_body_escaped(world: dict[str, Any], login: Any,
                                                        renders: list[str]) -> None:
    a = world["a"]
    first = a["plan"]
    second = _second_revision(first, "Walk <b>daily</b> & rest")
    client = login(a["practitioner"])
    body1 = client.get(reverse("clinic:plan", args=[first.pk])).content.decode()
    body2 = client.get(reverse("clinic:plan", args=[second.pk])).content.decode()
    assert figures.plan_body_key(first) != figures.plan_body_key(second)
    assert _timing(first) != _timing(second)
    assert "Walk &lt;b&gt;daily&lt;/b&gt; &amp; rest" in body2
    assert "Walk &lt;b&gt;daily" not in body1  # the real plan has its own walking advice; not this text
    assert "<b>daily</b>" not in body2
    assert len(renders) == 2


def test_the_key_follows_the_stored_plan_and_the_versions(world: dict[str, Any]) -> None:
    """A plan changed behind the app's back (raw SQL) is never served from a stale entry."""
    revision = world["a"]["plan"]
    key = figures.plan_body_key(revision)
    assert revision.engine_version in key
    assert revision.knowledge_version in key
    revision.engine_version = "9.9.9-other"
    assert figures.plan_body_key(revision) != key
    revision.refresh_from_db()
    assert figures.plan_body_key(revision) == key
    revision.plan = {**revision.plan, "warnings": [{"id": "x", "text": "changed"}]}
    assert figures.plan_body_key(revision) != key


def test_the_stored_text_key_follows_a_change_made_behind_the_apps_back(world: dict[str, Any], login: Any,
                                                                       renders: list[str]) -> None:
    """The plan view keys the body by the text the database holds: an UPDATE outside the app (or a restored
    backup under a running server) gets its own rendering, never the body of the plan that was there before."""
    revision = world["a"]["plan"]
    client = login(world["a"]["practitioner"])
    url = reverse("clinic:plan", args=[revision.pk])
    assert "Rest when it flares" not in client.get(url).content.decode()
    plan = copy.deepcopy(revision.plan)
    plan["triage"]["advice"] = "Rest when it flares"
    PlanRevision.objects.filter(pk=revision.pk).update(plan=plan)
    assert "Rest when it flares" in client.get(url).content.decode()
    assert renders == ["clinic/_plan_body.html", "clinic/_plan_body.html"]


def test_revisions_with_the_same_plan_share_one_render(world: dict[str, Any], login: Any,
                                                       renders: list[str]) -> None:
    """Same plan, same bytes: sharing the rendering across revisions (and clinics) reveals nothing."""
    a, b = world["a"], world["b"]
    assert a["plan"].plan == b["plan"].plan  # the same intake in both clinics
    ra = login(a["practitioner"]).get(reverse("clinic:plan", args=[a["plan"].pk]))
    rb = login(b["practitioner"]).get(reverse("clinic:plan", args=[b["plan"].pk]))
    assert ra.status_code == rb.status_code == 200
    assert renders == ["clinic/_plan_body.html"]
    assert a["patient"].last_name not in rb.content.decode()
    assert b["patient"].last_name in rb.content.decode()


# --- Argon2 ------------------------------------------------------------------------------------------------------


@pytest.fixture
def clinic_hashers(settings: Any) -> None:
    from sciatica_care.site import settings as site_settings

    settings.PASSWORD_HASHERS = list(site_settings.PASSWORD_HASHERS)


def test_clinic_hasher_is_first_and_uses_owasp_minimum_parameters(clinic_hashers: None) -> None:
    from django.contrib.auth.hashers import check_password, get_hasher, make_password

    from sciatica_care.site.hashers import ClinicArgon2PasswordHasher

    hasher = get_hasher("default")
    assert isinstance(hasher, ClinicArgon2PasswordHasher)
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$")
    decoded = hasher.decode(encoded)
    assert (decoded["memory_cost"], decoded["time_cost"], decoded["parallelism"]) == (19 * 1024, 2, 1)
    assert check_password(PASSWORD, encoded)
    assert not check_password(PASSWORD + "x", encoded)
    assert not hasher.must_update(encoded)


def test_hashes_with_djangos_defaults_still_verify_and_are_upgraded_at_login(
        world: dict[str, Any], client: Any, clinic_hashers: None) -> None:
    from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher

    user = world["a"]["practitioner"]
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    assert Argon2PasswordHasher().decode(old)["memory_cost"] == 102400
    user.password = old
    user.save(update_fields=["password"])
    r = client.post(reverse("clinic:login"), {"username": user.username, "password": PASSWORD})
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.password != old
    assert get_hasher("default").decode(user.password)["memory_cost"] == 19 * 1024
