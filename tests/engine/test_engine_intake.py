"""Intake validation: every refusal names the offending JSON path, and every problem is reported at once."""

from __future__ import annotations

import math
from typing import Any

import pytest

from sciatica_care import InputRefused, plan_for
from sciatica_care.contract import intake_schema
from sciatica_care.engine.intake import validate_intake


def _refusal(doc: object) -> InputRefused:
    with pytest.raises(InputRefused) as caught:
        plan_for(doc)
    return caught.value


def _paths(doc: object) -> list[str]:
    return [p.path for p in _refusal(doc).problems]


def _schema_fields(kind: str) -> list[tuple[str, list[str]]]:
    """(path, vocabulary) for every list field (`kind="array"`) or scalar enum (`kind="enum"`) of the schema."""
    found: list[tuple[str, list[str]]] = []

    def walk(node: dict[str, Any], prefix: str) -> None:
        for name, sub in node.get("properties", {}).items():
            path = f"{prefix}.{name}" if prefix else name
            if sub.get("type") == "object":
                walk(sub, path)
            elif kind == "array" and sub.get("type") == "array" and "enum" in sub.get("items", {}):
                found.append((path, sub["items"]["enum"]))
            elif kind == "enum" and "enum" in sub:
                found.append((path, sub["enum"]))

    walk(intake_schema(), "")
    return found


LIST_FIELDS = _schema_fields("array")
ENUM_FIELDS = _schema_fields("enum")

REQUIRED = [
    "schema_version", "patient", "patient.age", "episode", "episode.side", "episode.duration_weeks", "pain",
    "pain.leg_nrs", "pain.areas", "red_flags",
]


def test_minimal_intake_is_accepted(make: Any) -> None:
    """The builder's minimal intake (required fields only) is a valid contract intake."""
    doc = make()
    assert set(doc) == {"schema_version", "patient", "episode", "pain", "red_flags"}
    assert validate_intake(doc) is doc


def test_extra_optional_fields_are_accepted(make: Any) -> None:
    """The project may add optional fields: unknown keys are not refused."""
    assert plan_for(make(clinic_note="seen at home", patient={"nickname": "Jo"}))["schema_version"] == "1"


@pytest.mark.parametrize("path", REQUIRED)
def test_missing_required_field_names_its_path(path: str, h: Any) -> None:
    """Each required field, when missing, is refused with its exact path."""
    problems = _refusal(h.set_path(h.make_intake(), path, h.DROP)).problems
    assert [p.path for p in problems] == [path]
    assert "required" in problems[0].message


def test_list_fields_cover_every_vocabulary_list() -> None:
    """The schema walk finds all thirteen vocabulary lists of the contract."""
    assert {p for p, _ in LIST_FIELDS} == {
        "pain.areas", "pain.qualities", "pain.worse_with", "pain.better_with", "examination.weakness",
        "examination.sensory_loss", "examination.imaging", "red_flags", "medical", "tcm.signs", "tcm.tongue",
        "tcm.pulse", "preferences.modalities",
    }


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("patient.age", 15),
        ("patient.age", 111),
        ("pain.leg_nrs", 11),
        ("pain.leg_nrs", -1),
        ("pain.back_nrs", 11),
        ("episode.duration_weeks", -1),
        ("episode.duration_weeks", 2601),
        ("preferences.max_sessions_per_week", 0),
        ("preferences.max_sessions_per_week", 4),
    ],
)
def test_out_of_range_value_names_its_path(path: str, value: float, h: Any) -> None:
    """A number outside its contract range is refused at its path."""
    problems = _refusal(h.set_path(h.make_intake(), path, value)).problems
    assert [p.path for p in problems] == [path]
    assert str(value) in problems[0].message


@pytest.mark.parametrize("weeks", [0, 43])
def test_pregnancy_weeks_out_of_range(weeks: int, make: Any) -> None:
    """pregnancy_weeks must be 1 to 42 even when the patient is pregnant."""
    doc = make(patient={"sex": "female", "pregnant": True, "pregnancy_weeks": weeks})
    assert _paths(doc) == ["patient.pregnancy_weeks"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("episode.duration_weeks", 0),
        ("episode.duration_weeks", 2600),
        ("episode.duration_weeks", 5.5),
        ("patient.age", 16),
        ("patient.age", 110),
        ("pain.leg_nrs", 0),
        ("pain.leg_nrs", 10),
    ],
)
def test_boundary_values_are_accepted(path: str, value: float, h: Any) -> None:
    """The ends of every range (and a fractional duration) are valid."""
    assert validate_intake(h.set_path(h.make_intake(), path, value))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("patient.age", True),
        ("patient.age", False),
        ("patient.age", "40"),
        ("patient.age", 40.5),
        ("patient.age", None),
        ("pain.leg_nrs", True),
        ("pain.leg_nrs", "7"),
        ("pain.back_nrs", False),
        ("episode.duration_weeks", "3"),
        ("episode.duration_weeks", True),
        ("episode.duration_weeks", math.nan),
        ("episode.duration_weeks", math.inf),
        ("episode.duration_weeks", -math.inf),
        ("patient.pregnant", "yes"),
        ("episode.after_lifting", 1),
        ("examination.piriformis_tenderness", "true"),
        ("pain.areas", "buttock"),
        ("red_flags", None),
        ("medical", "pacemaker"),
        ("patient", "Jo Bloggs"),
        ("examination", None),
        ("schema_version", 1),
        ("preferences.max_sessions_per_week", 2.5),
    ],
    ids=lambda v: repr(v) if not isinstance(v, str) else v,
)
def test_wrong_type_names_its_path(path: str, value: object, h: Any) -> None:
    """A value of the wrong type is refused: booleans and strings are not numbers, NaN and inf are not finite."""
    assert path in _paths(h.set_path(h.make_intake(), path, value))


@pytest.mark.parametrize("document", [None, [], "intake", 42, True])
def test_document_that_is_not_an_object_is_refused(document: object) -> None:
    """A document that is not a JSON object is refused as a whole."""
    assert _paths(document) == ["(document)"]


@pytest.mark.parametrize(("path", "vocabulary"), LIST_FIELDS, ids=[p for p, _ in LIST_FIELDS])
def test_unknown_id_in_list_names_the_item(path: str, vocabulary: list[str], h: Any) -> None:
    """An id outside a list's vocabulary is refused at that item's path, and the message lists the vocabulary."""
    doc = h.set_path(h.make_intake(), path, [vocabulary[0], "not_a_real_id"])
    problems = _refusal(doc).problems
    assert [p.path for p in problems] == [f"{path}[1]"]
    assert "not_a_real_id" in problems[0].message
    assert vocabulary[-1] in problems[0].message


@pytest.mark.parametrize(("path", "vocabulary"), ENUM_FIELDS, ids=[p for p, _ in ENUM_FIELDS])
def test_unknown_value_of_scalar_vocabulary_is_refused(path: str, vocabulary: list[str], h: Any) -> None:
    """A scalar field (sex, side, onset, tests, reflexes) with an unknown value is refused at its path."""
    assert _paths(h.set_path(h.make_intake(), path, "sideways")) == [path]


@pytest.mark.parametrize(("path", "vocabulary"), LIST_FIELDS, ids=[p for p, _ in LIST_FIELDS])
def test_duplicate_list_item_is_refused(path: str, vocabulary: list[str], h: Any) -> None:
    """The same id twice in a list is refused at the second occurrence."""
    doc = h.set_path(h.make_intake(), path, [vocabulary[0], vocabulary[-1], vocabulary[0]])
    problems = _refusal(doc).problems
    assert [p.path for p in problems] == [f"{path}[2]"]
    assert "twice" in problems[0].message


def test_empty_areas_are_refused(make: Any) -> None:
    """pain.areas needs at least one area."""
    assert _paths(make(pain={"areas": []})) == ["pain.areas"]


def test_empty_red_flags_are_accepted(make: Any) -> None:
    """red_flags is required but may be empty."""
    assert validate_intake(make(red_flags=[]))["red_flags"] == []


@pytest.mark.parametrize("pregnant", [False, "absent"])
def test_pregnancy_weeks_without_pregnant_true_is_refused(pregnant: object, h: Any) -> None:
    """pregnancy_weeks is only recorded when patient.pregnant is true."""
    doc = h.make_intake(patient={"sex": "female", "pregnancy_weeks": 12})
    if pregnant != "absent":
        doc["patient"]["pregnant"] = pregnant
    assert _paths(doc) == ["patient.pregnancy_weeks"]


def test_null_pregnancy_weeks_without_pregnancy_is_accepted(make: Any) -> None:
    """A null pregnancy_weeks (as in the contract's example) is the same as not recorded."""
    assert validate_intake(make(patient={"sex": "female", "pregnant": False, "pregnancy_weeks": None}))


def test_pregnant_male_is_refused(make: Any) -> None:
    """pregnant: true with sex male is refused at patient.pregnant."""
    assert _paths(make(patient={"sex": "male", "pregnant": True})) == ["patient.pregnant"]


@pytest.mark.parametrize("sex", ["female", "other", None])
def test_pregnancy_accepted_for_a_patient_who_is_not_male(sex: str | None, make: Any) -> None:
    """pregnant: true is valid for a female patient, sex other, or sex not recorded."""
    patient: dict[str, Any] = {"pregnant": True, "pregnancy_weeks": 30}
    if sex:
        patient["sex"] = sex
    assert validate_intake(make(patient=patient))


def test_all_schema_problems_reported_at_once(h: Any) -> None:
    """Several problems in one intake are all reported in one refusal, each with its path."""
    doc = h.make_intake(
        patient={"age": 12, "sex": "robot"},
        episode={"side": "middle", "duration_weeks": -3},
        pain={"leg_nrs": 14, "areas": ["buttock", "elbow"]},
        medical=["pacemaker", "pacemaker"],
    )
    doc = h.set_path(doc, "red_flags", h.DROP)
    paths = _paths(doc)
    assert set(paths) == {
        "patient.age", "patient.sex", "episode.side", "episode.duration_weeks", "pain.leg_nrs", "pain.areas[1]",
        "medical[1]", "red_flags",
    }


def test_scope_problems_reported_with_schema_problems(make: Any) -> None:
    """A scope problem (pregnancy_weeks without pregnancy) is reported alongside a schema problem."""
    doc = make(patient={"age": 15, "sex": "female", "pregnancy_weeks": 12})
    assert set(_paths(doc)) == {"patient.age", "patient.pregnancy_weeks"}


@pytest.mark.parametrize("age", [15, 0])
def test_under_16_message_mentions_scope(age: int, make: Any) -> None:
    """An under-16 patient is refused with a message that says it is outside the engine's scope."""
    problem = _refusal(make(patient={"age": age})).problems[0]
    assert problem.path == "patient.age"
    assert "scope" in problem.message
    assert "16" in problem.message


def test_refusal_is_a_value_error_with_json_form(make: Any) -> None:
    """InputRefused is a ValueError and converts to the contract's {"errors": [...]} shape."""
    refusal = _refusal(make(pain={"leg_nrs": 12}))
    assert isinstance(refusal, ValueError)
    assert refusal.as_json() == {"errors": [{"path": "pain.leg_nrs", "message": refusal.problems[0].message}]}
    assert refusal.problems[0].line().startswith("error: pain.leg_nrs: ")


# ── contract 1.1: examination.power and medical_sites ─────────────────────────────────────────────────────


def test_power_and_medical_sites_are_accepted(make: Any) -> None:
    """MRC grades 0-5 for weakness ids, and a site for a medical item that is also listed in `medical`."""
    doc = make(
        examination={"weakness": ["ankle_dorsiflexion"], "power": {"ankle_dorsiflexion": 0, "plantarflexion": 5}},
        medical=["dvt_suspected", "pacemaker"],
        medical_sites={"dvt_suspected": {"areas": ["posterior_calf"], "side": "left"},
                       "pacemaker": {"side": "midline"}},
    )
    assert validate_intake(doc) is doc


@pytest.mark.parametrize(("grade", "message"), [
    (7, "must be from 0 to 5, got 7"),
    (-1, "must be from 0 to 5, got -1"),
    (3.5, "must be a whole number, got 3.5"),
    ("3", "must be a whole number, got '3'"),
    (True, "must be a whole number, got True"),
])
def test_power_grade_out_of_range_names_the_muscle(grade: object, message: str, make: Any) -> None:
    """A grade outside MRC 0-5 (or not a whole number) is refused at examination.power.<muscle>."""
    problems = _refusal(make(examination={"power": {"ankle_dorsiflexion": grade}})).problems
    assert [(p.path, p.message) for p in problems] == [("examination.power.ankle_dorsiflexion", message)]


def test_power_unknown_muscle_is_refused(make: Any) -> None:
    """A power key outside the weakness vocabulary is refused with its path."""
    problems = _refusal(make(examination={"power": {"big_toe_flexion": 3}})).problems
    assert [p.path for p in problems] == ["examination.power.big_toe_flexion"]
    assert problems[0].message.startswith("unknown key 'big_toe_flexion'")
    assert "ankle_dorsiflexion" in problems[0].message


def test_power_must_be_an_object(make: Any) -> None:
    assert _paths(make(examination={"power": [3]})) == ["examination.power"]


def test_medical_sites_unknown_key_is_refused(make: Any) -> None:
    """A medical_sites key outside the medical vocabulary is refused (and not also reported as unlisted)."""
    problems = _refusal(make(medical=[], medical_sites={"foo": {"side": "left"}})).problems
    assert [p.path for p in problems] == ["medical_sites.foo"]
    assert problems[0].message.startswith("unknown key 'foo'")


def test_medical_sites_entry_refuses_unknown_fields_and_values(make: Any) -> None:
    """A site entry takes only `areas` (pain-area ids) and `side` (left/right/both/midline)."""
    doc = make(medical=["pacemaker"],
               medical_sites={"pacemaker": {"areas": ["chest"], "side": "top", "depth": 3}})
    assert set(_paths(doc)) == {
        "medical_sites.pacemaker.areas[0]", "medical_sites.pacemaker.side", "medical_sites.pacemaker.depth",
    }


def test_medical_sites_key_must_be_listed_in_medical(make: Any) -> None:
    """A site for an item missing from `medical` is refused at medical_sites.<id>; with `medical` absent too."""
    for doc in (make(medical=["pacemaker"], medical_sites={"dvt_suspected": {"side": "left"}}),
                make(medical_sites={"dvt_suspected": {"side": "left"}})):
        problems = _refusal(doc).problems
        assert [p.path for p in problems] == ["medical_sites.dvt_suspected"]
        assert "not listed in medical" in problems[0].message


def test_medical_sites_must_be_an_object(make: Any) -> None:
    assert _paths(make(medical=[], medical_sites=["pacemaker"])) == ["medical_sites"]


def test_power_and_sites_become_facts(make: Any) -> None:
    """The rules can test examination.power.<muscle> (a number) and medical_sites.<id>.areas / .side."""
    from sciatica_care.knowledge.facts import intake_facts

    facts = intake_facts(make(
        examination={"power": {"ankle_dorsiflexion": 2}},
        medical=["dvt_suspected"],
        medical_sites={"dvt_suspected": {"areas": ["posterior_calf", "knee_posterior"], "side": "right"}},
    ))
    assert facts["examination.power.ankle_dorsiflexion"] == 2
    assert "examination.power.plantarflexion" not in facts
    assert facts["medical_sites.dvt_suspected.areas"] == frozenset({"posterior_calf", "knee_posterior"})
    assert facts["medical_sites.dvt_suspected.side"] == "right"
