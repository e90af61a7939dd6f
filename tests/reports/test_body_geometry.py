"""The body model: landmarks placed by the B-cun proportions, points placed from the knowledge, sides mirrored."""

from __future__ import annotations

import math

import msgspec
import pytest

from sciatica_care.knowledge.load import load_knowledge
from sciatica_care.knowledge.model import Offset, Placement, Point
from sciatica_care.reports.body import Unplaceable, Vec, place, placements, sides, view, views
from sciatica_care.reports.body.geometry import distance_to_polyline, distance_to_segment, inside, lerp

POINTS = {p.code: p for p in load_knowledge().points}
PLACED = sorted(code for code, p in POINTS.items() if p.placement is not None)
TOL = 1e-6


def cun(view_name: str, a: Vec, b: Vec) -> float:
    """The distance between two page positions, in B-cun of that view."""
    return a.distance(b) / view(view_name).scale


def close(a: Vec, b: Vec, tol: float = TOL) -> bool:
    return a.distance(b) <= tol


@pytest.mark.parametrize("side", ["left", "right"])
def test_bl40_lies_on_the_popliteal_crease_midpoint(side: str) -> None:
    """BL40 is drawn exactly on the midpoint of the popliteal crease in the back view, on either side."""
    placed = place(POINTS["BL40"], side)  # type: ignore[arg-type]
    assert placed.view == "back"
    assert close(placed.at, view("back").landmark("popliteal_crease_mid", side))  # type: ignore[arg-type]


@pytest.mark.parametrize("side", ["left", "right"])
def test_gb30_is_one_third_of_the_way_from_the_trochanter_to_the_sacral_hiatus(side: str) -> None:
    """GB30 lies on the trochanter–sacral-hiatus line, a third of its length from the trochanter."""
    back = view("back")
    trochanter = back.landmark("greater_trochanter", side)  # type: ignore[arg-type]
    hiatus = back.landmark("sacral_hiatus", side)  # type: ignore[arg-type]
    gb30 = place(POINTS["GB30"], side).at  # type: ignore[arg-type]
    assert distance_to_segment(gb30, trochanter, hiatus) < TOL
    assert gb30.distance(trochanter) / trochanter.distance(hiatus) == pytest.approx(1 / 3, abs=1e-3)


@pytest.mark.parametrize("code", PLACED)
def test_left_and_right_are_mirror_images(code: str) -> None:
    """A point's left-side position is its right-side position mirrored across the view's mirror line."""
    left, right = place(POINTS[code], "left"), place(POINTS[code], "right")
    v = view(left.view)
    assert left.view == right.view
    assert close(left.at, v.mirror(right.at))
    assert left.at.y == pytest.approx(right.at.y)


@pytest.mark.parametrize("code", PLACED)
@pytest.mark.parametrize("side", ["left", "right"])
def test_every_placed_point_lands_inside_the_figure_outline(code: str, side: str) -> None:
    """Every knowledge point with a placement is drawn inside its view's outline, on both sides."""
    placed = place(POINTS[code], side)  # type: ignore[arg-type]
    outline = view(placed.view).outline_polygon(side)  # type: ignore[arg-type]
    assert inside(placed.at, outline), f"{code} ({side}) lies outside the {placed.view} outline"
    assert distance_to_polyline(placed.at, outline) > 0.1 * view(placed.view).scale, "on the very edge"


@pytest.mark.parametrize(("a", "b", "measure"), [
    ("greater_trochanter", "popliteal_crease_mid", 19.0),
    ("gluteal_fold_mid", "popliteal_crease_mid", 14.0),
    ("popliteal_crease_mid", "lateral_malleolus", 16.0),
])
def test_the_leg_follows_the_proportional_b_cun_measures(a: str, b: str, measure: float) -> None:
    """The back view's leg landmarks are the WHO B-cun measures apart, measured down the leg."""
    back = view("back")
    drop = back.landmark(b).y - back.landmark(a).y
    assert drop / back.scale == pytest.approx(measure)


def test_the_scapula_medial_border_is_three_cun_from_the_midline() -> None:
    """The drawn medial border of the scapula runs 3 B-cun from the posterior midline (the back's scale)."""
    back = view("back")
    scapula = next(f for f in back.features if f.name and f.name.startswith("scapula") and f.nodes[1].at.x > 0)
    border = [n.at for n in scapula.nodes if n.sharp and n.at.x - back.mirror_x == pytest.approx(3 * back.scale)]
    assert len(border) == 2
    assert abs(border[0].y - border[1].y) / back.scale > 3


@pytest.mark.parametrize(("code", "level", "lateral_cun"), [
    ("BL23", "spinous_L2_lower", 1.5), ("BL24", "spinous_L3_lower", 1.5), ("BL25", "spinous_L4_lower", 1.5),
    ("EX-B2-L4", "spinous_L4_lower", 0.5), ("EX-B2-L5", "spinous_L5_lower", 0.5),
    ("EX-B2-S1", "spinous_S1_lower", 0.5), ("BL54", "sacral_foramen_4_level_midline", 3.0),
])
def test_back_points_sit_level_with_their_spinous_process_at_their_distance_from_the_midline(
        code: str, level: str, lateral_cun: float) -> None:
    """Paravertebral points are level with their landmark and the stated cun out, on the correct side."""
    back = view("back")
    for side, sign in (("left", -1), ("right", 1)):
        at = place(POINTS[code], side).at  # type: ignore[arg-type]
        assert at.y == pytest.approx(back.landmark(level).y)
        assert (at.x - back.mirror_x) / back.scale == pytest.approx(sign * lateral_cun)


def test_bl37_lies_six_cun_down_the_line_from_the_gluteal_fold_to_the_knee_crease() -> None:
    """BL37: 6 cun below the gluteal fold on the line to the popliteal crease ("down" follows the thigh)."""
    back = view("back")
    fold, knee = back.landmark("gluteal_fold_mid", "left"), back.landmark("popliteal_crease_mid", "left")
    bl37 = place(POINTS["BL37"], "left").at
    assert distance_to_segment(bl37, fold, knee) < TOL
    assert cun("back", fold, bl37) == pytest.approx(6.0)


def test_the_iliac_crest_line_meets_the_spine_at_l4() -> None:
    """The tops of the iliac crests are level with the L4/L5 gap (between L4's and L5's lower borders)."""
    back = view("back")
    crest = back.landmark("iliac_crest_top").y
    assert back.landmark("spinous_L4_lower").y <= crest < back.landmark("spinous_L5_lower").y
    assert back.landmark("posterior_superior_iliac_spine").y == pytest.approx(back.landmark("spinous_S2_lower").y)


def test_every_landmark_is_drawn_in_exactly_the_views_it_lists() -> None:
    """Each landmark in landmarks.yaml has a position in each view it lists, and in no other."""
    for lm in load_knowledge().landmarks:
        drawn = {name for name, v in views().items() if lm.id in v.landmarks}
        assert drawn == set(lm.views), lm.id
    known = {lm.id for lm in load_knowledge().landmarks}
    assert all(set(v.landmarks) <= known for v in views().values())


@pytest.mark.parametrize(("code", "view_name", "side", "viewer_side"), [
    ("GB30", "back", "left", "left"), ("GB30", "back", "right", "right"),
    ("LU5", "front", "right", "left"), ("LU5", "front", "left", "right"),
])
def test_the_side_convention_of_the_whole_body_views(code: str, view_name: str, side: str, viewer_side: str) -> None:
    """Back view: the patient's left on the viewer's left; front view: the patient's right on the viewer's left."""
    placed = place(POINTS[code], side)  # type: ignore[arg-type]
    assert placed.view == view_name
    mid = view(view_name).mirror_x
    assert (placed.at.x < mid) == (viewer_side == "left")
    assert view(view_name).side_of(placed.at) == side


def test_lateral_points_face_forward_on_the_right_and_backward_mirror_on_the_left() -> None:
    """Right lateral view: anterior is +x, so GB34 lies in front (right) of the fibular head; mirrored on the left."""
    lat = view("lateral")
    for side, sign in (("right", 1), ("left", -1)):
        head = lat.landmark("fibular_head", side)  # type: ignore[arg-type]
        gb34 = place(POINTS["GB34"], side).at  # type: ignore[arg-type]
        assert sign * (gb34.x - head.x) == pytest.approx(0.5 * lat.scale)
        assert gb34.y - head.y == pytest.approx(0.5 * lat.scale)


def test_hand_points_follow_the_thumb_side_and_the_wrist() -> None:
    """LI4 lies on the thumb side of the 2nd metacarpal; TE5 two cun up the forearm from the wrist crease."""
    hand = view("hand_dorsal")
    for side in ("left", "right"):
        mid2 = hand.landmark("metacarpal_2_mid", side)  # type: ignore[arg-type]
        li4 = place(POINTS["LI4"], side).at  # type: ignore[arg-type]
        wrist = hand.landmark("wrist_dorsal_crease_mid", side)  # type: ignore[arg-type]
        thumb_tip_x = hand.landmark("metacarpal_1_2_junction", side).x  # type: ignore[arg-type]
        assert (li4.x - mid2.x) * (thumb_tip_x - wrist.x) > 0, "LI4 must lie toward the thumb"
        assert cun("hand_dorsal", wrist, place(POINTS["TE5"], side).at) == pytest.approx(2.0)  # type: ignore[arg-type]


def test_foot_points_lie_toward_the_toes_from_their_junction() -> None:
    """LR3 and GB41 lie 0.5 cun toward the toes (up the page) from their metatarsal base junctions."""
    foot = view("foot_dorsal")
    for code, lm in (("LR3", "metatarsal_1_2_base_junction"), ("GB41", "metatarsal_4_5_base_junction")):
        at, base = place(POINTS[code], "right").at, foot.landmark(lm)
        assert base.y - at.y == pytest.approx(0.5 * foot.scale)
        assert at.x == pytest.approx(base.x)


def test_a_point_without_a_placement_cannot_be_placed() -> None:
    """ASHI is found by palpation: placing it is refused, not guessed."""
    with pytest.raises(Unplaceable, match="palpation"):
        place(POINTS["ASHI"], "left")


def test_an_offset_out_of_the_views_plane_is_refused() -> None:
    """An anterior offset in the back view points out of the page: refused rather than silently dropped."""
    bad = msgspec.structs.replace(POINTS["BL40"], placement=Placement(
        view="back", landmark="popliteal_crease_mid", offset=Offset(anterior=1.0)))
    with pytest.raises(Unplaceable, match="anterior"):
        place(bad, "right")


def test_both_sides_and_midline() -> None:
    """A point planned on both sides is drawn twice; a midline point once, on the midline."""
    assert sides("both") == ("left", "right")
    assert [p.side for p in placements(POINTS["LR3"], "both")] == ["left", "right"]
    midline = msgspec.structs.replace(POINTS["BL40"], placement=Placement(view="back", landmark="spinous_L4_lower"))
    (placed,) = placements(midline, "midline")
    assert placed.at.x == pytest.approx(view("back").mirror_x)
    with pytest.raises(ValueError, match="unknown side"):
        sides("up")


def test_toward_with_fraction_interpolates_in_a_straight_line() -> None:
    """A toward/fraction placement lies on the straight line between the two landmarks (GB21, BL60, KI3)."""
    for code in ("GB21", "BL60", "KI3"):
        p: Point = POINTS[code]
        assert p.placement is not None
        assert p.placement.toward is not None
        assert p.placement.fraction is not None
        v = view(p.placement.view)
        a, b = v.landmark(p.placement.landmark), v.landmark(p.placement.toward)
        assert close(place(p, "right").at, lerp(a, b, p.placement.fraction))


def test_geometry_helpers() -> None:
    """Unit vectors, perpendiculars and the point-in-polygon test behave."""
    square = [Vec(0, 0), Vec(10, 0), Vec(10, 10), Vec(0, 10)]
    assert inside(Vec(5, 5), square)
    assert not inside(Vec(15, 5), square)
    assert Vec(3, 4).unit().length() == pytest.approx(1.0)
    assert Vec(0, 1).perp() == Vec(-1, 0)
    assert math.isclose(distance_to_segment(Vec(5, 5), Vec(0, 0), Vec(10, 0)), 5.0)
    with pytest.raises(ValueError, match="zero"):
        Vec(0, 0).unit()
