"""Which questionnaires are due at a visit, and the care matched to STarT Back's risk group."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciatica_care.errors import InputRefused
from sciatica_care.outcomes import matched_care, questionnaires_due

NRS = [("nrs_leg", ("every_visit",)), ("nrs_back", ("every_visit",))]


def due(visit: int, **settings: object) -> list[tuple[str, tuple[str, ...]]]:
    return [(d.measure, d.reasons) for d in questionnaires_due(visit, **settings)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("visit", "settings", "extra"),
    [
        pytest.param(
            1,
            {},
            [("odi", ("baseline",)), ("sbi", ("baseline",)), ("startback", ("intake",))],
            id="visit-1-baseline-and-intake",
        ),
        pytest.param(2, {}, [], id="visit-2-pain-only"),
        pytest.param(3, {}, [], id="visit-3-pain-only"),
        pytest.param(4, {}, [("odi", ("every_n_visits",)), ("sbi", ("every_n_visits",))], id="visit-4"),
        pytest.param(5, {}, [], id="visit-5"),
        pytest.param(8, {}, [("odi", ("every_n_visits",)), ("sbi", ("every_n_visits",))], id="visit-8"),
        pytest.param(6, {"discharge": True}, [("odi", ("discharge",)), ("sbi", ("discharge",))], id="discharge"),
        pytest.param(
            8,
            {"discharge": True},
            [("odi", ("every_n_visits", "discharge")), ("sbi", ("every_n_visits", "discharge"))],
            id="discharge-on-an-nth-visit",
        ),
        pytest.param(3, {"every_n_visits": 3}, [("odi", ("every_n_visits",)), ("sbi", ("every_n_visits",))], id="n-3"),
        pytest.param(4, {"every_n_visits": 3}, [], id="n-3-visit-4"),
        pytest.param(
            4,
            {"disability_instrument": "rmdq"},
            [("rmdq", ("every_n_visits",)), ("sbi", ("every_n_visits",))],
            id="rmdq-setting",
        ),
        pytest.param(
            1,
            {"every_n_visits": 1, "discharge": True},
            [
                ("odi", ("baseline", "every_n_visits", "discharge")),
                ("sbi", ("baseline", "every_n_visits", "discharge")),
                ("startback", ("intake",)),
            ],
            id="one-visit-course",
        ),
    ],
)
def test_questionnaires_due(visit: int, settings: dict[str, object], extra: list[tuple[str, tuple[str, ...]]]) -> None:
    """Leg and back NRS every visit; ODI (or RMDQ) and SBI at baseline, every n-th visit and discharge;
    STarT Back at intake."""
    assert due(visit, **settings) == NRS + extra


def test_due_names_the_instrument_that_scores_it() -> None:
    """Both NRS measures are scored on the nrs instrument; the others on their own."""
    found = {d.measure: d.instrument for d in questionnaires_due(1)}
    assert found == {"nrs_leg": "nrs", "nrs_back": "nrs", "odi": "odi", "sbi": "sbi", "startback": "startback"}


@pytest.mark.parametrize(
    ("args", "settings", "problems"),
    [
        pytest.param((0,), {}, [("visit_number", "must be an integer from 1, got 0")], id="visit-0"),
        pytest.param((True,), {}, [("visit_number", "must be an integer from 1, got true")], id="visit-bool"),
        pytest.param((2,), {"every_n_visits": 0}, [("every_n_visits", "must be an integer from 1, got 0")], id="n-0"),
        pytest.param((2,), {"discharge": "yes"}, [("discharge", 'must be true or false, got "yes"')], id="discharge"),
        pytest.param(
            (2,),
            {"disability_instrument": "nrs"},
            [("disability_instrument", 'must be odi or rmdq, got "nrs"')],
            id="disability",
        ),
        pytest.param(
            (-1,),
            {"every_n_visits": 2.5, "discharge": None},
            [
                ("visit_number", "must be an integer from 1, got -1"),
                ("every_n_visits", "must be an integer from 1, got 2.5"),
                ("discharge", "must be true or false, got null"),
            ],
            id="all-at-once",
        ),
    ],
)
def test_schedule_refusals(
    args: tuple[object, ...], settings: dict[str, object], problems: list[tuple[str, str]]
) -> None:
    """Bad schedule arguments are refused, every one at its path."""
    with pytest.raises(InputRefused) as refused:
        questionnaires_due(*args, **settings)  # type: ignore[arg-type]
    assert [(p.path, p.message) for p in refused.value.problems] == problems


@given(st.integers(1, 200), st.integers(1, 12), st.booleans(), st.sampled_from(["odi", "rmdq"]))
def test_schedule_definition(visit: int, every: int, discharge: bool, disability: str) -> None:
    """Whatever the visit and settings: pain always; disability and SBI exactly at baseline, every n-th visit or
    discharge; STarT Back only at visit 1."""
    found = {
        d.measure
        for d in questionnaires_due(
            visit, every_n_visits=every, discharge=discharge, disability_instrument=disability  # type: ignore[arg-type]
        )
    }
    measured = visit == 1 or visit % every == 0 or discharge
    assert {"nrs_leg", "nrs_back"} <= found
    assert (disability in found) is measured
    assert ("sbi" in found) is measured
    assert ("startback" in found) is (visit == 1)
    assert not found & ({"odi", "rmdq"} - {disability})


@pytest.mark.parametrize(
    ("band", "present", "absent"),
    [
        pytest.param("low", ("advice", "manage the pain themselves"), ("exercise", "psycholog"), id="low"),
        pytest.param("medium", ("exercise-based", "manual therapy", "part of it"), ("psycholog",), id="medium"),
        pytest.param("high", ("exercise-based", "manual therapy", "psychologically informed"), (), id="high"),
    ],
)
def test_matched_care(band: str, present: tuple[str, ...], absent: tuple[str, ...]) -> None:
    """Low risk → advice and self-management; medium/high → exercise-based package with manual therapy only
    within it; high adds psychologically informed support; NICE NG59 cited."""
    advice = matched_care(band)
    assert advice.id == f"matched_care_{band}"
    assert all(p in advice.text for p in present)
    assert not any(a in advice.text for a in absent)
    assert "nice-ng59" in advice.sources


@pytest.mark.parametrize("band", ["moderate", "", None, 1])
def test_matched_care_unknown_band(band: object) -> None:
    """An unknown risk group is refused, naming the known ones."""
    with pytest.raises(InputRefused) as refused:
        matched_care(band)  # type: ignore[arg-type]
    [problem] = refused.value.problems
    assert problem.path == "startback_band"
    assert "low, medium, high" in problem.message
