"""Where a knowledge point is drawn: its Placement turned into a page position, on either side of the body.

`place(point, side)` starts at the placement's landmark (on `side`), moves `fraction` of the way toward the
`toward` landmark when one is given, then adds each B-cun offset along the body's own direction at the landmark
(the view's `Frame`: on a limb, "down" follows the limb's axis), scaled by the view's SVG units per cun. It is
computed for the patient's right side and mirrored for the left, so the two sides are mirror images by
construction. Positions are in the view's SVG units (see `views` for each view's orientation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ...knowledge.model import Offset, Point
from ...knowledge.model import View as ViewName
from .geometry import Vec, lerp
from .views import Direction, OutOfPlane, Side, View, view

PlanSide = Literal["left", "right", "both", "midline"]
DIRECTIONS: tuple[Direction, ...] = ("up", "down", "lateral", "medial", "anterior", "posterior")


class Unplaceable(ValueError):
    """A point whose placement cannot be drawn (no placement, or an offset out of the view's plane)."""


@dataclass(frozen=True, slots=True)
class Placed:
    """A point drawn at `at` (SVG units) in `view`, on the patient's `side`."""

    code: str
    view: ViewName
    side: Side
    at: Vec


def _offset_vector(v: View, landmark: str, offset: Offset) -> Vec:
    frame = v.frame(landmark)
    total = Vec(0.0, 0.0)
    for direction in DIRECTIONS:
        cun: float = getattr(offset, direction)
        if cun == 0:
            continue
        try:
            total = total + frame.vector(direction) * (cun * v.scale)
        except OutOfPlane:
            raise Unplaceable(f"a {direction} offset points out of the page in the {v.name} view") from None
    return total


def place(point: Point, side: Side | Literal["midline"] = "right") -> Placed:
    """The page position of `point` on the patient's `side` ("midline" for points on the midline)."""
    pl = point.placement
    if pl is None:
        raise Unplaceable(f"{point.code} has no fixed place: it is found by palpation")
    v = view(pl.view)
    at = v.landmark(pl.landmark)
    if pl.toward is not None:
        at = lerp(at, v.landmark(pl.toward), 1.0 if pl.fraction is None else pl.fraction)
    try:
        at = at + _offset_vector(v, pl.landmark, pl.offset)
    except Unplaceable as exc:
        raise Unplaceable(f"{point.code}: {exc}") from None
    if side == "midline":
        return Placed(point.code, pl.view, "right", at)
    return Placed(point.code, pl.view, side, v.on_side(at, side))


def sides(plan_side: str) -> tuple[Side | Literal["midline"], ...]:
    """The sides a plan's `side` value names: both → left and right."""
    if plan_side == "both":
        return ("left", "right")
    if plan_side in ("left", "right", "midline"):
        return (plan_side,)  # type: ignore[return-value]
    raise ValueError(f"unknown side {plan_side!r}")


def placements(point: Point, plan_side: str) -> list[Placed]:
    """Every drawn position of a planned point (two for a point planned on both sides)."""
    return [place(point, s) for s in sides(plan_side)]
