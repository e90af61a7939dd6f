"""The SVG figures and the plan chart: valid XML, accessible, and showing the plan's points where they belong."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from defusedxml import ElementTree

from sciatica_care.knowledge.model import Knowledge
from sciatica_care.reports.body import VIEW_NAMES, view
from sciatica_care.reports.body.figure import atlas_svg, chart_svg, figure_svg, point_figure_svg
from sciatica_care.reports.pictures import exercise_ids, exercise_svg, thermal_svg

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> Any:
    return ElementTree.fromstring(svg)


def assert_accessible(root: Any) -> None:
    """role="img", labelled by a non-empty <title> and <desc> that exist, and every id unique."""
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    labelled = root.get("aria-labelledby").split()
    found = {e.get("id"): e for e in root.iter() if e.get("id")}
    assert [found[i].tag for i in labelled] == [f"{NS}title", f"{NS}desc"]
    assert all(found[i].text and found[i].text.strip() for i in labelled)


def point_groups(root: Any) -> list[Any]:
    return [g for g in root.iter(f"{NS}g") if (g.get("class") or "").startswith("point")]


@pytest.mark.parametrize("view_name", VIEW_NAMES)
@pytest.mark.parametrize("side", ["left", "right"])
def test_every_view_draws_as_valid_accessible_svg(view_name: str, side: str, knowledge: Knowledge) -> None:
    """Each view, on each side, is valid XML with role="img", a title and a description."""
    root = parse(figure_svg(view_name, side, knowledge=knowledge))  # type: ignore[arg-type]
    assert_accessible(root)
    landmarks = {c.get("data-landmark") for c in root.iter(f"{NS}circle") if c.get("data-landmark")}
    assert landmarks == set(view(view_name).landmarks)  # type: ignore[arg-type]


@pytest.mark.parametrize("view_name", VIEW_NAMES)
def test_the_atlas_labels_every_point_of_a_view(view_name: str, knowledge: Knowledge) -> None:
    """The atlas draws every knowledge point of the view, each with an aria-label and a tooltip."""
    root = parse(atlas_svg(knowledge, view_name))  # type: ignore[arg-type]
    assert_accessible(root)
    expected = {p.code for p in knowledge.points if p.placement and p.placement.view == view_name}
    groups = point_groups(root)
    assert {g.get("data-code") for g in groups} == expected
    for g in groups:
        assert g.get("aria-label", "").startswith(g.get("data-code"))
        assert g.find(f"{NS}title") is not None


def test_the_chart_shows_each_planned_point_on_its_side_with_role_and_tooltip(
        intake: Callable[..., dict[str, Any]], plan_of: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """Planned points appear once per side, coloured by role, with location, depth and cautions on hover."""
    plan = plan_of(intake())
    root = parse(chart_svg(plan, knowledge))
    assert_accessible(root)
    drawn = Counter((g.get("data-code"), g.get("data-side"), g.get("data-role"))
                    for g in point_groups(root) if not g.get("data-excluded-by"))
    points = {p.code: p for p in knowledge.points}
    for item in plan["acupuncture"]["points"]:
        if points[item["code"]].placement is None:
            continue
        for side in (["left", "right"] if item["side"] == "both" else [item["side"]]):
            assert drawn[(item["code"], side, item["role"])] == 1, item
    for g in point_groups(root):
        p = points[g.get("data-code")]
        tip = g.find(f"{NS}title").text
        assert p.location in tip
        assert f"{p.depth.min_cun:g}–{p.depth.max_cun:g} cun" in tip
        assert all(c in tip for c in p.cautions)
        assert g.get("aria-label")


def test_the_chart_draws_points_on_the_correct_side_of_the_figure(
        intake: Callable[..., dict[str, Any]], plan_of: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """Left-sided sciatica: the local back points are drawn on the viewer's left half of the back figure."""
    svg = chart_svg(plan_of(intake()), knowledge)
    root = parse(svg)
    view_g = next(g for g in root.iter(f"{NS}g") if g.get("class") == "view view-back")
    tx = float(re.match(r"translate\(([-\d.]+)", view_g.get("transform")).group(1))
    crop_x0 = view("back").canvas.x0
    midline = tx - crop_x0  # the back panel is drawn at scale 1
    for g in point_groups(root):
        if g.get("data-code") in ("GB30", "BL36", "BL40"):
            shape = next(c for c in g if c.tag != f"{NS}title")
            x = float(shape.get("cx") or shape.get("x"))
            assert x < midline, g.get("data-code")


def test_the_chart_strikes_out_excluded_points_with_their_rule(
        pregnant_intake: dict[str, Any], plan_of: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """Points a safety rule removed are drawn struck out and labelled with the rule's name (its id is a data
    attribute, never shown)."""
    plan = plan_of(pregnant_intake)
    assert plan["acupuncture"]["excluded"], "the pregnancy case should exclude points"
    svg = chart_svg(plan, knowledge)
    root = parse(svg)
    excluded = {(g.get("data-code"), g.get("data-excluded-by")) for g in point_groups(root)
                if g.get("data-excluded-by")}
    points = {p.code: p for p in knowledge.points}
    for e in plan["acupuncture"]["excluded"]:
        if points[e["code"]].placement is not None:
            assert (e["code"], e["rule"]) in excluded
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Pregnancy: points forbidden by convention" in texts
    assert "pregnancy-forbidden-points" not in texts
    assert any("excluded by Pregnancy" in g.get("aria-label") for g in point_groups(root))


def test_the_chart_joins_electroacupuncture_pairs(
        intake: Callable[..., dict[str, Any]], plan_of: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """Each electroacupuncture pair is drawn as a dashed connection with its number."""
    plan = plan_of(intake())
    pairs = plan["electroacupuncture"]["pairs"]
    assert pairs, "this case should have electroacupuncture pairs"
    root = parse(chart_svg(plan, knowledge))
    dashed = [p for p in root.iter(f"{NS}path") if p.get("stroke-dasharray") == "4 3" and "Q" in p.get("d", "")]
    assert len(dashed) == len(pairs)
    desc = root.find(f"{NS}desc").text
    assert all(f"{a}–{b}" in desc for a, b in pairs)


def test_a_withheld_plan_draws_no_points_and_says_why(
        intake: Callable[..., dict[str, Any]], plan_of: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """With red flags the chart shows the figure, no points, and the reason treatment is withheld."""
    plan = plan_of(intake(red_flags=["bladder_dysfunction"]))
    root = parse(chart_svg(plan, knowledge))
    assert_accessible(root)
    assert point_groups(root) == []
    assert any("Treatment withheld" in (t.text or "") for t in root.iter(f"{NS}text"))


def test_a_point_found_by_palpation_is_listed_as_not_drawn(
        intake: Callable[..., dict[str, Any]], plan_of: Callable[..., dict[str, Any]], knowledge: Knowledge) -> None:
    """ASHI has no fixed place: the chart says so in its legend and description instead of guessing one."""
    plan = plan_of(intake())
    assert "ASHI" in [p["code"] for p in plan["acupuncture"]["points"]]
    root = parse(chart_svg(plan, knowledge))
    assert "ASHI" not in {g.get("data-code") for g in point_groups(root)}
    assert "Not drawn: ASHI" in root.find(f"{NS}desc").text


@pytest.mark.parametrize("code", ["GB30", "BL57", "GB34", "KI3", "LI4", "LR3", "LU7"])
def test_the_handout_close_up_marks_its_point(code: str, knowledge: Knowledge) -> None:
    """A handout close-up is accessible and marks exactly its one point."""
    point = next(p for p in knowledge.points if p.code == code)
    root = parse(point_figure_svg(point, "left"))
    assert_accessible(root)
    assert [g.get("data-code") for g in point_groups(root)] == [code]


def test_exercise_and_thermal_pictures_are_valid_svg() -> None:
    """Every exercise picture (and the fallback for an unknown one) and the heat/ice signs parse."""
    for ex in (*exercise_ids(), "an-exercise-added-later"):
        assert_accessible(parse(exercise_svg(ex, ex)))
    for thermal in ("ice", "heat", "ice_then_heat"):
        assert_accessible(parse(thermal_svg(thermal) or ""))
    assert thermal_svg("none") is None
