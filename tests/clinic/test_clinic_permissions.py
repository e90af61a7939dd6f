"""Who sees what: role × page × own/other clinic. Another clinic's record is 404 (and audited)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from sciatica_care.clinic.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGES = {
    # name: (url name, object key, clinical?)
    "patient": ("clinic:patient_detail", "patient", False),
    "patient_edit": ("clinic:patient_edit", "patient", False),
    "episode": ("clinic:episode", "episode", True),
    "intake": ("clinic:intake", "episode", True),
    "new_course": ("clinic:episode_new", "patient", True),
    "visit_new": ("clinic:visit_new", "episode", True),
    "plan": ("clinic:plan", "plan", True),
    "visit": ("clinic:visit_detail", "visit", True),
    "visit_edit": ("clinic:visit_edit", "visit", True),
    "handout_html": ("clinic:handout_html", "plan", True),
    "handout_pdf": ("clinic:handout_pdf", "plan", True),
    "practitioner_pdf": ("clinic:practitioner_pdf", "plan", True),
    "discharge": ("clinic:discharge", "episode", True),
    "discharge_pdf": ("clinic:discharge_pdf", "episode", True),
}
ROLES = ["practitioner", "clinic_admin", "reception"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("whose", ["own", "other"])
def test_access_matrix(world: dict[str, Any], login: Any, role: str, page: str, whose: str) -> None:
    """Own clinic: clinical pages for practitioner/admin, demographics for all; other clinic: 404 for all."""
    url_name, key, clinical = PAGES[page]
    client = login(world["a"][role])
    target = world["a" if whose == "own" else "b"][key]
    response = client.get(reverse(url_name, args=[target.pk]))
    if whose == "other":
        expected = 404
    elif clinical and role == "reception":
        expected = 403
    else:
        expected = 200
    assert response.status_code == expected


def test_other_clinic_access_is_audited(world: dict[str, Any], login: Any) -> None:
    """Trying another clinic's patient leaves a denied_other_clinic audit event."""
    client = login(world["a"]["practitioner"])
    client.get(reverse("clinic:patient_detail", args=[world["b"]["patient"].pk]))
    event = AuditEvent.objects.filter(action="denied_other_clinic").get()
    assert event.actor == world["a"]["practitioner"]
    assert event.object_id == world["b"]["patient"].pk


def test_patient_list_shows_only_own_clinic(world: dict[str, Any], login: Any) -> None:
    """The list and its search never show another clinic's patients."""
    client = login(world["a"]["reception"])
    body = client.get(reverse("clinic:patient_list"), {"q": "Smith"}).content.decode()
    assert "Smitha" in body
    assert "Smithb" not in body


def test_reception_sees_no_clinical_part_of_patient_page(world: dict[str, Any], login: Any) -> None:
    """Reception's patient page has demographics but no episodes."""
    body = login(world["a"]["reception"]).get(
        reverse("clinic:patient_detail", args=[world["a"]["patient"].pk])).content.decode()
    assert "Courses of care" not in body
    assert "Smitha" in body


def test_reception_denied_clinical_is_audited(world: dict[str, Any], login: Any) -> None:
    """Reception opening a plan is refused and audited."""
    login(world["a"]["reception"]).get(reverse("clinic:plan", args=[world["a"]["plan"].pk]))
    assert AuditEvent.objects.filter(action="denied_role", actor=world["a"]["reception"]).exists()


def test_anonymous_is_sent_to_login(client: Any, world: dict[str, Any]) -> None:
    """Every page needs a login."""
    response = client.get(reverse("clinic:patient_detail", args=[world["a"]["patient"].pk]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_reads_are_audited(world: dict[str, Any], login: Any) -> None:
    """Opening a patient, a plan and a visit each leave a read event naming the patient."""
    a = world["a"]
    client = login(a["practitioner"])
    for name, obj in (("clinic:patient_detail", a["patient"]), ("clinic:plan", a["plan"]),
                      ("clinic:visit_detail", a["visit"])):
        client.get(reverse(name, args=[obj.pk]))
    reads = set(AuditEvent.objects.filter(action="read", patient_id=a["patient"].pk)
                .values_list("object_type", flat=True))
    assert {"Patient", "PlanRevision", "Visit"} <= reads


# Actions (POST, CSRF): discharging and reopening a course. Clinical roles of the episode's own clinic only.
ACTIONS = {
    # name: (url name, whether the episode is discharged first, the form)
    "discharge_close": ("clinic:discharge_close", False, lambda e: {"version": str(e.version),
                                                                    "discharged_on": e.opened_on.isoformat()}),
    "episode_reopen": ("clinic:episode_reopen", True, lambda e: {"version": str(e.version),
                                                                 "reason": "continuing the course"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("whose", ["own", "other"])
def test_action_matrix(world: dict[str, Any], login: Any, role: str, action: str, whose: str) -> None:
    """Own clinic: practitioner and clinic admin act (302), reception 403 and nothing changes; another clinic's
    episode: 404 for every role, audited, nothing changes."""
    from sciatica_care.clinic import records
    from sciatica_care.clinic.models import Episode

    url_name, closed_first, form = ACTIONS[action]
    owner = world["a" if whose == "own" else "b"]
    episode = owner["episode"]
    if closed_first:
        records.discharge_episode(owner["practitioner"], episode, episode.version, episode.opened_on)
    before = Episode.objects.values("status", "closed_on", "version").get(pk=episode.pk)
    user = world["a"][role]
    response = login(user).post(reverse(url_name, args=[episode.pk]), form(Episode.objects.get(pk=episode.pk)))
    after = Episode.objects.values("status", "closed_on", "version").get(pk=episode.pk)
    if whose == "other":
        assert response.status_code == 404
        assert AuditEvent.objects.filter(action="denied_other_clinic", actor=user, object_id=episode.pk).exists()
        assert after == before
    elif role == "reception":
        assert response.status_code == 403
        assert AuditEvent.objects.filter(action="denied_role", actor=user, object_id=episode.pk).exists()
        assert after == before
    else:
        assert response.status_code == 302
        assert after["version"] == before["version"] + 1
        assert after["status"] == ("open" if closed_first else "closed")


# The clinic's settings page: no object in its address; always the user's own clinic.
SETTINGS_EXPECTED = {"practitioner": (200, 403), "clinic_admin": (200, 302), "reception": (403, 403)}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["a", "b"])
def test_settings_page_matrix(world: dict[str, Any], login: Any, role: str, whose: str) -> None:
    """GET and POST by role, for staff of either clinic: admins edit, practitioners read, reception is refused;
    the page shows and changes the user's own clinic only, never the other one."""
    from sciatica_care.clinic.models import Clinic

    own, other = world[whose]["clinic"], world["b" if whose == "a" else "a"]["clinic"]
    client = login(world[whose][role])
    get_status, post_status = SETTINGS_EXPECTED[role]
    page = client.get(reverse("clinic:clinic_settings"))
    assert page.status_code == get_status
    if get_status == 200:
        body = page.content.decode()
        assert own.name in body
        assert other.name not in body
    response = client.post(reverse("clinic:clinic_settings"), {
        "name": f"{own.name} renamed", "disability_instrument": "rmdq", "questionnaire_every_n_visits": "3",
        "version": "1", "clinic": str(other.pk)})
    assert response.status_code == post_status
    expected_name = f"{own.name} renamed" if post_status == 302 else own.name
    assert Clinic.objects.get(pk=own.pk).name == expected_name
    assert Clinic.objects.values("name", "version").get(pk=other.pk) == {"name": other.name, "version": 1}


# Staff administration and the audit log: clinic admins of the clinic concerned only.
STAFF_ACTIONS = {
    # name: (url name, how the target is prepared, the form, status for the clinic admin of its own clinic)
    "staff_detail": ("clinic:staff_detail", "active", lambda m: {"role": "reception", "version": str(m.version)},
                     302),
    "staff_deactivate": ("clinic:staff_deactivate", "active", lambda m: {"version": str(m.version)}, 302),
    "staff_reactivate": ("clinic:staff_reactivate", "deactivated", lambda m: {"version": str(m.version)}, 302),
    "staff_invite_again": ("clinic:staff_invite_again", "invited", lambda m: {}, 200),
}


def _staff_target(owner: dict[str, Any], state: str) -> Any:
    from sciatica_care.clinic import staff_admin
    from sciatica_care.clinic.models import Staff

    if state == "invited":
        return staff_admin.invite(owner["clinic_admin"], username=f"invitee_{owner['clinic'].pk}", first_name="In",
                            last_name="Vitee", email="in@example.org", role="practitioner")
    member = Staff.objects.create_user(username=f"colleague_{owner['clinic'].pk}", password="x-long-password-1",
                                       clinic=owner["clinic"], role="practitioner")
    if state == "deactivated":
        staff_admin.deactivate(owner["clinic_admin"], member, member.version)
    return Staff.objects.get(pk=member.pk)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["own", "other"])
def test_staff_detail_page_matrix(world: dict[str, Any], login: Any, role: str, whose: str) -> None:
    """A colleague's page: the clinic admin of their clinic only (200); another clinic's colleague 404 (audited);
    practitioners and reception 403 (audited)."""
    target = world["a" if whose == "own" else "b"]["practitioner"]
    user = world["a"][role]
    response = login(user).get(reverse("clinic:staff_detail", args=[target.pk]))
    if role != "clinic_admin":
        assert response.status_code == 403
        assert AuditEvent.objects.filter(action="denied_role", actor=user, object_type="Staff").exists()
    elif whose == "other":
        assert response.status_code == 404
        assert AuditEvent.objects.filter(action="denied_other_clinic", actor=user, object_id=target.pk).exists()
    else:
        assert response.status_code == 200
        assert target.username in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(STAFF_ACTIONS))
@pytest.mark.parametrize("whose", ["own", "other"])
def test_staff_action_matrix(world: dict[str, Any], login: Any, role: str, action: str, whose: str) -> None:
    """Every staff action by every role on a colleague of their own or another clinic: only the clinic admin of the
    colleague's clinic acts; others get 403 (role) or 404 (clinic), audited, and the account is unchanged."""
    from sciatica_care.clinic.models import Staff

    url_name, state, form, ok_status = STAFF_ACTIONS[action]
    owner = world["a" if whose == "own" else "b"]
    target = _staff_target(owner, state)
    fields = ("role", "is_active", "deactivated_at", "version", "clinic_id", "is_superuser", "is_staff")
    before = Staff.objects.values(*fields).get(pk=target.pk)
    user = world["a"][role]
    response = login(user).post(reverse(url_name, args=[target.pk]), form(target))
    after = Staff.objects.values(*fields).get(pk=target.pk)
    assert (after["clinic_id"], after["is_superuser"]) == (before["clinic_id"], False)
    if role != "clinic_admin":
        assert response.status_code == 403
        assert AuditEvent.objects.filter(action="denied_role", actor=user, object_type="Staff").exists()
        assert after == before
    elif whose == "other":
        assert response.status_code == 404
        assert AuditEvent.objects.filter(action="denied_other_clinic", actor=user, object_id=target.pk).exists()
        assert after == before
    else:
        assert response.status_code == ok_status
        if action != "staff_invite_again":
            assert after["version"] == before["version"] + 1


# Pages without an object in their address: always the user's own clinic.
ADMIN_PAGES = {
    # name: (url name, method, data)
    "staff_list": ("clinic:staff_list", "get", None),
    "staff_invite": ("clinic:staff_list", "post", {"username": "newbie", "first_name": "New", "last_name": "Bie",
                                                   "email": "n@example.org", "role": "clinic_admin",
                                                   "is_superuser": "on", "clinic": "__other__"}),
    "audit_log": ("clinic:audit_log", "get", None),
    "audit_export": ("clinic:audit_export", "get", None),
    # the front desk's setup (scheduling/views/setup_*.py)
    "setup": ("scheduling:setup", "get", None),
    "setup_shifts": ("scheduling:setup_shifts", "get", None),
    "setup_rules": ("scheduling:setup_rules", "get", None),
    "setup_location_add": ("scheduling:setup_locations", "post", {"name": "newbie", "time_zone": "Europe/London",
                                                                  "active": "on", "clinic": "__other__"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(ADMIN_PAGES))
@pytest.mark.parametrize("whose", ["a", "b"])
def test_admin_page_matrix(world: dict[str, Any], login: Any, role: str, page: str, whose: str) -> None:
    """Staff list, invite, audit log and export by role, for staff of either clinic: the clinic admin gets their
    own clinic's (never the other's); practitioners and reception 403, audited, nothing made."""
    from sciatica_care.clinic.models import Staff
    from sciatica_care.scheduling.models import Location

    url_name, method, data = ADMIN_PAGES[page]
    own, other = world[whose], world["b" if whose == "a" else "a"]
    user = own[role]
    client = login(user)
    if data is not None:
        data = {k: (str(other["clinic"].pk) if v == "__other__" else v) for k, v in data.items()}
    response = getattr(client, method)(reverse(url_name), data) if data else getattr(client, method)(
        reverse(url_name))
    if role != "clinic_admin":
        assert response.status_code == 403
        assert AuditEvent.objects.filter(action="denied_role", actor=user).exists()
        assert not Staff.objects.filter(username="newbie").exists()
        assert not Location.objects.filter(name="newbie").exists()
        return
    if page == "setup_location_add":
        assert response.status_code == 302
        assert Location.objects.get(name="newbie").clinic_id == own["clinic"].pk
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert other["practitioner"].username not in body
    if page in ("staff_list", "staff_invite"):
        assert own["practitioner"].username in body
    if page == "audit_export":
        assert all(r.split(",")[2] in {"", own["practitioner"].username, own["clinic_admin"].username,
                                       own["reception"].username, "actor"}
                   for r in body.splitlines() if r)
    if page == "staff_invite":
        made = Staff.objects.get(username="newbie")
        assert (made.clinic_id, made.is_superuser, made.is_staff, made.is_active) == (
            own["clinic"].pk, False, False, False)


@pytest.mark.parametrize("name", ["clinic:staff_list", "clinic:audit_log", "clinic:audit_export"])
def test_admin_pages_need_a_login(client: Any, db: Any, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_privacy_my_tokens_matrix(world: dict[str, Any], login: Any, role: str) -> None:
    """Every role of a clinic has its own tokens page (its own tokens only); a token of another clinic's member is
    404 to revoke, a colleague's 403 unless the clinic admin's; anonymous is sent to log in."""
    from sciatica_care.clinic import api_tokens

    colleague, _ = api_tokens.issue(world["a"]["practitioner" if role != "practitioner" else "reception"], "c")
    other, _ = api_tokens.issue(world["b"]["practitioner"], "o")
    client = login(world["a"][role])
    assert client.get(reverse("clinic:my_tokens")).status_code == 200
    assert client.post(reverse("clinic:token_revoke", args=[other.pk])).status_code == 404
    expected = 302 if role == "clinic_admin" else 403
    assert client.post(reverse("clinic:token_revoke", args=[colleague.pk])).status_code == expected
    client.logout()
    assert client.get(reverse("clinic:my_tokens")).status_code == 302
