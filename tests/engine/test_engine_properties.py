"""Properties over generated intakes: valid ones (built from the contract's own vocabulary) always give a safe,
serialisable plan; invalid ones (a valid intake with one mutation) are refused at the mutated path, in Python
and through the CLI."""

from __future__ import annotations

import copy
import json
import math
import re
from typing import Any

import jsonschema
import msgspec
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciatica_care import InputRefused, plan_for
from sciatica_care.cli.main import main
from sciatica_care.contract import intake_schema, plan_schema
from sciatica_care.engine.plan_model import Plan, plan_json
from sciatica_care.knowledge.load import load_knowledge

SCHEMA = intake_schema()
PLAN_VALIDATOR = jsonschema.Draft202012Validator(plan_schema())
K = load_knowledge()
KNOWN_CODES = {p.code for p in K.points}
SOURCE_IDS = {s.id for s in K.sources}
FORBIDDEN_IN_PREGNANCY = {"LI4", "SP6", "BL60", "BL67", "GB21"}
EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _node(path: str) -> dict[str, Any]:
    node: dict[str, Any] = SCHEMA
    for part in path.split("."):
        node = node["properties"][part]
    return node


def vocab(path: str) -> list[str]:
    """The contract's vocabulary for a field, read from the packaged schema."""
    node = _node(path)
    return list(node["enum"] if "enum" in node else node["items"]["enum"])


def _bounds(path: str) -> tuple[float, float]:
    node = _node(path)
    return node["minimum"], node["maximum"]


def ids(path: str, max_size: int | None = None) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(vocab(path)), unique=True, max_size=max_size)


def one_of_vocab(path: str) -> st.SearchStrategy[str]:
    return st.sampled_from(vocab(path))


ABSENT: Any = object()


def maybe(strategy: st.SearchStrategy[Any], present: int = 1, absent: int = 1) -> st.SearchStrategy[Any]:
    """The value, or ABSENT (stripped later: the field is not recorded), weighted present:absent."""
    return st.one_of(*[strategy] * present, *[st.just(ABSENT)] * absent)


def _strip(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if v is not ABSENT}


def _pregnancy_rules(patient: dict[str, Any]) -> dict[str, Any]:
    """Make a drawn patient honour the contract: a man is never pregnant; weeks only when pregnant."""
    if patient.get("sex") == "male" and patient.get("pregnant") is True:
        patient["pregnant"] = False
    if patient.get("pregnant") is not True and patient.get("pregnancy_weeks") is not None:
        patient["pregnancy_weeks"] = None
    return patient


_AGE = tuple(map(int, _bounds("patient.age")))
_WEEKS = _bounds("episode.duration_weeks")

PATIENTS = st.fixed_dictionaries(
    {"age": st.integers(*_AGE),
     "sex": maybe(one_of_vocab("patient.sex"), 3),
     "pregnant": maybe(st.booleans(), 2),  # a third pregnant, a third not, a third not recorded
     "pregnancy_weeks": maybe(st.none() | st.integers(*map(int, _bounds("patient.pregnancy_weeks"))))},
).map(_strip).map(_pregnancy_rules)
EPISODES = st.fixed_dictionaries(
    {"side": one_of_vocab("episode.side"),
     "duration_weeks": st.integers(*map(int, _WEEKS)) | st.floats(*_WEEKS, allow_nan=False)},
    optional={"onset": one_of_vocab("episode.onset"), "after_lifting": st.booleans(),
              "after_trauma": st.booleans()},
)
PAINS = st.fixed_dictionaries(
    {"leg_nrs": st.integers(0, 10),
     "areas": st.lists(one_of_vocab("pain.areas"), unique=True, min_size=1, max_size=8)},
    optional={"back_nrs": st.integers(0, 10),
              **{key: ids(f"pain.{key}", 4) for key in ("qualities", "worse_with", "better_with")}},
)
EXAMINATIONS = st.fixed_dictionaries(
    {},
    optional={
        **{key: one_of_vocab(f"examination.{key}")
           for key in ("straight_leg_raise", "crossed_straight_leg_raise", "fair_test")},
        **{key: ids(f"examination.{key}", 3) for key in ("weakness", "sensory_loss", "imaging")},
        **{key: st.booleans() for key in ("piriformis_tenderness", "lumbar_tenderness", "trigger_points")},
        "reflexes": st.fixed_dictionaries({}, optional={
            "knee": one_of_vocab("examination.reflexes.knee"), "ankle": one_of_vocab("examination.reflexes.ankle")}),
    },
)
TCM = st.fixed_dictionaries({}, optional={key: ids(f"tcm.{key}", 3) for key in ("signs", "tongue", "pulse")})
PREFERENCES = st.fixed_dictionaries(
    {}, optional={"modalities": ids("preferences.modalities"), "max_sessions_per_week": st.integers(1, 3)})
#: Red flags stop treatment, so three cases in four have none and the rest any one or two.
RED_FLAGS = st.one_of(st.just([]), st.just([]), st.just([]), ids("red_flags", 2))


def valid_intakes() -> st.SearchStrategy[dict[str, Any]]:
    """Any intake the contract accepts, built from the schema's vocabularies, pregnancy rules respected.

    Optional sections and fields are present or absent at random (absent = not recorded).
    """
    return st.fixed_dictionaries(
        {"schema_version": st.just("1"), "patient": PATIENTS, "episode": EPISODES, "pain": PAINS,
         "red_flags": RED_FLAGS,
         "medical": maybe(st.one_of(st.just([]), ids("medical", 2)), 4),  # mostly recorded, often clear
         "preferences": maybe(PREFERENCES, 1, 2)},
        optional={"examination": EXAMINATIONS, "tcm": TCM},
    ).map(_strip)


def _points(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return plan["acupuncture"]["points"]


def _pair_codes(plan: dict[str, Any]) -> set[str]:
    return {c for pair in plan["electroacupuncture"]["pairs"] for c in pair}


def _acupressure(plan: dict[str, Any]) -> set[str]:
    return {a["code"] for a in plan["self_care"]["acupressure"]}


def _sources(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources" and isinstance(value, list):
                found.update(value)
            else:
                found |= _sources(value)
    elif isinstance(node, list):
        for item in node:
            found |= _sources(item)
    return found


# ── valid intakes ────────────────────────────────────────────────────────────────────────────────────────


@EXAMPLES
@given(valid_intakes())
def test_engine_never_raises_on_valid_intake(intake: dict[str, Any]) -> None:
    """Every valid intake gets a plan with the contract's schema version."""
    assert plan_for(intake)["schema_version"] == "1"


@EXAMPLES
@given(valid_intakes())
def test_every_plan_fits_the_typed_record_and_the_published_schema(intake: dict[str, Any]) -> None:
    """Every plan converts to the Plan record (no unknown key, every required field, the contract's vocabularies)
    and back unchanged, and validates against the checked-in plan.schema.json."""
    plan = plan_for(intake)
    assert plan_json(msgspec.convert(plan, Plan)) == plan
    errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in PLAN_VALIDATOR.iter_errors(plan)]
    assert not errors, errors


@EXAMPLES
@given(valid_intakes())
def test_engine_does_not_mutate_the_intake(intake: dict[str, Any]) -> None:
    """Planning leaves the caller's intake untouched."""
    before = copy.deepcopy(intake)
    plan_for(intake)
    assert intake == before


@EXAMPLES
@given(valid_intakes())
def test_non_routine_triage_has_no_points(intake: dict[str, Any]) -> None:
    """When triage is not routine, treatment is not allowed and no point, pair or acupressure is planned."""
    plan = plan_for(intake)
    if plan["triage"]["level"] != "routine":
        assert plan["treatment_allowed"] is False
        assert _points(plan) == []
        assert plan["electroacupuncture"]["pairs"] == []
        assert plan["self_care"]["acupressure"] == []


@EXAMPLES
@given(valid_intakes())
def test_red_flag_given_is_never_routine(intake: dict[str, Any]) -> None:
    """Any red flag given on the intake makes triage non-routine and lists it."""
    plan = plan_for(intake)
    if intake["red_flags"]:
        assert plan["triage"]["level"] != "routine"
        assert set(intake["red_flags"]) <= set(plan["triage"]["red_flags"])


@EXAMPLES
@given(valid_intakes())
def test_excluded_point_never_planned(intake: dict[str, Any]) -> None:
    """A point in `excluded` never appears in points, electroacupuncture pairs or acupressure."""
    plan = plan_for(intake)
    excluded = {e["code"] for e in plan["acupuncture"]["excluded"]}
    assert not excluded & {p["code"] for p in _points(plan)}
    assert not excluded & _pair_codes(plan)
    assert not excluded & _acupressure(plan)


@EXAMPLES
@given(valid_intakes())
def test_no_local_point_on_the_side_without_pain(intake: dict[str, Any]) -> None:
    """Left pain → no local point on the right, and right pain → none on the left."""
    side = intake["episode"]["side"]
    plan = plan_for(intake)
    if side in ("left", "right"):
        wrong = "right" if side == "left" else "left"
        assert not [p["code"] for p in _points(plan) if p["role"] == "local" and p["side"] in (wrong, "both")]


@EXAMPLES
@given(valid_intakes())
def test_pregnancy_never_gets_forbidden_points_or_ea(intake: dict[str, Any]) -> None:
    """Pregnant: never LI4, SP6, BL60, BL67 or GB21 (points, pairs, acupressure) and no electroacupuncture."""
    plan = plan_for(intake)
    if intake["patient"].get("pregnant") is True:
        planned = {p["code"] for p in _points(plan)} | _pair_codes(plan) | _acupressure(plan)
        assert not planned & FORBIDDEN_IN_PREGNANCY
        assert plan["electroacupuncture"]["allowed"] is False
        assert plan["electroacupuncture"]["pairs"] == []


@EXAMPLES
@given(valid_intakes())
def test_ea_disallowed_means_no_pairs(intake: dict[str, Any]) -> None:
    """Electroacupuncture not allowed ⇒ no pairs, and the plan gives a reason."""
    ea = plan_for(intake)["electroacupuncture"]
    if not ea["allowed"]:
        assert ea["pairs"] == []
        assert ea["reasons"]


@EXAMPLES
@given(valid_intakes())
def test_ea_pairs_only_between_planned_points(intake: dict[str, Any]) -> None:
    """Every electroacupuncture pair joins two points that are in the plan's points."""
    plan = plan_for(intake)
    assert _pair_codes(plan) <= {p["code"] for p in _points(plan)}


@EXAMPLES
@given(valid_intakes())
def test_schedule_within_patient_limit(intake: dict[str, Any]) -> None:
    """sessions_per_week never exceeds the patient's max_sessions_per_week."""
    limit = (intake.get("preferences") or {}).get("max_sessions_per_week", 3)
    assert plan_for(intake)["schedule"]["sessions_per_week"] <= limit


@EXAMPLES
@given(valid_intakes())
def test_unchosen_modalities_stay_empty(intake: dict[str, Any]) -> None:
    """A modality the patient did not choose is not planned (no pairs, no massage, no cupping, no acupressure)."""
    chosen = (intake.get("preferences") or {}).get("modalities")
    if chosen is None:
        return
    plan = plan_for(intake)
    if "electroacupuncture" not in chosen:
        assert plan["electroacupuncture"]["pairs"] == []
    if "massage" not in chosen:
        assert plan["massage"]["allowed"] is False
    if "cupping" not in chosen:
        assert plan["cupping"]["allowed"] is False
    if "acupressure" not in chosen:
        assert plan["self_care"]["acupressure"] == []
    if not {"acupuncture", "dry_needling"} & set(chosen):
        assert _points(plan) == []


@EXAMPLES
@given(valid_intakes())
def test_every_code_is_a_known_point(intake: dict[str, Any]) -> None:
    """Every point, pair end, exclusion and acupressure code is a canonical code of the knowledge."""
    plan = plan_for(intake)
    codes = {p["code"] for p in _points(plan)} | _pair_codes(plan) | _acupressure(plan)
    codes |= {e["code"] for e in plan["acupuncture"]["excluded"]}
    assert codes <= KNOWN_CODES


@EXAMPLES
@given(valid_intakes())
def test_plan_is_json_serialisable(intake: dict[str, Any]) -> None:
    """The plan serialises to strict JSON (no NaN or infinity) and reads back to the same structure."""
    plan = plan_for(intake)
    text = json.dumps(plan, allow_nan=False)
    assert json.loads(text) == json.loads(json.dumps(json.loads(text)))


@EXAMPLES
@given(valid_intakes())
def test_every_cited_source_exists(intake: dict[str, Any]) -> None:
    """Every source id cited anywhere in the plan is in sources.yaml."""
    assert _sources(plan_for(intake)) <= SOURCE_IDS


@EXAMPLES
@given(valid_intakes())
def test_every_point_explains_itself(intake: dict[str, Any]) -> None:
    """Every planned point carries a side, a role, a reason, its rule and at least one source."""
    for p in _points(plan_for(intake)):
        assert p["side"] in ("left", "right", "both", "midline")
        assert p["role"] in ("local", "distal", "systemic", "balance")
        assert p["reason"]
        assert p["rule"]
        assert p["sources"]


# ── invalid intakes ──────────────────────────────────────────────────────────────────────────────────────

REQUIRED = ["schema_version", "patient", "patient.age", "episode", "episode.side", "episode.duration_weeks",
            "pain", "pain.leg_nrs", "pain.areas", "red_flags"]
NUMBERS = {
    "patient.age": st.integers(-1000, 15) | st.integers(111, 10**6),
    "pain.leg_nrs": st.integers(-100, -1) | st.integers(11, 1000),
    "pain.back_nrs": st.integers(-100, -1) | st.integers(11, 1000),
    "episode.duration_weeks": st.floats(max_value=-0.001, allow_nan=False, allow_infinity=False)
    | st.floats(min_value=2600.001, allow_nan=False, allow_infinity=False),
    "preferences.max_sessions_per_week": st.integers(-5, 0) | st.integers(4, 50),
}
LIST_PATHS = ["pain.areas", "pain.qualities", "pain.worse_with", "pain.better_with", "examination.weakness",
              "examination.sensory_loss", "examination.imaging", "red_flags", "medical", "tcm.signs", "tcm.tongue",
              "tcm.pulse", "preferences.modalities"]
SCALAR_ENUMS = ["patient.sex", "episode.side", "episode.onset", "examination.straight_leg_raise",
                "examination.fair_test", "examination.reflexes.knee"]
NOT_A_NUMBER = st.sampled_from([True, False, None, "7", [], {}, math.nan, math.inf, -math.inf])
WRONG_TYPES: dict[str, st.SearchStrategy[Any]] = {
    "patient.age": NOT_A_NUMBER | st.floats(16.1, 109.9).filter(lambda x: not x.is_integer()),
    "pain.leg_nrs": NOT_A_NUMBER,
    "episode.duration_weeks": NOT_A_NUMBER,
    "patient.pregnant": st.sampled_from(["yes", 1, 0, None, []]),
    "episode.after_lifting": st.sampled_from(["true", 1, None]),
    "examination.piriformis_tenderness": st.sampled_from(["false", 0, [True]]),
    "pain.areas": st.sampled_from(["buttock", 3, None, {"buttock": True}]),
    "red_flags": st.sampled_from(["fever", None, 0, {}]),
    "medical": st.sampled_from(["pacemaker", 1, {}]),
    "patient": st.sampled_from(["Jo", 42, [], None]),
    "episode": st.sampled_from(["left", 3, [], None]),
    "pain": st.sampled_from(["bad", 7, [7], None]),
    "schema_version": st.sampled_from([1, 1.0, "2", None, ""]),
}


def _set(doc: dict[str, Any], path: str, value: Any, drop: bool = False) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    steps = [name if name else int(index) for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)]
    node: Any = out
    for step in steps[:-1]:
        if isinstance(step, str) and not isinstance(node.get(step), dict):
            node[step] = {}
        node = node[step]
    if drop:
        del node[steps[-1]]
    else:
        node[steps[-1]] = value
    return out


def _get(doc: dict[str, Any], path: str) -> Any:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


@st.composite
def invalid_intakes(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A valid intake with one thing broken, and the JSON path that must be named."""
    doc = draw(valid_intakes())
    kind = draw(st.sampled_from(["drop", "range", "unknown_id", "unknown_value", "wrong_type"]))
    if kind == "drop":
        path = draw(st.sampled_from(REQUIRED))
        return _set(doc, path, None, drop=True), path
    if kind == "range":
        path = draw(st.sampled_from(sorted(NUMBERS)))
        return _set(doc, path, draw(NUMBERS[path])), path
    if kind == "unknown_id":
        path = draw(st.sampled_from(LIST_PATHS))
        known = _get(doc, path) or []
        bad = draw(st.text(min_size=1, max_size=12).filter(lambda s: s not in vocab(path)))
        position = draw(st.integers(0, len(known)))
        items = [*known[:position], bad, *known[position:]]
        return _set(doc, path, items), f"{path}[{position}]"
    if kind == "unknown_value":
        path = draw(st.sampled_from(SCALAR_ENUMS))
        bad = draw(st.text(max_size=12).filter(lambda s: s not in vocab(path)))
        return _set(doc, path, bad), path
    path = draw(st.sampled_from(sorted(WRONG_TYPES)))
    return _set(doc, path, draw(WRONG_TYPES[path])), path


@EXAMPLES
@given(invalid_intakes())
def test_invalid_intake_refused_at_the_mutated_path(case: tuple[dict[str, Any], str]) -> None:
    """Every broken intake raises InputRefused, and its problems name the broken path."""
    doc, path = case
    with pytest.raises(InputRefused) as refused:
        plan_for(doc)
    assert path in [p.path for p in refused.value.problems]


@EXAMPLES
@given(invalid_intakes())
def test_invalid_intake_via_cli_exits_2_with_error_line(case: tuple[dict[str, Any], str]) -> None:
    """Through the CLI a broken intake exits 2, prints `error: <path>: ...` on stderr, nothing else, no traceback."""
    doc, path = case
    result = CliRunner().invoke(main, ["plan", "-", "--format", "text"], input=json.dumps(doc))
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines
    assert all(line.startswith("error: ") for line in lines)
    assert any(line.startswith(f"error: {path}: ") for line in lines)
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
