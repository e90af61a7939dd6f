"""No input gives a 5xx: hostile values posted to every page that writes and to every API operation.

Targets are enumerated, not listed: every URL of the clinic's and the front desk's URLconfs (a page that takes a
POST is a write page; its fields are read from the forms the pages themselves render, so a rewritten form is fuzzed
as it now is) and every operation of the API's OpenAPI document (bodies built from the operation's schema). A URL or
an operation that the fuzzer cannot reach fails `test_every_*_is_covered`.

Values: digits that are not ASCII (², ٣, full-width), impossible dates, huge and negative numbers, NaN and
infinities, text beyond every limit, NUL and control characters, wrong JSON types, missing and extra fields, arrays
where one value goes. The properties checked for every answer:
- never a 5xx (nor an exception out of the view);
- a refusal names what was wrong: an API 422 gives each error's `path`, which starts at a field that was sent or
  is required; a refused form shows its error beside the form;
- a refused request changes nothing that was stored (every clinic table but the append-only audit log).

Bounded (few examples per target, no deadline flakiness) so the file runs on SQLite and on PostgreSQL (the CI's
second run of tests/clinic) in well under a minute each. The real engine plans and scores throughout.
"""

from __future__ import annotations

import html.parser
import json
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from clinic_fixtures import base_intake
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sciatica_care.api.rest import api, issue_token
from sciatica_care.clinic import records, staff_admin
from sciatica_care.clinic.models import (
    ApiToken,
    AuditChainHead,
    AuditEvent,
    Episode,
    Patient,
    PlanRevision,
    Role,
    Staff,
    Visit,
)

pytestmark = pytest.mark.django_db

FORM_EXAMPLES = 15
API_EXAMPLES = 25  # besides the sweep: each property with each SWEEP value
QUERY_EXAMPLES = 6
# Pages that draw the pain map on every answer (~0.4 s each): fewer random draws, the same sweep.
SLOW_PAGES = {"intake": 6, "intake_preview": 6, "episode_new": 6, "course_preview": 6}
FUZZ = settings(max_examples=FORM_EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@pytest.fixture(autouse=True)
def fake_engine_in_use() -> None:
    """The real engine and scorer here (this overrides the clinic conftest's stand-in)."""


# --- hostile values ------------------------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "²", "٣", "３", "1²", "⁵", "Ⅻ", "߃", "๓", "１０", "7\u200b", "-0", "+5", "1_000", "0x1f", "1e3",
    "2024-02-30", "2023-02-29", "2024-13-01", "0000-00-00", "9999-12-31", "10000-01-01", "2024-02-3", "31/12/2024",
    "-1", "0", "99999999999999999999999999", "-99999999999999999999", "9223372036854775808", "2147483648",
    "1e309", "NaN", "nan", "inf", "-Infinity", "1.5", " 7 ",
    "\x00", "a\x00b", "\x01\x1f\x7f", "\u202e", "\ufeff", "\r\n", "😀" * 30, "名" * 120,
    "x" * 101, "y" * 301, "z" * 5001, "<script>alert(1)</script>", "' OR 1=1 --", "", " ", "true", "null", "[]",
]
hostile_text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40), st.integers().map(str))

HOSTILE_JSON: list[Any] = [
    *HOSTILE_TEXT, 10**30, -(10**30), 2**63, -1, 0, 1.5, math.nan, math.inf, -math.inf, True, False, None,
    [], {}, [1, 2], ["a"], {"a": 1}, [None], [[1]],
]
hostile_json = st.one_of(st.sampled_from(HOSTILE_JSON), st.integers(), st.text(max_size=20))


def _text(value: str) -> str:
    """Text the test client can send (lone surrogates cannot be UTF-8 encoded by any browser either)."""
    return value.encode("utf-8", "replace").decode("utf-8")


# --- what is stored ------------------------------------------------------------------------------------------------

VOLATILE = {"last_used_at", "last_login"}


#: The apps whose rows a refused request must leave as they were.
STORED_APPS = ("clinic", "scheduling")


def _models() -> list[type[models.Model]]:
    return [model for app in STORED_APPS for model in apps.get_app_config(app).get_models()]


def stored() -> list[tuple[str, list[dict[str, Any]]]]:
    """Every clinic and front-desk row but the append-only audit log and its chain's head (refused requests are
    audited, and must be)."""
    out = []
    for model in _models():
        if model in (AuditEvent, AuditChainHead):
            continue
        rows = [{k: v for k, v in row.items() if k not in VOLATILE}
                for row in model._default_manager.order_by("pk").values()]
        out.append((model.__name__, rows))
    return out


def storable() -> None:
    """What was stored fits every database the clinic runs on: no text beyond its column's length, no NUL in text
    or JSON (SQLite keeps both; PostgreSQL refuses them with a server error)."""
    for model in _models():
        texts = [f for f in model._meta.fields if isinstance(f, (models.CharField, models.TextField))]
        jsons = [f.name for f in model._meta.fields if isinstance(f, models.JSONField)]
        for row in model._default_manager.values(*(f.name for f in texts), *jsons):
            for f in texts:
                value = row[f.name] or ""
                assert "\x00" not in value, f"{model.__name__}.{f.name} holds a NUL"
                assert f.max_length is None or len(value) <= f.max_length, f"{model.__name__}.{f.name} too long"
            for name in jsons:
                try:
                    text = json.dumps(row[name], allow_nan=False)
                except ValueError:
                    raise AssertionError(f"{model.__name__}.{name} holds NaN or an infinity") from None
                assert "\\u0000" not in text, f"{model.__name__}.{name} holds a NUL"


def call(send: Callable[[], Any]) -> Any:
    """One request in its own savepoint (a database error on PostgreSQL must not poison the next example); an
    exception out of the view is a 5xx."""
    try:
        with transaction.atomic():
            return send()
    except Exception as exc:  # the property under test: nothing escapes as a server error
        raise AssertionError(f"server error: {type(exc).__name__}: {exc}") from exc


# --- the clinic's URLs ---------------------------------------------------------------------------------------------


def clinic_urls() -> list[tuple[str, tuple[str, ...]]]:
    """(url name, its parameters) for every URL of the clinic's pages and the front desk's (the `clinic` and
    `scheduling` namespaces; no name is in both)."""
    out: list[tuple[str, tuple[str, ...]]] = []

    def walk(patterns: list[Any], namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace in PAGE_NAMESPACES and p.name:
                assert NAMESPACE.setdefault(p.name, namespace) == namespace, f"{p.name} is in two namespaces"
                out.append((p.name, tuple(p.pattern.converters)))
                ROUTES[p.name] = str(p.pattern)

    walk(get_resolver().url_patterns, "")
    return sorted(set(out))


ROUTES: dict[str, str] = {}
PAGE_NAMESPACES = ("clinic", "scheduling")
NAMESPACE: dict[str, str] = {}
CLINIC_URLS = clinic_urls()


def _reverse(name: str, args: list[Any] | None = None) -> str:
    return reverse(f"{NAMESPACE[name]}:{name}", args=args or [])
ANONYMOUS = {"login", "questionnaire", "invite_accept", "password_reset", "password_reset_done",
             "password_reset_confirm", "password_reset_complete", "unsubscribe", "calendar_feed"}
# Pages reached through a link that carries a one-time token, which redirect to the page that takes the POST.
TOKEN_LINKS = {"invite_accept", "password_reset_confirm"}
# Pages whose POST is sent by script from another page's form (the intake's live preview).
FORM_OF = {"intake_preview": "intake", "course_preview": "episode_new"}
# Forms shown only in a state the shared records are not in (a closed course, a deactivated colleague, an
# invitation not taken up, an appointment on its day, one whose link was sent): their fields, filled from the record.
STATE_FORMS = {"episode_reopen": ("version", "reason"), "staff_reactivate": ("version",),
               "staff_invite_again": (), "appointment_mark": ("version", "status"),
               "appointment_stop_link": (),  # shown once a link to the appointment has been sent
               # the patient's portal: an invitation needs an email address, the others an account or an alert
               "portal_invite": (), "portal_end": (), "portal_alerts_handled": ("note",)}
# Names a page reads from a POST without a field for it in the rendered form.
EXTRA_NAMES = ["title", "measure", "mode", "reason", "discharge", "version", "date", "q", "page", "practitioner",
               "from", "to", "cause", "next", "who", "view", "cancelled", "start", "location", "service", "patient",
               "time", "other_time", "status", "appointment"]


class Forms(html.parser.HTMLParser):
    """The forms of a page: method, action and the fields with the values the page filled in."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"method": a.get("method", "get").lower(), "action": a.get("action", ""), "fields": {}}
            self.forms.append(self._form)
            return
        fields = self._form["fields"] if self._form is not None else None
        name = a.get("name", "")
        if fields is None or (not name and tag != "option"):
            return
        if tag == "input" and name != "csrfmiddlewaretoken":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                fields.setdefault(name, "")
                if "checked" in a:
                    fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "reset", "file"):
                fields[name] = a.get("value", "")
        elif tag == "textarea":
            fields[name], self._textarea = "", name
        elif tag == "select":
            fields[name], self._select = "", name
        elif tag == "option" and self._select and (not fields[self._select] or "selected" in a):
            fields[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


class Site:
    """Clinic A of the shared `world`, seen by its clinic admin (every page is theirs to use)."""

    def __init__(self, world: dict[str, Any]) -> None:
        self.world = world
        a = world["a"]
        self.admin: Staff = a["clinic_admin"]
        self.objects = {"patients": a["patient"], "episodes": a["episode"], "plans": a["plan"], "visits": a["visit"],
                        "staff": a["practitioner"]}
        self.objects["tokens"] = ApiToken.objects.get(staff=a["practitioner"], digest=_digest(issue_token(
            a["practitioner"], "fuzzed")))
        self.objects["appointments"] = _appointment(a)
        self.objects["calendar"] = self.objects["appointments"]  # /calendar/appointments/<pk>.ics
        self.objects.update(_setup_rows(self.objects["appointments"]))
        self.objects["waitlist"] = _waitlist_entry(self.objects["appointments"])  # /waitlist/<pk>/…

    def client(self, name: str) -> Client:
        c = Client()
        if name not in ANONYMOUS:
            c.force_login(self.admin)
        return c

    def url(self, name: str, route_pk: int | None = None) -> str:
        if name == "questionnaire":
            _, token = records.create_questionnaire_link(self.admin, self.objects["episodes"], "odi")
            return reverse("clinic:questionnaire", args=[token])
        if name == "invite_accept":
            invited = Staff.objects.create_user(username=f"invited{Staff.objects.count()}", clinic=self.admin.clinic,
                                                role=Role.PRACTITIONER, is_active=False)
            return staff_admin.invite_path(invited)
        if name == "password_reset_confirm":
            from django.contrib.auth.tokens import default_token_generator
            from django.utils.encoding import force_bytes
            from django.utils.http import urlsafe_base64_encode

            resetting = Staff.objects.create_user(username=f"resetting{Staff.objects.count()}",
                                                  clinic=self.admin.clinic, role=Role.PRACTITIONER,
                                                  email="reset@example.org", password="an old passphrase 1")
            return reverse("clinic:password_reset_confirm", args=[
                urlsafe_base64_encode(force_bytes(resetting.pk)), default_token_generator.make_token(resetting)])
        if name == "unsubscribe":  # the link in a patient's email (a signed token)
            from sciatica_care.scheduling import unsubscribe

            patient = self.objects["patients"]
            return _reverse(name, [unsubscribe.token(patient.clinic_id, "email", patient_id=patient.pk)])
        if name == "calendar_feed":  # a practitioner's feed (a secret in the address)
            from sciatica_care.scheduling import practitioner_feed

            staff = self.objects["staff"]
            return _reverse(name, [practitioner_feed.issue(staff, by=staff)])
        params = dict(CLINIC_URLS)[name]
        if not params:
            return reverse(f"{NAMESPACE[name]}:{name}")
        prefix = ROUTES[name].split("/")[0]
        pk = route_pk if route_pk is not None else self.objects.get(name, self.objects.get(prefix)).pk
        return reverse(f"{NAMESPACE[name]}:{name}", args=[pk])

    def form_for(self, name: str) -> tuple[str, dict[str, str]] | None:
        """The form (method, fields) that a page renders for `name`: on its own page, else on the page of the
        record its URL names, else on that record's other pages."""
        source = FORM_OF.get(name, name)
        prefix = ROUTES[name].split("/")[0]
        hosts = [source, *(n for n, _ in CLINIC_URLS if n not in ANONYMOUS and ROUTES[n].split("/")[0] == prefix),
                 "patient_detail", "episode", "patient_list"]
        for host in hosts:
            client = self.client(host)
            page_url = self.url(host)
            r = client.get(page_url, follow=True)
            if r.status_code != 200 or "html" not in r.get("Content-Type", ""):
                continue
            parser = Forms()
            parser.feed(r.content.decode())
            here = r.request["PATH_INFO"]
            for form in parser.forms:
                action = urlsplit(form["action"]).path or here
                try:
                    match = resolve(action)
                except Exception:  # noqa: S112 - a link out of the site
                    continue
                if match.url_name == source and form["method"] == "post":
                    if source != name:  # the form of another page, sent to this one by script
                        return self.url(name), form["fields"]
                    return here if name in ANONYMOUS else action, form["fields"]
        if name in STATE_FORMS:
            obj = self.objects[prefix]
            return self.url(name), {field: str(getattr(obj, field, "")) for field in STATE_FORMS[name]}
        return None

    def post_forms(self) -> set[str]:
        """The URL names that some page's POST form sends to (every page crawled once)."""
        out = set()
        for name, _ in CLINIC_URLS:
            r = self.client(name).get(self.url(name), follow=True)
            if r.status_code == 200 and "html" in r.get("Content-Type", ""):
                parser = Forms()
                parser.feed(r.content.decode())
                for form in parser.forms:
                    if form["method"] == "post":
                        out.add(resolve(urlsplit(form["action"]).path or r.request["PATH_INFO"]).url_name)
        return out


def _appointment(a: dict[str, Any]) -> Any:
    """An appointment of clinic A's patient next week (the booking API's record to fuzz)."""
    import datetime as dt

    from django.utils import timezone

    from sciatica_care.scheduling import booking
    from sciatica_care.scheduling.models import Location, Room, Service, ServiceKind

    location = Location.objects.create(clinic=a["clinic"], name="Fuzz Street")
    Room.objects.create(location=location, name="Room 1")
    service = Service.objects.create(clinic=a["clinic"], name="Follow-up", kind=ServiceKind.FOLLOW_UP_ACUPUNCTURE,
                                     duration_minutes=45, buffer_after_minutes=15)
    start = (timezone.now() + dt.timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    return booking.book(clinic=a["clinic"], practitioner=a["practitioner"], service=service, location=location,
                        start=start, patient=a["patient"], by=a["practitioner"], apply_policy=False,
                        override_reason="fuzz fixture")


def _setup_rows(appointment: Any) -> dict[str, Any]:
    """The rows the front desk's setup pages open (/settings/front-desk/…/<pk>/), by URL name: the appointment's
    location, room and service, a shift and an upcoming closure."""
    import datetime as dt

    from django.utils import timezone

    from sciatica_care.scheduling.models import Room, Shift, ShiftException

    location = appointment.location
    shift = Shift.objects.create(practitioner=appointment.practitioner, location=location, weekday=6,
                                 start_time=dt.time(9), end_time=dt.time(12))
    start = timezone.now() + dt.timedelta(days=30)
    closure = ShiftException.objects.create(clinic_id=appointment.clinic_id, starts_at=start,
                                            ends_at=start + dt.timedelta(days=1), reason="Closure")
    return {"setup_location": location, "setup_room_add": location,
            "setup_room": Room.objects.filter(location=location).first(), "setup_service": appointment.service,
            "setup_shift": shift, "setup_shift_delete": shift, "setup_exception": closure,
            "setup_exception_delete": closure}


def _waitlist_entry(appointment: Any) -> Any:
    """Someone who joined the waitlist from the public page (not yet linked to a patient)."""
    import datetime as dt

    from django.utils import timezone

    from sciatica_care.scheduling import waitlist

    today = timezone.now().date()
    return waitlist.join(clinic=appointment.clinic, service=appointment.service, earliest=today,
                         latest=today + dt.timedelta(days=14), by=None, prospect_name="Wren Waiting",
                         prospect_email="wren@example.org")


def _digest(token: str) -> str:
    from sciatica_care.clinic.api_tokens import digest

    return digest(token)


@pytest.fixture
def site(world: dict[str, Any]) -> Site:
    return Site(world)


def _post_only(site: Site, name: str) -> bool:
    return bool(call(lambda: site.client(name).get(site.url(name))).status_code == 405)


def _write_pages(site: Site) -> list[str]:
    """The URLs that take a POST: those that refuse a GET, and those a page's POST form sends to."""
    return sorted(site.post_forms() | {name for name, _ in CLINIC_URLS if _post_only(site, name)})


def test_every_write_page_is_covered(site: Site) -> None:
    """Each URL that takes a POST has a form the fuzzer finds (on its own page or the page that links to it)."""
    pages = _write_pages(site)
    assert {"patient_new", "intake", "visit_new", "questionnaire", "clinic_settings"} <= set(pages)
    missing = [name for name in pages if site.form_for(name) is None]
    assert not missing, f"write pages without a form to fuzz: {missing}"


def _page_values(fields: dict[str, str]) -> st.SearchStrategy[dict[str, Any]]:
    """The page's own values with one to four fields (or names the form does not have) made hostile, sometimes
    several values under one name."""
    names = sorted(fields) + [n for n in EXTRA_NAMES if n not in fields]
    value = st.one_of(hostile_text, hostile_text, st.lists(hostile_text, min_size=2, max_size=3))
    return st.lists(st.tuples(st.sampled_from(names), value), min_size=1, max_size=4).map(
        lambda changes: {**fields, **dict(changes)})


# Every field of a form at once, with each of these (on every run, besides the random draws).
FORM_SWEEP = ["²", "٣", "2024-02-30", "99999999999999999999999999", "nan", "\x00" + "z" * 5001]


def _form_sweep(fields: dict[str, str]) -> list[dict[str, Any]]:
    names = [*fields, *EXTRA_NAMES]
    return [dict.fromkeys(names, value) for value in FORM_SWEEP] + [{n: [fields.get(n, ""), "²"] for n in names}]


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: [_text(x) for x in v] if isinstance(v, list) else _text(v) for k, v in values.items()}


def _refusal_shown(r: Any) -> bool:
    body = r.content.decode(errors="replace")
    return 'class="error' in body or 'role="alert"' in body or "errorlist" in body


@pytest.mark.parametrize("name", [n for n, _ in CLINIC_URLS])
def test_no_form_post_gives_a_server_error(site: Site, name: str) -> None:
    """Hostile values in every field of the page's form: no 5xx; a refusal is shown and changes nothing."""
    found = site.form_for(name)
    if found is None:
        assert not _post_only(site, name), f"no form found for {name}"
        pytest.skip(f"{name} has no form (its GET is fuzzed by test_no_query_gives_a_server_error)")
    action, fields = found

    @settings(FUZZ, max_examples=SLOW_PAGES.get(name, FORM_EXAMPLES))
    @given(values=_page_values(fields))
    def post(values: dict[str, Any]) -> None:
        client = site.client(name)
        url = site.url(name) if name in ANONYMOUS and name != "login" else action
        if name in TOKEN_LINKS:
            url = urlsplit(client.get(url, follow=True).request["PATH_INFO"]).path
        before = stored()
        r = call(lambda: client.post(url, _clean(values)))
        assert r.status_code < 500, (name, values, r.status_code)
        storable()
        if 400 <= r.status_code < 500 or (r.status_code == 200 and 'class="error' in r.content.decode()):
            assert stored() == before, f"{name}: a refused POST changed stored records ({values!r})"
        if r.status_code in (400, 422):
            assert _refusal_shown(r), f"{name}: a {r.status_code} that shows no error ({values!r})"

    for values in _form_sweep(fields):
        post = example(values=values)(post)
    post()


# Query strings: every page's GET with the names its GET forms use (filters, search) and the hostile values.
@pytest.mark.parametrize("name", [n for n, _ in CLINIC_URLS])
def test_no_query_gives_a_server_error(site: Site, name: str) -> None:
    """GET with hostile query values (filters, search, paging) and a record number beyond every integer type."""
    client = site.client(name)
    r = call(lambda: client.get(site.url(name), follow=True))
    assert r.status_code < 500
    names = set(EXTRA_NAMES)
    if "html" in r.get("Content-Type", ""):
        parser = Forms()
        parser.feed(r.content.decode())
        names |= {n for f in parser.forms if f["method"] == "get" for n in f["fields"]}
    if dict(CLINIC_URLS)[name] and name not in ANONYMOUS:
        for pk in (0, 2**31, 2**63, 10**30):
            far = call(lambda pk=pk: client.get(site.url(name, route_pk=pk)))
            assert far.status_code < 500, (name, pk, far.status_code)

    html_page = "html" in r.get("Content-Type", "") and name not in SLOW_PAGES
    @settings(FUZZ, max_examples=QUERY_EXAMPLES if html_page else 2)
    @given(query=st.dictionaries(st.sampled_from(sorted(names)), hostile_text, min_size=1, max_size=4))
    def get(query: dict[str, str]) -> None:
        r = call(lambda: client.get(site.url(name), _clean(query)))
        assert r.status_code < 500, (name, query, r.status_code)

    get()


# --- the API, from its OpenAPI document ----------------------------------------------------------------------------

SCHEMA = api.get_openapi_schema(path_prefix="/api")
METHODS = ("get", "post", "put", "patch", "delete")
OPERATIONS = sorted((method, path) for path, item in SCHEMA["paths"].items() for method in item if method in METHODS)
# Operations whose body is a whole document (described, not spelled out as properties): a valid document to
# mutate, by operation id.
DOCUMENTS: dict[str, Callable[[], dict[str, Any]]] = {"post_intake": base_intake}
MODELS = {"patients": Patient, "episodes": Episode, "plans": PlanRevision, "visits": Visit}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _body_schema(op: dict[str, Any]) -> dict[str, Any] | None:
    body = op.get("requestBody")
    if not body:
        return None
    return _resolve(body["content"]["application/json"]["schema"])


def _valid(schema: dict[str, Any], name: str, version: int) -> Any:
    schema = _resolve(schema)
    if "anyOf" in schema:
        return _valid(next(s for s in schema["anyOf"] if s.get("type") != "null"), name, version)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if name == "version":
        return version
    if name == "instrument":
        return "nrs"
    if kind == "integer":
        return 5
    if kind == "boolean":
        return True
    if kind == "array":
        return [_valid(schema.get("items", {}), name, version)]
    if schema.get("format") == "date":
        return "1980-05-01"
    if schema.get("format") == "email":
        return "ann@example.org"
    return "Fuzzed"


def _leaves(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(doc, dict):
        return [path, *(p for k, v in doc.items() for p in _leaves(v, (*path, k)))]
    if isinstance(doc, list):
        return [path, *(p for i, v in enumerate(doc) for p in _leaves(v, (*path, i)))]
    return [path]


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    doc = json.loads(json.dumps(doc))
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def _body_strategy(op: dict[str, Any], version: int) -> st.SearchStrategy[Any]:
    schema = _body_schema(op)
    if schema is None:
        return st.none()
    if not schema.get("properties"):
        doc = DOCUMENTS[next(k for k in DOCUMENTS if op["operationId"].endswith(f"_{k}"))]()
        paths = _leaves(doc)
        mutate = st.lists(st.tuples(st.sampled_from(paths), hostile_json), min_size=1, max_size=3)

        def apply(changes: list[tuple[tuple[Any, ...], Any]]) -> Any:
            out: Any = doc
            for path, value in changes:
                try:
                    out = _replace(out, path, value)
                except (KeyError, IndexError, TypeError):
                    continue
            return out

        return st.one_of(mutate.map(apply), hostile_json)
    props = schema["properties"]
    fields = {k: st.one_of(st.just(_valid(v, k, version)), hostile_json) for k, v in props.items()}
    extra = st.dictionaries(st.text(min_size=1, max_size=8), hostile_json, max_size=2)
    dropped = st.sets(st.sampled_from(sorted(props)), max_size=2)
    objects = st.tuples(st.fixed_dictionaries(fields), extra, dropped).map(
        lambda t: {**t[1], **{k: v for k, v in t[0].items() if k not in t[2]}})
    return st.one_of(objects, objects, objects, hostile_json)


def _operation_id(method: str, path: str) -> str:
    op_id = str(SCHEMA["paths"][path][method]["operationId"])
    return next((key for key in DOCUMENTS if op_id.endswith(f"_{key}")), op_id)


def test_every_api_operation_is_covered() -> None:
    """Each operation has its parameters and body generated: named properties, or a listed whole document."""
    assert len(OPERATIONS) >= 10
    for method, path in OPERATIONS:
        op = SCHEMA["paths"][path][method]
        schema = _body_schema(op)
        if schema is not None and not schema.get("properties"):
            assert _operation_id(method, path) in DOCUMENTS, f"{method} {path}: no document to mutate"
        for p in op.get("parameters", []):
            assert p["in"] in ("path", "query"), f"{method} {path}: parameter in {p['in']} is not fuzzed"


def _json(value: Any) -> str:
    return json.dumps(value, allow_nan=True, default=str)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_api_call_gives_a_server_error(site: Site, method: str, path: str) -> None:
    """Hostile path numbers, query values and bodies: no 5xx; a 422 names the field; a refusal stores nothing."""
    op = SCHEMA["paths"][path][method]
    prefix = path.split("/")[2]
    obj = site.objects.get(prefix)
    params = op.get("parameters", [])
    body_schema = _body_schema(op) or {}
    known = {*body_schema.get("properties", {}), "episode", ""}
    if body_schema and not body_schema.get("properties"):  # a whole document: its own fields, required or not
        known |= set(DOCUMENTS[_operation_id(method, path)]())
    token = issue_token(site.world["a"]["practitioner"])
    version = getattr(obj, "version", 1) if obj is not None else 1

    path_values = st.one_of(st.just(obj.pk if obj is not None else 1),
                            st.sampled_from([0, 2**31, 2**63, 10**30]))
    query = {p["name"]: st.one_of(st.none(), hostile_text) for p in params if p["in"] == "query"}

    @settings(FUZZ, max_examples=API_EXAMPLES)
    @given(pk=path_values, query=st.fixed_dictionaries(query), body=_body_strategy(op, version))
    def request(pk: int, query: dict[str, str | None], body: Any) -> None:
        if obj is not None and pk == obj.pk and hasattr(obj, "version"):
            body = {**body, "version": type(obj).objects.get(pk=obj.pk).version} \
                if isinstance(body, dict) and body.get("version") == version else body
        url = "/api" + path.replace("/api", "", 1).replace("{pk}", str(pk))
        q = {k: _text(v) for k, v in query.items() if v is not None}
        before = stored()
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if body is not None and method != "get":
            kwargs.update(data=_json(body), content_type="application/json")
        elif q:
            kwargs["data"] = q
        if q and method != "get":
            url += "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in q.items())
        r = call(lambda: getattr(Client(), method)(url, **kwargs))
        assert r.status_code < 500, (method, url, body, r.status_code, r.content[:500])
        storable()
        if r.status_code >= 400:
            assert stored() == before, f"{method} {url}: a refused request changed stored records ({body!r})"
            errors = r.json().get("errors")
            assert errors, (r.status_code, r.content)
            assert all(e["message"] for e in errors), r.content
        if r.status_code == 422 and isinstance(body, dict):
            for e in r.json()["errors"]:
                first = e["path"].split(".")[0].split("[")[0]
                assert first in known | set(body) | set(q), (method, url, body, e)

    for example_body in _sweep(op, version):
        request = example(pk=obj.pk if obj is not None else 1, query={}, body=example_body)(request)
    request()


# Each of these in each property of every body, besides the random draws (all on every run, in this order).
SWEEP: list[Any] = ["²", "٣", "３", "2024-02-30", "\x00", "a\x00b", "z" * 5001, 10**30, -1, math.nan, [1, 2],
                    {"a": 1}, None, ""]


def _sweep(op: dict[str, Any], version: int) -> list[Any]:
    schema = _body_schema(op)
    if schema is None:
        return []
    props = schema.get("properties", {})
    if not props:
        doc = DOCUMENTS[next(k for k in DOCUMENTS if op["operationId"].endswith(f"_{k}"))]()
        return [_replace(doc, path, value) for path in _leaves(doc)[1:] for value in SWEEP[:7]] + SWEEP
    valid = {k: _valid(v, k, version) for k, v in props.items()}
    return [{**valid, k: value} for k in props for value in SWEEP] + [[valid], "x"]


# --- schemathesis: the same API, fuzzed from its OpenAPI document by a tool that knows nothing of this file ---------


def test_schemathesis_finds_no_server_error(site: Site) -> None:
    """Schemathesis, in process (WSGI, this test's database): valid and invalid cases of every operation, with a
    real record number or its own; no answer is a 5xx and nothing stored breaks a column's limits."""
    import schemathesis
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    schema = schemathesis.openapi.from_dict(SCHEMA)
    schema.app = get_wsgi_application()
    headers = {"Authorization": f"Bearer {issue_token(site.world['a']['practitioner'])}"}
    # As Django's test client does: a request's start and end must not close the connection that holds this
    # test's transaction (PostgreSQL would lose it).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        _schemathesis_run(site, schema, headers)
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def _schemathesis_run(site: Site, schema: Any, headers: dict[str, str]) -> None:
    from schemathesis.generation import GenerationMode

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(OPERATIONS)
    for operation in operations:
        prefix = operation.path.split("/")[2]
        real = {"pk": site.objects[prefix].pk} if "{pk}" in operation.path and prefix in site.objects else None
        strategy = st.one_of(*(operation.as_strategy(generation_mode=mode, path_parameters=real)
                               for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)),
                             operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

        @settings(FUZZ, max_examples=8)
        @given(case=strategy)
        def run(case: Any) -> None:
            response = call(lambda: case.call(headers=headers))
            assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:300])
            storable()

        run()


# --- the findings, one by one ---------------------------------------------------------------------------------------


def test_questionnaire_page_refuses_a_superscript_digit(site: Site) -> None:
    """The patient's page: "²" as an answer is a 422 naming the item (it was a 500), and nothing is stored."""
    url = site.url("questionnaire")
    before = stored()
    r = call(lambda: Client().post(url, {"odi_0": "²", "odi_1": "2"}))
    assert r.status_code == 422
    assert "item 1: type a whole number with the digits 0-9" in r.content.decode()
    assert stored() == before


@pytest.mark.parametrize("query", [{"practitioner": str(10**30)}, {"practitioner": "²"}, {"from": "2024-02-30"},
                                   {"to": "2023-02-29"}, {"cause": "a\x00b"}])
def test_dashboard_filters_that_cannot_be_read_filter_nothing(site: Site, query: dict[str, str]) -> None:
    """An overflowing practitioner number, a superscript digit, an impossible date, NUL: the page, not a 500."""
    r = call(lambda: site.client("dashboard").get(_reverse("dashboard"), query))
    assert r.status_code == 200


@pytest.mark.parametrize(("field", "value"), [("first_name", "a\x00b"), ("last_name", "x" * 101),
                                              ("phone", "1" * 41), ("sex", "unknown"), ("email", "not-an-address")])
def test_api_refuses_text_the_columns_cannot_hold(site: Site, field: str, value: str) -> None:
    """Over-long text and NUL (a 500 on PostgreSQL, silently kept on SQLite), an unknown sex, a malformed email:
    422 naming the field, nothing stored."""
    body = {"first_name": "Ann", "last_name": "Lee", "date_of_birth": "1980-05-01", field: value}
    token = issue_token(site.admin)
    before = stored()
    r = call(lambda: Client().post("/api/patients", _json(body), content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {token}"))
    assert r.status_code == 422, r.content
    assert [e["path"] for e in r.json()["errors"]] == [field]
    assert stored() == before


def test_api_refuses_nan_in_an_intake(site: Site) -> None:
    """NaN is no JSON number: the intake body is refused as not JSON (422), not stored for PostgreSQL to refuse."""
    episode = site.objects["episodes"]
    body = _json(base_intake()).replace('"leg_nrs": 7', '"leg_nrs": NaN')
    r = call(lambda: Client().post(f"/api/episodes/{episode.pk}/intakes", body, content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {issue_token(site.admin)}"))
    assert r.status_code == 422
    assert "NaN" in r.json()["errors"][0]["message"]


def test_readers() -> None:
    """The shared readers: ASCII digits within range, calendar dates, storable text."""
    from sciatica_care.clinic import input_cleaning as ic

    assert ic.whole_number("7", 0, 10) == 7
    assert ic.whole_number("-3", -5, 5) == -3
    for bad in ("²", "٣", "３", "1e3", "nan", "", "11", str(10**30), "-1"):
        with pytest.raises(ic.Unreadable):
            ic.whole_number(bad, 0, 10)
    assert ic.iso_date("2024-02-29").isoformat() == "2024-02-29"
    for bad in ("2024-02-30", "2023-02-29", "2024-13-01", "٢٠٢٤-٠١-٠١", "2024-1-1"):
        with pytest.raises(ic.Unreadable):
            ic.iso_date(bad)
    assert ic.optional_date("2024-02-30") is None
    assert ic.optional_whole_number(str(10**30)) is None
    assert ic.text_problem("a\x00b")
    assert ic.text_problem("x" * 11, 10)
    assert not ic.text_problem("line\nbreak\ttab", 20)
    assert ic.scrub({"q": "a\x00"}) == {"q": "a\ufffd"}
    assert [p.path for p in ic.document_problems({"a": ["ok", "b\x00"], "n": float("nan")})] == ["a[1]", "n"]


@pytest.mark.parametrize("typed", ["٣", "３", "1_0", "⁵"])
def test_the_django_forms_read_only_the_digits_0_to_9(site: Site, typed: str) -> None:
    """Django's own number fields take "٣" as 3 and "1_0" as 10: the intake, charting, patient and settings forms
    refuse them in words instead (the API binds the same forms)."""
    from django.http import QueryDict

    from sciatica_care.clinic import intake_form, visit_form
    from sciatica_care.clinic.forms import ClinicSettingsForm, PatientForm

    intake = intake_form.IntakeForm(QueryDict(f"pain.leg_nrs={quote(typed)}"))
    assert "pain.leg_nrs" in intake.errors
    episode = site.objects["episodes"]
    chart = visit_form.ChartForm(QueryDict(f"red_flags_rechecked=on&leg_nrs={quote(typed)}"), episode=episode,
                                 plan=site.objects["plans"])
    assert not chart.is_valid()
    assert "leg_nrs" in chart.errors
    clinic = site.admin.clinic
    settings_form = ClinicSettingsForm({"name": "A", "disability_instrument": clinic.disability_instrument,
                                        "questionnaire_every_n_visits": typed, "version": clinic.version},
                                       instance=clinic)
    assert "questionnaire_every_n_visits" in settings_form.errors
    patient = PatientForm({"first_name": "Ann", "last_name": "Lee", "date_of_birth": "١٩٨٠-٠٥-٠١"})
    assert "date_of_birth" in patient.errors


@pytest.mark.parametrize("text", ["a\x01b", "\x1b[31m", "x\x7f"])
def test_the_django_forms_refuse_control_characters(site: Site, text: str) -> None:
    """Django's CharField refuses NUL only: the patient and charting forms refuse every control character (tabs
    and line breaks are text), as the API's schemas do."""
    from django.http import QueryDict

    from sciatica_care.clinic import visit_form
    from sciatica_care.clinic.forms import PatientForm

    patient = PatientForm({"first_name": text, "last_name": "Lee", "date_of_birth": "1980-05-01"})
    assert "control character" in " ".join(patient.errors["first_name"])
    chart = visit_form.ChartForm(QueryDict(f"red_flags_rechecked=on&subjective={quote(text)}"),
                                 episode=site.objects["episodes"], plan=site.objects["plans"])
    assert not chart.is_valid()
    assert "subjective" in chart.errors
    fine = PatientForm({"first_name": "Ann", "last_name": "Lee", "date_of_birth": "1980-05-01",
                        "address": "1 High St\r\nTown\tnorth"})
    assert "address" not in fine.errors
