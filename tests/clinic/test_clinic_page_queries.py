"""What a page asks the database, beyond "not more as the data grow" (test_clinic_views.test_no_n_plus_one):
the logged-in user comes with their clinic in one query, and the plan view reads no more than it needs."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def _queries(client: Any, url: str) -> list[str]:
    client.get(url)  # warm up (content types, the plan body's cache)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize(("name", "key"), [("clinic:patient_list", None), ("clinic:patient_detail", "patient"),
                                           ("clinic:episode", "episode"), ("clinic:plan", "plan")])
def test_the_users_clinic_comes_with_the_user(world: dict[str, Any], login: Any, name: str,
                                              key: str | None) -> None:
    """The header shows the clinic's name on every page: it must not cost a query of its own."""
    a = world["a"]
    url = reverse(name, args=[a[key].pk] if key else [])
    sql = _queries(login(a["practitioner"]), url)
    assert a["practitioner"].clinic.name in login(a["practitioner"]).get(url).content.decode()
    user_queries = [q for q in sql if 'FROM "clinic_staff"' in q and "clinic_clinic" in q]
    assert len(user_queries) == 1
    assert not [q for q in sql if q.lstrip().startswith("SELECT") and 'FROM "clinic_clinic"' in q]


def test_the_plan_view_reads_a_fixed_handful(world: dict[str, Any], login: Any) -> None:
    """Session, user with clinic, the revision with its episode, patient and author, STarT Back, the audit event."""
    a = world["a"]
    sql = _queries(login(a["practitioner"]), reverse("clinic:plan", args=[a["plan"].pk]))
    assert len(sql) <= 6, sql
    assert sum('INSERT INTO "clinic_auditevent"' in q for q in sql) == 1


def test_a_deactivated_user_is_logged_out_on_the_next_request(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    client = login(a["practitioner"])
    url = reverse("clinic:patient_list")
    assert client.get(url).status_code == 200
    a["practitioner"].is_active = False
    a["practitioner"].save(update_fields=["is_active"])
    r = client.get(url)
    assert r.status_code == 302
    assert reverse("clinic:login") in r["Location"]
