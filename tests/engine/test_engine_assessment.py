"""Assessment: phase, nerve roots, channels, likely causes and TCM patterns."""

from __future__ import annotations

from typing import Any

import pytest

from sciatica_care.knowledge.facts import CAUSES
from sciatica_care.knowledge.load import load_knowledge


def _assessment(h: Any, **overrides: Any) -> dict[str, Any]:
    return h.clear_plan(**overrides)["assessment"]


def _cause_ids(assessment: dict[str, Any]) -> list[str]:
    return [c["id"] for c in assessment["causes"]]


# ── phase ────────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("weeks", "phase"),
    [(0, "acute"), (5.9, "acute"), (6, "subacute"), (9, "subacute"), (12, "subacute"), (12.1, "chronic"),
     (2600, "chronic")],
)
def test_phase_boundaries(weeks: float, phase: str, h: Any) -> None:
    """Phase is acute below 6 weeks, subacute from 6 to 12, chronic above 12."""
    assert _assessment(h, episode={"duration_weeks": weeks})["phase"] == phase


# ── nerve roots ──────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("root", "findings"),
    [
        ("L4", {"pain": {"areas": ["medial_calf", "medial_ankle"]}}),
        ("L4", {"examination": {"weakness": ["knee_extension"]}}),
        ("L4", {"examination": {"reflexes": {"knee": "reduced"}}}),
        ("L4", {"examination": {"reflexes": {"knee": "absent"}}}),
        ("L5", {"pain": {"areas": ["lateral_calf", "dorsum_foot"]}}),
        ("L5", {"pain": {"areas": ["lateral_calf", "big_toe"]}}),
        ("L5", {"examination": {"weakness": ["great_toe_extension"]}}),
        ("L5", {"examination": {"weakness": ["ankle_dorsiflexion"]}}),
        ("S1", {"pain": {"areas": ["posterior_calf", "sole"]}}),
        ("S1", {"pain": {"areas": ["posterior_calf", "heel"]}}),
        ("S1", {"examination": {"weakness": ["plantarflexion"]}}),
        ("S1", {"examination": {"reflexes": {"ankle": "reduced"}}}),
        ("S1", {"examination": {"reflexes": {"ankle": "absent"}}}),
    ],
    ids=lambda v: v if isinstance(v, str) else "-".join(str(x) for x in _leaves(v)),
)
def test_root_named_from_its_areas_weakness_or_reflex(root: str, findings: dict[str, Any], h: Any) -> None:
    """Each root is named from its own dermatome, myotome or reflex, and no other root is."""
    assert _assessment(h, **findings)["nerve_roots"] == [root]


def _leaves(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [x for v in node.values() for x in _leaves(v)]
    if isinstance(node, list):
        return [x for v in node for x in _leaves(v)]
    return [node]


@pytest.mark.parametrize(
    "areas",
    [["buttock"], ["buttock", "lower_back"], ["buttock", "posterior_thigh"], ["hip_lateral"]],
)
def test_no_root_from_buttock_or_thigh_pain_only(areas: list[str], h: Any) -> None:
    """Pain that stays in the buttock, back or thigh names no nerve root."""
    assert _assessment(h, pain={"areas": areas})["nerve_roots"] == []


@pytest.mark.parametrize(
    "findings",
    [{"pain": {"areas": ["posterior_calf"]}}, {"pain": {"areas": ["lateral_calf"]}},
     {"examination": {"weakness": ["ankle_eversion"]}}, {"examination": {"reflexes": {"knee": "normal",
                                                                                       "ankle": "normal"}}}],
)
def test_single_weak_sign_names_no_root(findings: dict[str, Any], h: Any) -> None:
    """One area alone, a minor weakness or normal reflexes fall short of naming a root."""
    assert _assessment(h, **findings)["nerve_roots"] == []


def test_roots_carry_their_evidence(h: Any) -> None:
    """A named root lists the findings that named it, each with sources."""
    a = _assessment(h, examination={"weakness": ["plantarflexion"], "reflexes": {"ankle": "reduced"}})
    evidence = a["root_evidence"]["S1"]
    assert {e["id"] for e in evidence} == {"s1-weak-plantarflexion", "s1-ankle-reflex"}
    assert all(e["sources"] for e in evidence)


# ── channels ─────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("areas", "channel"),
    [
        (["posterior_thigh"], "bladder"),
        (["posterior_calf"], "bladder"),
        (["knee_posterior", "heel"], "bladder"),
        (["lateral_thigh"], "gallbladder"),
        (["lateral_calf"], "gallbladder"),
        (["hip_lateral"], "gallbladder"),
        (["anterior_thigh"], "stomach"),
        (["anterior_shin"], "stomach"),
        (["groin"], "liver"),
        (["medial_ankle"], "kidney"),
        (["medial_thigh", "medial_calf"], "spleen"),
    ],
)
def test_channel_follows_the_path_of_the_pain(areas: list[str], channel: str, h: Any) -> None:
    """Back of the leg → bladder, outer side → gallbladder, front → stomach, inner leg → a yin channel."""
    assert channel in _assessment(h, pain={"areas": areas})["channels"]


@pytest.mark.parametrize(
    ("areas", "absent"),
    [(["posterior_thigh", "posterior_calf"], "gallbladder"), (["lateral_thigh", "lateral_calf"], "bladder"),
     (["anterior_thigh"], "bladder")],
)
def test_channel_not_named_off_its_path(areas: list[str], absent: str, h: Any) -> None:
    """A channel the pain does not follow is not named."""
    assert absent not in _assessment(h, pain={"areas": areas})["channels"]


def test_buttock_alone_names_no_channel(h: Any) -> None:
    """Pain only in the buttock (shared by two channels, half weight each) names none."""
    assert _assessment(h, pain={"areas": ["buttock"]})["channels"] == []


def test_channels_ranked_by_how_much_of_the_path_hurts(h: Any) -> None:
    """The channel with more painful areas on its course comes first."""
    a = _assessment(h, pain={"areas": ["posterior_thigh", "posterior_calf", "sole", "lateral_calf"]})
    assert a["channels"][:2] == ["bladder", "gallbladder"]


# ── causes ───────────────────────────────────────────────────────────────────────────────────────────────

CLASSIC: dict[str, dict[str, Any]] = {
    "disc_herniation": {
        "examination": {"straight_leg_raise": "positive"},
        "pain": {"worse_with": ["coughing_sneezing"]},
        "episode": {"after_lifting": True},
    },
    "spinal_stenosis": {
        "patient": {"age": 72},
        "episode": {"duration_weeks": 30},
        "pain": {"worse_with": ["walking"], "better_with": ["sitting", "bending_forward"]},
        "examination": {"imaging": ["spinal_stenosis"]},
    },
    "piriformis_syndrome": {
        "examination": {"piriformis_tenderness": True, "fair_test": "positive", "straight_leg_raise": "negative"},
    },
    "spondylolisthesis": {"examination": {"imaging": ["spondylolisthesis"]}},
    "myofascial_trigger_points": {
        "examination": {"trigger_points": True, "straight_leg_raise": "negative"},
        "pain": {"qualities": ["aching"]},
    },
    "degenerative_arthritis": {"patient": {"age": 60}, "examination": {"imaging": ["degenerative_changes"]}},
    "trauma": {"episode": {"after_trauma": True}},
    "pregnancy_related": {"patient": {"sex": "female", "pregnant": True, "pregnancy_weeks": 24}},
}


def test_classic_table_covers_every_cause() -> None:
    """Every contract cause has a classic presentation in the table."""
    assert set(CLASSIC) == set(CAUSES) == {c.id for c in load_knowledge().assessment.causes}


@pytest.mark.parametrize("cause", list(CLASSIC))
def test_classic_presentation_puts_its_cause_first(cause: str, h: Any) -> None:
    """A textbook presentation of each cause makes it the most likely."""
    assert _cause_ids(_assessment(h, **CLASSIC[cause]))[0] == cause


def test_stenosis_leads_without_imaging_in_an_older_walker(h: Any) -> None:
    """Older, worse walking, eased by sitting or bending: stenosis first even without imaging."""
    overrides = h.deep_merge(CLASSIC["spinal_stenosis"], {"examination": h.DROP})
    assert _cause_ids(_assessment(h, **overrides))[0] == "spinal_stenosis"


def test_pregnancy_related_in_top_two_alongside_a_disc(h: Any) -> None:
    """A pregnant patient with a classic disc picture has pregnancy_related among the top two causes."""
    overrides = h.deep_merge(CLASSIC["disc_herniation"], CLASSIC["pregnancy_related"])
    assert "pregnancy_related" in _cause_ids(_assessment(h, **overrides))[:2]


def test_pregnancy_related_unlikely_when_not_pregnant(h: Any) -> None:
    """pregnancy_related is not listed when the patient is recorded as not pregnant, nor for a man; while
    pregnancy is possible but not recorded it stays at the bottom."""
    a = _assessment(h, patient={"sex": "female", "pregnant": False})
    assert "pregnancy_related" not in {c["id"] for c in a["causes"]}
    a = _assessment(h, patient={"sex": "male", "age": 40})
    assert "pregnancy_related" not in {c["id"] for c in a["causes"]}
    a = _assessment(h, patient={"sex": "female", "age": 30})
    likelihood = {c["id"]: c["likelihood"] for c in a["causes"]}
    assert likelihood["pregnancy_related"] < 0.1


def test_negative_slr_lowers_disc_likelihood(h: Any) -> None:
    """A negative straight-leg raise lowers the disc's likelihood and says so."""
    plain = {c["id"]: c for c in _assessment(h)["causes"]}["disc_herniation"]
    negative = {c["id"]: c for c in _assessment(h, examination={"straight_leg_raise": "negative"})["causes"]}
    assert negative["disc_herniation"]["likelihood"] < plain["likelihood"]
    assert any(r.startswith("against: ") for r in negative["disc_herniation"]["reasons"])


@pytest.mark.parametrize("cause", list(CLASSIC))
def test_causes_sorted_with_likelihoods_in_unit_range(cause: str, h: Any) -> None:
    """Every cause that can apply is listed (pregnancy only if the patient could be pregnant), most likely first,
    ranked 1, 2, 3..., each likelihood in 0..1."""
    causes = _assessment(h, **CLASSIC[cause])["causes"]
    likelihoods = [c["likelihood"] for c in causes]
    shown = set(CAUSES) if cause == "pregnancy_related" else set(CAUSES) - {"pregnancy_related"}
    assert sorted(c["id"] for c in causes) == sorted(shown)
    assert [c["rank"] for c in causes] == list(range(1, len(causes) + 1))
    assert likelihoods == sorted(likelihoods, reverse=True)
    assert all(0 <= x <= 1 for x in likelihoods)


@pytest.mark.parametrize("cause", list(CLASSIC))
def test_top_cause_gives_its_reasons(cause: str, h: Any) -> None:
    """The leading cause of a classic case lists the findings that raised it, marked for or against."""
    top = _assessment(h, **CLASSIC[cause])["causes"][0]
    assert top["reasons"]
    assert all(r.startswith(("for: ", "against: ")) for r in top["reasons"])


# ── TCM patterns ─────────────────────────────────────────────────────────────────────────────────────────

PATTERN_SIGNS: dict[str, dict[str, Any]] = {
    "qi_blood_stagnation": {"tcm": {"signs": ["fixed_stabbing_pain"], "tongue": ["purple"]}},
    "cold_damp_bi": {"tcm": {"signs": ["cold_worse"], "tongue": ["thick_white_coat"]}},
    "damp_heat_bi": {"tcm": {"signs": ["heat_sensation"], "tongue": ["greasy_yellow_coat"]}},
    "kidney_deficiency": {"tcm": {"signs": ["low_back_weakness"], "pulse": ["deep_weak"]}},
    "liver_qi_stagnation": {"tcm": {"signs": ["stress_irritability"], "pulse": ["wiry"]}},
    "wind_bi": {"tcm": {"signs": ["moving_pain"]}},
}
PATTERN_IDS = [p.id for p in load_knowledge().assessment.patterns]


def test_pattern_table_covers_every_pattern() -> None:
    """Every TCM pattern in the knowledge has its signs in the table."""
    assert set(PATTERN_SIGNS) == set(PATTERN_IDS)


@pytest.mark.parametrize("pattern", PATTERN_IDS)
def test_pattern_named_from_its_signs(pattern: str, h: Any) -> None:
    """Each pattern's characteristic signs name that pattern and no other."""
    assert _assessment(h, **PATTERN_SIGNS.get(pattern, {}))["tcm_patterns"] == [pattern]


@pytest.mark.parametrize(
    "tcm", [{"tongue": ["purple"]}, {"pulse": ["wiry"]}, {"tongue": ["thin_coat"]}, {"signs": ["fatigue"]}],
)
def test_one_minor_sign_names_no_pattern(tcm: dict[str, list[str]], h: Any) -> None:
    """A single supporting sign below the threshold names no pattern."""
    assert _assessment(h, tcm=tcm)["tcm_patterns"] == []


def test_no_tcm_record_names_no_pattern(h: Any) -> None:
    """Without TCM findings no pattern is named."""
    assert _assessment(h)["tcm_patterns"] == []


def test_stronger_pattern_listed_first(h: Any) -> None:
    """Two patterns are listed by the weight of their signs, strongest first."""
    a = _assessment(h, tcm={"signs": ["fixed_stabbing_pain", "moving_pain"], "tongue": ["purple"],
                            "pulse": ["choppy"]})
    assert a["tcm_patterns"] == ["qi_blood_stagnation", "wind_bi"]
