"""The forms that write (patient, intake): generated from the intake schema and the knowledge, one definition for
the page and the JSON API, every bad value refused under its field by name, nothing stored, never a 500."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from sciatica_care.api.rest import issue_token
from sciatica_care.clinic import clinical, intake_checks, intake_form, vocab
from sciatica_care.clinic.models import Intake, Patient

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


def _choices(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Every (schema path, value) of every enum in the intake schema."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "enum":
                found += [(path, str(v)) for v in value]
            else:
                found += _choices(value, f"{path}.{key}" if key != "properties" else path)
    elif isinstance(node, list):
        for item in node:
            found += _choices(item, path)
    return found


SCHEMA_CHOICES = sorted(set(_choices(clinical.intake_schema())))
RED_FLAGS = [v for p, v in SCHEMA_CHOICES if p.startswith(".red_flags")]


# --- generated from the schema and the knowledge -----------------------------------------------------------------

@pytest.mark.parametrize(("path", "value"), SCHEMA_CHOICES, ids=[f"{p}={v}" for p, v in SCHEMA_CHOICES])
def test_every_schema_choice_has_a_label(path: str, value: str) -> None:
    """Each value of each choice in the intake schema has its own words in labels.yaml."""
    assert clinical.labels().choices.get(value), f"{value!r} ({path}) has no label"


@pytest.mark.parametrize("flag", RED_FLAGS)
def test_every_red_flag_is_asked_with_its_question_from_the_knowledge(flag: str) -> None:
    """The intake form asks each red flag of the contract with the knowledge's own question."""
    knowledge = {f.id: f.question for f in clinical.red_flags()}
    assert knowledge.get(flag), f"{flag} has no question in triage.yaml"
    asked = {value: question for group in intake_form.groups(None)[0]["rows"][0]["flag_groups"]
             for value, _label, question, _checked in group[1]}
    assert asked[flag] == knowledge[flag]


def test_every_field_of_the_form_is_named_by_the_labels_file() -> None:
    """No field of the intake form falls back to a made-up label."""
    for f in intake_form.FIELDS:
        assert f.path in clinical.labels().fields, f.path


def test_the_form_takes_its_choices_and_limits_from_the_schema() -> None:
    """Choices and limits are the schema's, not copies."""
    schema = clinical.intake_schema()["properties"]
    by = intake_form.BY_PATH
    assert by["patient.age"].min == schema["patient"]["properties"]["age"]["minimum"]
    assert by["patient.age"].max == schema["patient"]["properties"]["age"]["maximum"]
    assert by["pain.areas"].choices == schema["pain"]["properties"]["areas"]["items"]["enum"]
    assert by["red_flags"].choices == schema["red_flags"]["items"]["enum"]
    assert by["preferences.max_sessions_per_week"].choices == ["1", "2", "3"]
    assert vocab.SITE_BOUND
    assert set(vocab.SITE_BOUND) <= set(vocab.MEDICAL)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_form_round_trip_of_every_example_intake(example: Path) -> None:
    """An example intake, received by the form, comes back as the same document."""
    document = yaml.safe_load(example.read_text(encoding="utf-8"))
    data, shape = intake_form.form_data(document)
    form = intake_form.IntakeForm(data)
    assert shape == []
    assert form.problems() == []
    expected = intake_checks.complete(json.loads(json.dumps(document)))
    for site in (expected.get("medical_sites") or {}).values():  # a site's areas come back in the body's order
        site["areas"] = [a for a in vocab.AREAS if a in site.get("areas", [])]
    got = form.document()
    for part in ("patient", "episode", "pain"):
        expected.setdefault(part, {})
    assert got == expected


# --- bad values: the page and the API refuse the same, by name, under the field ----------------------------------

INTAKE_POST: dict[str, Any] = {
    "red_flags_screened": "1", "patient.age": "42", "patient.sex": "female", "patient.pregnant": "no",
    "episode.side": "left", "episode.duration_weeks": "3", "pain.leg_nrs": "7",
    "pain.areas": ["buttock", "posterior_thigh"], "medical__asked": "1",
}
GOOD = {"schema_version": "1", "patient": {"age": 42, "sex": "female", "pregnant": False},
        "episode": {"side": "left", "duration_weeks": 3}, "pain": {"leg_nrs": 7, "areas": ["buttock"]},
        "red_flags": [], "medical": []}
#: (field, as typed in the page, as sent to the API, words in the message)
BAD = [
    ("patient.age", "²", "²", "Age: give a whole number"),
    ("patient.age", "12", 12, "Age: at least 16"),
    ("patient.age", "111", 111, "Age: at most 110"),
    ("patient.age", "4x", True, "Age: give a whole number"),
    ("patient.age", "42.5", 42.5, "Age: give a whole number"),
    ("patient.sex", "alien", "alien", "Sex: “alien” is not one of the choices"),
    ("patient.pregnant", "maybe", "maybe", "Pregnant: answer yes, no"),
    ("patient.pregnancy_weeks", "43", 43, "Weeks of pregnancy: at most 42"),
    ("episode.side", "up", "up", "Side of leg pain: “up” is not one of the choices"),
    ("episode.duration_weeks", "inf", "inf", "Duration: give a number"),
    ("episode.duration_weeks", "nan", "nan", "Duration: give a number"),
    ("episode.duration_weeks", "-1", -1, "Duration: at least 0"),
    ("episode.duration_weeks", "1e9", 1e9, "Duration: at most 2600"),
    ("pain.leg_nrs", "11", 11, "Leg pain now: at most 10"),
    ("pain.leg_nrs", "７x", "7", "Leg pain now: give a whole number"),
    ("pain.areas", "<script>", ["<script>"], "Where: “&lt;script&gt;” is not one of the choices"),
    ("examination.power.hip_flexion", "6", 6, "Hip flexion: choose an MRC grade from 0 to 5"),
    ("preferences.max_sessions_per_week", "4", 4, "Most sessions a week: “4” is not one of the choices"),
    ("red_flags", "headache", ["headache"], "Answered “yes”: “headache” is not one of the choices"),
]




def _json_with(path: str, value: Any) -> dict[str, Any]:
    doc = json.loads(json.dumps(GOOD))
    *parents, leaf = path.split(".")
    node = doc
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    return doc


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "typed", "sent", "words"), BAD, ids=[f"{b[0]}={b[1]}" for b in BAD])
def test_page_and_api_refuse_the_same_bad_value_by_name(
        client: Any, world: dict[str, Any], login: Any,
        path: str, typed: str, sent: Any, words: str) -> None:
    """A bad value is refused on the page (422, the message under its field) and by the API (422, the field's path);
    nothing is stored either way."""
    before = Intake.objects.count()
    episode = world["a"]["episode"]
    page = login(world["a"]["practitioner"]).post(reverse("clinic:intake", args=[episode.pk]),
                                                  {**INTAKE_POST, path: typed})
    assert page.status_code == 422
    body = page.content.decode()
    power = path.startswith("examination.power.")
    field_id = "field-" + (f"examination-power-{path.rsplit('.', 1)[1]}" if power else slugify(path))
    start = body.index(f'id="{field_id}"')
    end = body.find('id="field-', start + 10)
    assert words in body[start:end if end > 0 else len(body)]  # under its own field
    token = issue_token(world["a"]["practitioner"])
    api = client.post(f"/api/episodes/{episode.pk}/intakes", data=json.dumps(_json_with(path, sent)),
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 422, api.content
    assert path in [e["path"] for e in api.json()["errors"]]
    assert Intake.objects.count() == before


@pytest.mark.django_db
def test_a_good_intake_passes_page_and_api_on_the_real_engine(
        client: Any, world: dict[str, Any], login: Any) -> None:
    """The same good answers are stored by the page and by the API."""
    episode = world["a"]["episode"]
    page = login(world["a"]["practitioner"]).post(reverse("clinic:intake", args=[episode.pk]), INTAKE_POST)
    assert page.status_code == 302, page.content.decode()[:3000]
    token = issue_token(world["a"]["practitioner"])
    api = client.post(f"/api/episodes/{episode.pk}/intakes", data=json.dumps(GOOD),
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 201, api.content


@pytest.mark.django_db
def test_a_refused_number_is_shown_as_typed(world: dict[str, Any], login: Any) -> None:
    """The practitioner sees what they typed next to the message, not an empty box."""
    r = login(world["a"]["practitioner"]).post(reverse("clinic:intake", args=[world["a"]["episode"].pk]),
                                               {**INTAKE_POST, "pain.leg_nrs": "11"})
    assert 'name="pain.leg_nrs" value="11"' in r.content.decode()


# --- the patient form ------------------------------------------------------------------------------------------

PATIENT_POST = {"first_name": "Ada", "last_name": "Byron", "date_of_birth": "1980-05-01", "sex": "female"}


def _years_ago(years: int, days: int = 0) -> str:
    today = timezone.localdate()
    return (today.replace(year=today.year - years, day=min(today.day, 28)) + dt.timedelta(days=days)).isoformat()


BAD_PATIENT = [
    ("date_of_birth", "2031-01-01", "is in the future"),
    ("date_of_birth", "1850-01-01", "the plans are for patients aged 16 to 110"),
    ("date_of_birth", "2024-02-30", "Date of birth: not a date on the calendar"),
    ("date_of_birth", "²", "Date of birth: not a date on the calendar"),
    ("first_name", "A" * 101, "First name: at most 100 characters"),
    ("last_name", "   ", "Last name: required"),
    ("last_name", "By\x00ron", "Last name: contains a null character"),
    ("sex", "alien", "Sex: “alien” is not one of the choices"),
    ("email", "not-an-email", "Email: not valid"),
    ("phone", "1" * 41, "Phone: at most 40 characters"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "value", "words"), BAD_PATIENT, ids=[f"{b[0]}={b[1][:12]!r}" for b in BAD_PATIENT])
def test_page_and_api_refuse_the_same_bad_patient_value(
        client: Any, world: dict[str, Any], login: Any, name: str, value: str, words: str) -> None:
    """A bad patient value: 422 with the message under its field on the page, 422 naming it in the API; nothing
    stored."""
    before = Patient.objects.count()
    page = login(world["a"]["practitioner"]).post(reverse("clinic:patient_new"), {**PATIENT_POST, name: value})
    assert page.status_code == 422
    assert words in page.content.decode()
    token = issue_token(world["a"]["practitioner"])
    api = client.post("/api/patients", data=json.dumps({**PATIENT_POST, name: value}),
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 422, api.content
    assert name in [e["path"] for e in api.json()["errors"]]
    assert Patient.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("born", "ok"), [(_years_ago(16), True), (_years_ago(16, days=1), False),
                                          (_years_ago(110), True), (_years_ago(111, days=1), True),
                                          (_years_ago(111), False)])
def test_birth_date_bounds_are_the_contracts_ages(world: dict[str, Any], login: Any, born: str, ok: bool) -> None:
    """A birth date is accepted exactly when it gives an age of 16 to 110 (the schema's patient.age) today."""
    r = login(world["a"]["practitioner"]).post(reverse("clinic:patient_new"), {**PATIENT_POST, "date_of_birth": born})
    assert (r.status_code == 302) is ok, r.content.decode()[:2000]


@pytest.mark.django_db
def test_api_patch_goes_through_the_patient_form(client: Any, world: dict[str, Any]) -> None:
    """A PATCH with an over-long name is refused by name; a good one is stored stripped."""
    patient = world["a"]["patient"]
    token = issue_token(world["a"]["practitioner"])
    url = f"/api/patients/{patient.pk}"
    bad = client.patch(url, data=json.dumps({"version": patient.version, "first_name": "x" * 101}),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "first_name"
    good = client.patch(url, data=json.dumps({"version": patient.version, "first_name": "  Ann "}),
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert good.status_code == 200, good.content
    patient.refresh_from_db()
    assert patient.first_name == "Ann"
