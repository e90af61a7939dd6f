"""The ICD-10-CM diagnosis suggested at intake from the likely cause, the side and the nerve root (facts.md §8)."""

from __future__ import annotations

import pytest

from sciatica_care.interop.diagnosis import suggest_diagnoses, suggest_for_intake
from sciatica_care.knowledge.codes import code_for

CLAUDICATION = {"pain.worse_with": frozenset({"walking"}), "pain.better_with": frozenset({"sitting"})}
BACK_PAIN = {"pain.back_nrs": 4}


def icd(cause: str | None, side: str | None, roots: tuple[str, ...] = (),
        facts: dict[str, object] | None = None) -> list[str]:
    suggestion = suggest_diagnoses(cause, side, roots, facts)
    return [code_for(d).code for d in suggestion.diagnoses]  # type: ignore[union-attr]


@pytest.mark.parametrize(("cause", "side", "roots", "facts", "codes"), [
    # sciatica by side, with and without low back pain
    (None, "right", (), {}, ["M54.31"]),
    (None, "left", (), {}, ["M54.32"]),
    (None, "both", (), {}, ["M54.31", "M54.32"]),
    (None, None, (), {}, ["M54.30"]),
    (None, "right", (), BACK_PAIN, ["M54.41"]),
    (None, "left", (), {"pain.areas": frozenset({"lower_back", "buttock"})}, ["M54.42"]),
    (None, "both", (), BACK_PAIN, ["M54.41", "M54.42"]),
    (None, None, (), BACK_PAIN, ["M54.40"]),
    # disc by the root's region; no root: the level is unknown, sciatica by side
    ("disc_herniation", "left", ("S1",), {}, ["M51.17"]),
    ("disc_herniation", "right", ("L5",), {}, ["M51.16"]),
    ("disc_herniation", "right", ("L4",), BACK_PAIN, ["M51.16"]),
    ("disc_herniation", "both", ("S1",), {}, ["M51.17"]),
    ("disc_herniation", "left", (), {}, ["M54.32"]),
    ("disc_herniation", "right", (), BACK_PAIN, ["M54.41"]),
    # stenosis with or without neurogenic claudication
    ("spinal_stenosis", "left", ("L5",), CLAUDICATION, ["M48.062"]),
    ("spinal_stenosis", "left", ("L5",), {}, ["M48.061"]),
    ("spinal_stenosis", "right", (), {"pain.worse_with": frozenset({"walking"})}, ["M48.061"]),
    # piriformis: a sciatic nerve lesion, with its own bilateral code
    ("piriformis_syndrome", "right", (), {}, ["G57.01"]),
    ("piriformis_syndrome", "left", (), {}, ["G57.02"]),
    ("piriformis_syndrome", "both", (), {}, ["G57.03"]),
    ("piriformis_syndrome", None, (), {}, ["G57.00"]),
    # causes with no checked code of their own
    ("myofascial_trigger_points", "left", (), {}, ["M54.32"]),
    ("degenerative_arthritis", "right", ("L5",), BACK_PAIN, ["M54.41"]),
    ("pregnancy_related", "right", (), {}, ["M54.31"]),
    ("trauma", "left", (), {}, ["M54.32"]),
    ("spondylolisthesis", "left", ("L5",), {}, ["M43.16"]),
])
def test_suggestion_table(cause: str | None, side: str | None, roots: tuple[str, ...], facts: dict[str, object],
                          codes: list[str]) -> None:
    """Cause, side and root give the ICD-10-CM codes of facts.md §8."""
    assert icd(cause, side, roots, facts) == codes


def test_two_roots_in_two_regions_offer_the_other_as_an_alternative() -> None:
    """L5 and S1 named: the first root's region is suggested, the other region's code offered beside it."""
    s = suggest_diagnoses("disc_herniation", "left", ("L5", "S1"))
    assert s.diagnoses == ("disc_radiculopathy_lumbar",)
    assert s.alternatives == ("disc_radiculopathy_lumbosacral",)


def test_both_legs_without_a_bilateral_code_says_so() -> None:
    """Both legs coded as right and left is explained (ICD-10-CM laterality guideline)."""
    s = suggest_diagnoses(None, "both")
    assert any("right and the left side" in r for r in s.reasons)
    assert "icd-10-cm-guidelines" in s.sources


def test_unrecorded_side_is_said_not_hidden() -> None:
    """With no side the unspecified code comes with the advice to record the side."""
    s = suggest_diagnoses("piriformis_syndrome", None)
    assert any("record the side" in r for r in s.reasons)


def test_the_spondylolisthesis_code_is_not_billable() -> None:
    """M43.16 may be suggested, but it is unverified: no bill or export may use it."""
    from sciatica_care.knowledge.codes import usable_code

    s = suggest_diagnoses("spondylolisthesis", "left")
    assert usable_code(s.diagnoses[0], "bill") is None


def test_an_unknown_side_is_refused() -> None:
    """A side outside the contract's words is an error, not a silent unspecified code."""
    with pytest.raises(ValueError, match="side"):
        suggest_diagnoses(None, "middle")


def test_a_suggestion_never_puts_a_wrong_side() -> None:
    """Right pain never suggests a left code and vice versa, for every cause (a wrong-side code is a hazard)."""
    from sciatica_care.knowledge.codes import diagnosis
    from sciatica_care.knowledge.facts import CAUSES

    for cause in (*CAUSES, None):
        for side, wrong in (("right", "left"), ("left", "right")):
            for facts in ({}, BACK_PAIN):
                s = suggest_diagnoses(cause, side, ("S1",), facts)
                assert all(diagnosis(d).side != wrong for d in s.diagnoses), (cause, side)


def test_suggest_for_intake_reads_side_and_facts(intake_doc: dict[str, object]) -> None:
    """From a whole intake: the side and the back pain come from the intake itself."""
    s = suggest_for_intake(intake_doc, None)
    assert s.diagnoses == ("lumbago_with_sciatica_left",)


@pytest.fixture
def intake_doc() -> dict[str, object]:
    import yaml

    from sciatica_care.engine.intake import validate_intake

    path = __import__("pathlib").Path(__file__).resolve().parents[2] / "examples" / "s1-disc-acute.yaml"
    doc = validate_intake(yaml.safe_load(path.read_text()))
    doc["episode"]["side"] = "left"  # type: ignore[index]
    doc["pain"]["back_nrs"] = 3  # type: ignore[index]
    return doc


@pytest.mark.parametrize(("ids", "problem"), [
    (("sciatica_left",), None),
    (("sciatica_right", "sciatica_left"), None),
    (("disc_radiculopathy_lumbar", "disc_radiculopathy_lumbosacral"), None),
    (("lumbar_stenosis_with_claudication", "disc_radiculopathy_lumbar"), None),
    (("sciatica_left", "disc_radiculopathy_lumbosacral"), "M51.1-"),
    (("sciatica_left", "lumbago_with_sciatica_left"), "M54.3-"),
    (("sciatica_right", "sciatic_nerve_lesion_right"), "G57.0-"),
    (("lumbago_with_sciatica_left", "disc_radiculopathy_lumbar"), "M54.4-"),
    (("radiculopathy_lumbar", "disc_radiculopathy_lumbar"), "M54.1-"),
    (("sciatica_unspecified_side", "sciatica_left"), "either recorded or not"),
    (("sciatica_left", "sciatica_left"), "twice"),
    (("no_such",), "not a diagnosis"),
])
def test_combination_table(ids: tuple[str, ...], problem: str | None) -> None:
    """Diagnoses ICD-10-CM excludes together (Excludes1), a repeated one or an unknown one are refused."""
    from sciatica_care.interop.diagnosis import combination_problems

    found = combination_problems(ids)
    if problem is None:
        assert found == []
    else:
        assert any(problem in p for p in found), found


def test_every_suggestion_is_a_valid_combination() -> None:
    """Whatever the cause, side and root, the suggestion itself passes the combination rules."""
    from sciatica_care.interop.diagnosis import combination_problems
    from sciatica_care.knowledge.facts import CAUSES

    for cause in (*CAUSES, None):
        for side in ("left", "right", "both", None):
            for roots in ((), ("L5",), ("L5", "S1")):
                for facts in ({}, BACK_PAIN, CLAUDICATION):
                    s = suggest_diagnoses(cause, side, roots, facts)
                    assert combination_problems(s.diagnoses) == [], (cause, side, roots)
