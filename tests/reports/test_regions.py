"""Pain-area regions: every contract area on both sides, mirror images, inside the outline, apart from each
other, where the anatomy says; and the pain map SVG that draws them."""

from __future__ import annotations

import functools
import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from sciatica_care.contract import intake_schema
from sciatica_care.knowledge.load import load_knowledge
from sciatica_care.reports.body import Vec, place, view
from sciatica_care.reports.body.geometry import bounds, distance_to_segment, inside
from sciatica_care.reports.body.regions import (
    REGION_VIEWS,
    Region,
    areas,
    outline_polygon,
    pain_map_svg,
    regions,
    regions_for,
)

CONTRACT_AREAS = intake_schema()["properties"]["pain"]["properties"]["areas"]["items"]["enum"]
SVG = "{http://www.w3.org/2000/svg}"
POINTS = {p.code: p for p in load_knowledge().points}


def _mirror_of(r: Region) -> Region:
    other = "left" if r.side == "right" else "right"
    return next(m for m in regions() if (m.area, m.view, m.side) == (r.area, r.view, other))


def _scale(r: Region) -> float:
    return view("foot_dorsal" if r.view == "sole" else r.view).scale


def _mirror_x(r: Region) -> float:
    return view("foot_dorsal" if r.view == "sole" else r.view).mirror_x


def _segments_cross(a: Vec, b: Vec, c: Vec, d: Vec) -> bool:
    def orient(p: Vec, q: Vec, r: Vec) -> float:
        return (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x)

    return orient(a, b, c) * orient(a, b, d) < 0 and orient(c, d, a) * orient(c, d, b) < 0


def _overlap(p: tuple[Vec, ...], q: tuple[Vec, ...]) -> bool:
    if any(inside(v, q) for v in p) or any(inside(v, p) for v in q):
        return True
    edges_p = list(zip(p, p[1:] + p[:1], strict=True))
    edges_q = list(zip(q, q[1:] + q[:1], strict=True))
    return any(_segments_cross(a, b, c, d) for a, b in edges_p for c, d in edges_q)


def _area(poly: tuple[Vec, ...]) -> float:
    return abs(sum(a.x * b.y - b.x * a.y for a, b in zip(poly, poly[1:] + poly[:1], strict=True))) / 2


def test_the_areas_are_the_contracts() -> None:
    """The regions read their area ids from the contract, in its order."""
    assert list(areas()) == CONTRACT_AREAS
    assert len(CONTRACT_AREAS) == 19


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("area", CONTRACT_AREAS)
def test_every_contract_area_has_a_region_on_each_side(area: str, side: str) -> None:
    """Each of the 19 areas can be marked on the left and on the right."""
    found = regions_for(area, side)  # type: ignore[arg-type]
    assert found, f"no region for the {side} {area}"
    assert all(r.view in REGION_VIEWS for r in found)


@pytest.mark.parametrize("region", [r for r in regions() if r.side == "right"], ids=lambda r: f"{r.view}-{r.area}")
def test_left_and_right_regions_are_mirror_images(region: Region) -> None:
    """The left region is the right one mirrored across the view's mirror line, point for point."""
    left = _mirror_of(region)
    assert len(left.polygon) == len(region.polygon)
    m = _mirror_x(region)
    mirrored = sorted((round(2 * m - p.x, 6), round(p.y, 6)) for p in region.polygon)
    assert mirrored == sorted((round(p.x, 6), round(p.y, 6)) for p in left.polygon)


@functools.cache
def _outline(name: str, side: str) -> list[Vec]:
    return outline_polygon(name, side)  # type: ignore[arg-type]


@pytest.mark.parametrize("region", regions(), ids=lambda r: f"{r.view}-{r.side}-{r.area}")
def test_every_region_lies_inside_the_outline(region: Region) -> None:
    """Every corner of a region is inside its figure's outline for its side, not on the very edge (a tenth of a
    cun), and the outline never cuts across the region."""
    outline = _outline(region.view, region.side)
    margin = 0.1 * _scale(region)
    box = bounds(region.polygon).grow(margin)
    near = [(c, d) for c, d in zip(outline, outline[1:] + outline[:1], strict=True)
            if max(c.x, d.x) >= box.x0 and min(c.x, d.x) <= box.x1 and max(c.y, d.y) >= box.y0
            and min(c.y, d.y) <= box.y1]
    for p in region.polygon:
        assert inside(p, outline), f"{region.label} ({region.view}) has a corner outside the outline"
        assert all(distance_to_segment(p, c, d) > margin for c, d in near), f"{region.label}: on the very edge"
    assert not any(_segments_cross(a, b, c, d)
                   for a, b in zip(region.polygon, region.polygon[1:] + region.polygon[:1], strict=True)
                   for c, d in near)


@pytest.mark.parametrize("region", regions(), ids=lambda r: f"{r.view}-{r.side}-{r.area}")
def test_the_drawn_path_is_the_region(region: Region) -> None:
    """The SVG path keeps the polygon's shape (corners on a straight run left out) and so stays inside too."""
    numbers = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", region.path())]
    drawn = [Vec(x, y) for x, y in zip(numbers[::2], numbers[1::2], strict=True)]
    assert 4 <= len(drawn) <= len(region.polygon)
    outline = _outline(region.view, region.side)
    assert all(inside(p, outline) for p in drawn)
    assert all(any(p.distance(q) < 0.08 for q in region.polygon) for p in drawn)  # its own corners, rounded
    edges = list(zip(drawn, drawn[1:] + drawn[:1], strict=True))
    assert all(min(distance_to_segment(q, a, b) for a, b in edges) < 0.35 for q in region.polygon)


@pytest.mark.parametrize("name", REGION_VIEWS)
def test_regions_in_one_view_never_overlap(name: str) -> None:
    """Within a figure (both sides of a bilateral one), no two regions overlap: a tap means one area."""
    shown = [r for r in regions() if r.view == name]
    bilateral = name in ("back", "front")
    for a, b in itertools.combinations(shown, 2):
        if not bilateral and a.side != b.side:
            continue  # the single-side views draw each side as its own figure
        assert not _overlap(a.polygon, b.polygon), f"{a.label} overlaps {b.label} in the {name} view"


@pytest.mark.parametrize("region", regions(), ids=lambda r: f"{r.view}-{r.side}-{r.area}")
def test_every_region_is_big_enough_to_tap(region: Region) -> None:
    """At least about 1.2 square cun (a fingertip on the drawing at its usual size)."""
    assert _area(region.polygon) / _scale(region) ** 2 > 1.2


@pytest.mark.parametrize(("code", "area"), [
    ("BL23", "lower_back"), ("GB30", "buttock"), ("BL54", "buttock"), ("BL37", "posterior_thigh"),
    ("BL40", "knee_posterior"), ("BL57", "posterior_calf"), ("GB31", "lateral_thigh"), ("LR3", "dorsum_foot"),
])
@pytest.mark.parametrize("side", ["left", "right"])
def test_knowledge_points_fall_in_the_area_anatomy_puts_them(code: str, area: str, side: str) -> None:
    """Regions and points are drawn from the same landmarks: GB30 lands in the buttock, BL40 behind the knee…"""
    placed = place(POINTS[code], side)  # type: ignore[arg-type]
    hits = [r for r in regions_for(area, side) if r.view == placed.view]  # type: ignore[arg-type]
    assert hits, f"{area} has no region in the {placed.view} view"
    assert any(inside(placed.at, r.polygon) for r in hits), f"{code} ({side}) is not in the {side} {area}"


@pytest.mark.parametrize(("view_name", "landmark", "area"), [
    ("back", "popliteal_crease_mid", "knee_posterior"), ("lateral", "greater_trochanter", "hip_lateral"),
    ("front", "medial_malleolus", "medial_ankle"),
])
@pytest.mark.parametrize("side", ["left", "right"])
def test_landmarks_fall_in_their_area(view_name: str, landmark: str, area: str, side: str) -> None:
    at = view(view_name).landmark(landmark, side)  # type: ignore[arg-type]
    if view_name == "lateral" and side == "left":
        at = view("lateral").mirror(view("lateral").landmark(landmark))
    assert any(inside(at, r.polygon) for r in regions_for(area, side) if r.view == view_name)  # type: ignore[arg-type]


def test_sides_are_where_the_views_say() -> None:
    """Back view: the patient's left on the viewer's left; front view: the patient's right on the viewer's left."""
    for name, left_is_minus in (("back", True), ("front", False)):
        left = regions_for("posterior_thigh" if name == "back" else "anterior_thigh", "left")
        x = next(r for r in left if r.view == name).polygon[0].x
        assert (x < view(name).mirror_x) == left_is_minus


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def test_pain_map_is_valid_accessible_svg_with_every_region() -> None:
    """Valid XML with a title and a description; one labelled, focusable toggle per region."""
    svg = pain_map_svg({"buttock"}, {"heel", "sole"})
    root = _tree(svg)
    assert root.get("role") == "group"
    assert root.find(f"{SVG}title") is not None
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert "left: buttock" in (desc.text or "")
    assert "right: sole, heel" in (desc.text or "")
    paths = [e for e in root.iter(f"{SVG}path") if e.get("class", "").startswith("region")]
    assert len(paths) == len(regions())
    for e in paths:
        assert e.get("role") == "button"
        assert e.get("tabindex") == "0"
        assert e.get("aria-label")
        assert e.find(f"{SVG}title") is not None
    pressed = {(e.get("data-side"), e.get("data-area")) for e in paths if e.get("aria-pressed") == "true"}
    assert pressed == {("left", "buttock"), ("right", "heel"), ("right", "sole")}
    heel_regions = [e for e in paths if (e.get("data-side"), e.get("data-area")) == ("right", "heel")]
    assert len(heel_regions) == 3  # from behind, from the outer side and from below: all shaded together
    assert all("marked" in (e.get("class") or "") for e in heel_regions)


def test_pain_map_for_print_is_an_image_without_controls() -> None:
    root = _tree(pain_map_svg({"lower_back"}, set(), interactive=False))
    assert root.get("role") == "img"
    assert not [e for e in root.iter() if e.get("role") == "button" or e.get("tabindex")]


def test_pain_map_refuses_unknown_areas() -> None:
    with pytest.raises(ValueError, match="unknown pain areas"):
        pain_map_svg({"elbow"}, set())


def test_pain_map_ids_are_unique_and_scoped_by_uid() -> None:
    """Two maps on one page do not share ids (clip paths, title)."""
    a, b = _tree(pain_map_svg(uid="one")), _tree(pain_map_svg(uid="two"))
    ids_a = [e.get("id") for e in a.iter() if e.get("id")]
    ids_b = {e.get("id") for e in b.iter() if e.get("id")}
    assert len(ids_a) == len(set(ids_a))
    assert not set(ids_a) & ids_b
