"""The six views of the body, each a drawing in SVG units built from `proportions` (B-cun) at one scale.

Conventions (kept by every view, by `place` and by the figures):
- Page coordinates: x to the viewer's right, y down the page, in SVG units; `View.scale` SVG units per B-cun.
- Every view holds its landmarks, outline and frames for the patient's RIGHT side; the LEFT side is the mirror
  image across `View.mirror_x` (a vertical line). Landmarks on the midline are the same for both sides.
- back: the patient seen from behind, so the patient's left is on the viewer's left and right on the right.
- front: the patient facing the viewer (anatomical position, palms forward): the patient's right is on the
  viewer's LEFT.
- lateral: the outer side of one side of the body; the right side is seen from the patient's right, so the
  patient faces the viewer's right (anterior = +x); the left side is its mirror (facing left).
- medial: the inner side of one leg (knee to sole); the right leg is seen from the patient's left, so its front
  faces the viewer's LEFT; the left leg is the mirror.
- hand_dorsal: the back of one hand as the patient sees it, fingers up the page; the right hand has its thumb
  on the viewer's left. "up" (toward the wrist) runs DOWN the page here, "down" (toward the fingers) up it.
- foot_dorsal: the top of one foot as the patient looks down at it, toes up the page; the right foot has its
  big toe on the viewer's left. "anterior" (toward the toes) runs up the page.
A direction that points out of the page in a view (anterior in the back view, medial in the lateral view, …) has
no page vector there: `Frame.vector` refuses it rather than guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from ...knowledge.model import View as ViewName
from . import proportions as P
from .geometry import Box, Node, Vec, bounds, sample

Side = Literal["left", "right"]
Direction = Literal["up", "down", "lateral", "medial", "anterior", "posterior"]
VIEW_NAMES: tuple[ViewName, ...] = ("back", "front", "lateral", "medial", "hand_dorsal", "foot_dorsal")

BODY_SCALE = 11.0  # SVG units per cun in the whole-body views (and the medial leg)
CLOSE_UP_SCALE = 30.0  # hand and foot
MARGIN_CUN = 1.2


class OutOfPlane(ValueError):
    """An offset in a direction that points out of the page in this view."""


@dataclass(frozen=True, slots=True)
class Frame:
    """The body's own directions at a landmark, as unit page vectors for the patient's right side.

    `down` is toward the feet (on a limb: distal; on the hand: toward the fingers); `lateral` away from the
    midline (on the arm and hand: the thumb side); `anterior` toward the front (on the foot: toward the toes).
    None marks a direction perpendicular to the page in this view.
    """

    down: Vec | None
    lateral: Vec | None
    anterior: Vec | None

    def vector(self, direction: Direction) -> Vec:
        base, sign = {
            "down": (self.down, 1.0), "up": (self.down, -1.0),
            "lateral": (self.lateral, 1.0), "medial": (self.lateral, -1.0),
            "anterior": (self.anterior, 1.0), "posterior": (self.anterior, -1.0),
        }[direction]
        if base is None:
            raise OutOfPlane(direction)
        return base * sign


@dataclass(frozen=True, slots=True)
class Feature:
    """A line drawn inside a figure: a crease, a bone's edge, the spine; `kind` sets its style."""

    kind: Literal["crease", "bone", "midline", "process", "nail", "detail"]
    nodes: tuple[Node, ...]
    closed: bool = False
    name: str | None = None


@dataclass(frozen=True, slots=True)
class View:
    """One view of the body: landmarks, frames, outline and drawn features, in SVG units (right side)."""

    name: ViewName
    caption: str
    bilateral: bool
    scale: float
    canvas: Box
    mirror_x: float
    landmarks: Mapping[str, Vec]
    frames: Mapping[str, Frame]
    outline: tuple[Node, ...]
    overlays: tuple[tuple[Node, ...], ...] = ()
    features: tuple[Feature, ...] = ()
    midline: frozenset[str] = field(default_factory=frozenset)

    def mirror(self, p: Vec) -> Vec:
        return Vec(2 * self.mirror_x - p.x, p.y)

    def on_side(self, p: Vec, side: Side) -> Vec:
        """A right-side position moved to `side` (the mirror image for the left)."""
        return self.mirror(p) if side == "left" else p

    def landmark(self, landmark_id: str, side: Side = "right") -> Vec:
        try:
            at = self.landmarks[landmark_id]
        except KeyError:
            raise KeyError(f"landmark {landmark_id!r} is not drawn in the {self.name} view") from None
        return at if landmark_id in self.midline else self.on_side(at, side)

    def frame(self, landmark_id: str) -> Frame:
        return self.frames[landmark_id]

    def outline_nodes(self, side: Side = "right") -> tuple[Node, ...]:
        if side == "right" or self.bilateral:
            return self.outline
        return tuple(Node(self.mirror(n.at), n.sharp) for n in reversed(self.outline))

    def outline_polygon(self, side: Side = "right") -> list[Vec]:
        """The drawn outline as a dense polygon (what `inside` tests against)."""
        return sample(self.outline_nodes(side))

    def side_of(self, p: Vec) -> Side:
        """Which side of the patient a page position lies on, in a bilateral view."""
        right_is_plus = any(self.landmarks[k].x > self.mirror_x for k in self.landmarks if k not in self.midline)
        return "right" if (p.x > self.mirror_x) == right_is_plus else "left"


# ------------------------------------------------------------------------------------------------ building


@dataclass(frozen=True)
class _Page:
    """From cun (x right, y down, origin at the view's own zero) to SVG units; `flip` mirrors x."""

    scale: float
    origin: Vec
    flip: bool = False

    def p(self, x: float, y: float) -> Vec:
        return Vec(self.origin.x + (-x if self.flip else x) * self.scale, self.origin.y + y * self.scale)

    def d(self, x: float, y: float) -> Vec:
        return Vec(-x if self.flip else x, y).unit()

    def nodes(self, pts: Iterable[tuple[float, float] | tuple[float, float, str]]) -> tuple[Node, ...]:
        return tuple(Node(self.p(q[0], q[1]), sharp=len(q) == 3) for q in pts)


Pt = tuple[float, float] | tuple[float, float, str]


def _mirror_pts(pts: Sequence[Pt]) -> list[Pt]:
    return [(-q[0], *q[1:]) for q in pts]


def _canvas(page: _Page, pts: Iterable[Vec], margin_cun: float = MARGIN_CUN) -> Box:
    return bounds(pts).grow(margin_cun * page.scale)


def _limb_frame(down: Vec, away: float) -> Frame:
    """A limb's frame: `down` along its axis, lateral the perpendicular pointing to `away` (+1 or -1 in x)."""
    perp = Vec(down.y, -down.x)
    return Frame(down=down, lateral=perp if perp.x * away > 0 else -perp, anterior=None)


def _arm_edges(side_sign: float) -> tuple[list[Pt], list[Pt]]:
    """The outer and inner edge of the right arm (x > 0 when side_sign is +1), from the shoulder down."""
    axis = [(side_sign * x, y, w) for x, y, w in P.ARM_AXIS]
    outer: list[Pt] = []
    inner: list[Pt] = []
    for i, (x, y, w) in enumerate(axis):
        ax, ay, _ = axis[max(i - 1, 0)]
        bx, by, _ = axis[min(i + 1, len(axis) - 1)]
        t = Vec(bx - ax, by - ay).unit()
        n = Vec(t.y, -t.x) if side_sign > 0 else Vec(-t.y, t.x)  # points away from the body
        outer.append((x + n.x * w, y + n.y * w))
        inner.append((x - n.x * w, y - n.y * w))
    return outer, inner


def _body_half() -> list[Pt]:
    """The right half of the whole-body silhouette (x ≥ 0), from the vertex to the crotch, clockwise."""
    s = 1.0
    outer, inner = _arm_edges(s)
    wrist_x = P.ARM_AXIS[5][0]
    tip_x = P.ARM_AXIS[-1][0]
    w = P.WRIST_CREASE_Y
    thumb: list[Pt] = [(wrist_x + 1.55, w + 1.3), (wrist_x + 2.1, w + 2.7), (wrist_x + 2.25, w + 3.9),
                       (wrist_x + 2.0, w + 4.55), (wrist_x + 1.7, w + 4.35), (wrist_x + 1.55, w + 3.6),
                       (wrist_x + 1.45, w + 3.0, "s"), (wrist_x + 1.6, w + 3.9)]
    tip: list[Pt] = [(tip_x + 1.0, P.FINGERTIP_Y - 0.5), (tip_x + 0.1, P.FINGERTIP_Y),
                     (tip_x - 0.9, P.FINGERTIP_Y - 0.55)]
    head: list[Pt] = [(0, 0), (1.8, 0.45), (2.8, 2.1), (3.05, 4.4), (2.85, 6.6), (2.35, 8.3), (2.15, 9.5),
                      (2.2, 10.4), (3.2, 11.3), (5.3, 12.15), (7.4, 12.75), (9.0, 13.3), (10.15, 14.5)]
    arm = [*outer[1:6], *thumb, outer[7], *tip, *reversed(inner[1:])]
    torso: list[Pt] = [
        (6.95, 18.3, "s"), (6.7, 20.5), (6.1, 23.5), (5.7, 25.8), (6.05, 27.8), (6.7, 29.6), (7.3, 31.8),
        (7.75, 34.0), (7.9, 36.0), (7.8, 38.5), (7.45, 42.0), (7.0, 46.5), (6.5, 51.0), (6.2, 54.0), (6.25, 56.0),
        (6.6, 58.8), (6.45, 61.5), (5.85, 64.5), (5.4, 67.5), (5.45, 70.2), (5.65, 71.6), (5.85, 73.2),
        (5.35, 74.0, "s"), (3.0, 74.0, "s"), (2.55, 73.2), (2.75, 71.3), (2.85, 69.8), (2.55, 66.5),
        (2.15, 62.5), (1.95, 59.5), (2.2, 56.5), (2.15, 54.0), (1.75, 50.0), (1.2, 46.0), (0.6, 43.2),
        (0, 42.0, "s"),
    ]
    return [*head, *arm, *torso]


def _whole_body_outline(page: _Page) -> tuple[Node, ...]:
    half = _body_half()
    left = list(reversed(_mirror_pts(half[1:-1])))
    return page.nodes([*half, *left])


def _both(page: _Page, kind: Literal["crease", "bone", "detail"], pts: Sequence[Pt], sign: float,
          closed: bool = False, name: str | None = None) -> list[Feature]:
    """A feature on the right side (x multiplied by `sign`) and its mirror on the left."""
    right = [(q[0] * sign, *q[1:]) for q in pts]
    return [Feature(kind, page.nodes(right), closed, name),
            Feature(kind, page.nodes(_mirror_pts(right)), closed, name)]


def _back() -> View:
    page = _Page(BODY_SCALE, Vec(0, 0))
    lm = {
        "c7_spinous": (0.0, P.C7_Y),
        "acromion": (P.ACROMION_X, P.ACROMION_Y),
        **{f"spinous_{k}_lower": (0.0, y) for k, y in P.SPINOUS_LOWER_Y.items()},
        "sacral_foramen_4_level_midline": (0.0, P.SACRAL_FORAMEN_4_Y),
        "sacral_hiatus": (0.0, P.SACRAL_HIATUS_Y),
        "posterior_superior_iliac_spine": (P.PSIS_X, P.PSIS_Y),
        "iliac_crest_top": (P.ILIAC_CREST_TOP_X, P.ILIAC_CREST_TOP_Y),
        "greater_trochanter": (P.TROCHANTER_X, P.TROCHANTER_Y),
        "gluteal_fold_mid": (P.GLUTEAL_FOLD_MID_X, P.GLUTEAL_FOLD_Y),
        "popliteal_crease_mid": (P.KNEE_X, P.POPLITEAL_Y),
        "gastrocnemius_junction": (P.KNEE_X, P.GASTROCNEMIUS_JUNCTION_Y),
        "lateral_malleolus": (P.LATERAL_MALLEOLUS_X, P.LATERAL_MALLEOLUS_Y),
        "medial_malleolus": (P.MEDIAL_MALLEOLUS_X, P.MEDIAL_MALLEOLUS_Y),
        "calcaneal_tendon": (P.ANKLE_X, P.LATERAL_MALLEOLUS_Y),
    }
    landmarks = {k: page.p(x, y) for k, (x, y) in lm.items()}
    midline = frozenset(k for k, (x, _) in lm.items() if x == 0)
    trunk = Frame(down=Vec(0, 1), lateral=Vec(1, 0), anterior=None)
    thigh = _limb_frame((landmarks["popliteal_crease_mid"] - landmarks["gluteal_fold_mid"]).unit(), +1)
    leg = _limb_frame((landmarks["calcaneal_tendon"] - landmarks["popliteal_crease_mid"]).unit(), +1)
    frames = dict.fromkeys(lm, trunk)
    frames["gluteal_fold_mid"] = thigh
    for k in ("popliteal_crease_mid", "gastrocnemius_junction", "lateral_malleolus", "medial_malleolus",
              "calcaneal_tendon"):
        frames[k] = leg
    features: list[Feature] = [
        Feature("midline", page.nodes([(0, P.C7_Y), (0, P.SACRAL_HIATUS_Y)]), name="posterior midline"),
        Feature("bone", page.nodes([(-2.4, 30.75, "s"), (2.4, 30.75, "s"), (2.1, 32.8), (1.25, 34.6),
                                    (0.45, 35.7, "s"), (-0.45, 35.7, "s"), (-1.25, 34.6), (-2.1, 32.8)]),
                closed=True, name="sacrum"),
        Feature("bone", page.nodes([(0, 35.7), (0, 36.7)]), name="coccyx"),
        Feature("crease", page.nodes([(0, 36.4), (0, 41.8)]), name="gluteal cleft"),
    ]
    for level, y in {"L1": 24.5, **P.SPINOUS_LOWER_Y}.items():
        top = y - 0.85
        features.append(Feature("process", page.nodes([(-0.42, top, "s"), (0.42, top, "s"), (0.42, y, "s"),
                                                       (-0.42, y, "s")]), closed=True,
                                name=f"{level} spinous process"))
    features += _both(page, "bone", [(P.PSIS_X, P.PSIS_Y - 0.2), (3.4, 30.5), (4.9, 29.5),
                                     (P.ILIAC_CREST_TOP_X, P.ILIAC_CREST_TOP_Y), (6.55, 29.75), (6.75, 30.7)], +1,
                      name="iliac crest")
    features += _both(page, "bone", [(3.35, 14.35), (P.SCAPULA_MEDIAL_BORDER_X, 15.3, "s"),
                                     (P.SCAPULA_MEDIAL_BORDER_X, 19.6, "s"), (3.95, 21.7, "s"), (5.4, 19.4),
                                     (6.5, 17.4), (7.2, 15.5, "s"), (5.3, 14.4)], +1, closed=True,
                      name="scapula (its medial border 3 cun from the midline)")
    features += _both(page, "bone", [(3.0, 15.7), (5.6, 14.75), (P.ACROMION_X, P.ACROMION_Y)], +1,
                      name="spine of the scapula")
    features += _both(page, "crease", [(0.7, 40.7), (2.3, 41.15), (P.GLUTEAL_FOLD_MID_X, P.GLUTEAL_FOLD_Y),
                                       (5.5, 40.6), (6.4, 40.0)], +1, name="gluteal fold")
    features += _both(page, "crease", [(2.95, 54.85), (P.KNEE_X, P.POPLITEAL_Y + 0.12), (5.45, 54.85)], +1,
                      name="popliteal crease")
    features += _both(page, "detail", [(2.75, 58.3), (3.35, 61.2), (P.KNEE_X, P.GASTROCNEMIUS_JUNCTION_Y, "s"),
                                       (5.05, 61.2), (5.65, 58.3)], +1, name="calf muscle bellies")
    features += _both(page, "detail", [(3.9, 64.0), (3.85, 70.3)], +1, name="calcaneal tendon")
    features += _both(page, "detail", [(4.5, 64.0), (4.45, 70.3)], +1, name="calcaneal tendon")
    features += _both(page, "bone", [(5.2, 70.3), (5.45, 71.0), (5.2, 71.7)], +1, name="lateral malleolus")
    features += _both(page, "bone", [(3.1, 69.9), (2.88, 70.6), (3.1, 71.3)], +1, name="medial malleolus")
    outline = _whole_body_outline(page)
    return View(
        name="back", caption="Back — the patient's left is on your left", bilateral=True, scale=page.scale,
        canvas=_canvas(page, sample(outline)), mirror_x=page.origin.x, landmarks=landmarks, frames=frames,
        outline=outline, features=tuple(features), midline=midline,
    )


def _front() -> View:
    page = _Page(BODY_SCALE, Vec(0, 0))
    r = -1.0  # the patient's right is on the viewer's left
    elbow = (r * P.ARM_AXIS[2][0], P.ELBOW_CREASE_Y)
    wrist = (r * P.ARM_AXIS[5][0], P.WRIST_CREASE_Y)
    lm = {
        "acromion": (r * P.ACROMION_X, P.ACROMION_Y),
        "iliac_crest_top": (r * P.ILIAC_CREST_TOP_X, P.ILIAC_CREST_TOP_Y),
        "asis": (r * P.ASIS_X, P.ASIS_Y),
        "greater_trochanter": (r * P.TROCHANTER_X, P.TROCHANTER_Y),
        "lateral_malleolus": (r * P.LATERAL_MALLEOLUS_X, P.LATERAL_MALLEOLUS_Y),
        "medial_malleolus": (r * P.MEDIAL_MALLEOLUS_X, P.MEDIAL_MALLEOLUS_Y),
        "elbow_crease": elbow,
        "wrist_palmar_crease": wrist,
    }
    landmarks = {k: page.p(x, y) for k, (x, y) in lm.items()}
    trunk = Frame(down=Vec(0, 1), lateral=Vec(-1, 0), anterior=None)
    forearm = _limb_frame((landmarks["wrist_palmar_crease"] - landmarks["elbow_crease"]).unit(), r)
    frames = dict.fromkeys(lm, trunk)
    frames["elbow_crease"] = forearm
    frames["wrist_palmar_crease"] = forearm
    features: list[Feature] = [
        Feature("crease", page.nodes([(0, 11.7), (0, 12.4)]), name="suprasternal notch"),
        Feature("crease", page.nodes([(0, 19.5), (0, 26.6)]), name="anterior midline"),
        Feature("crease", page.nodes([(-0.3, 27.3), (0, 27.0), (0.3, 27.3), (0, 27.6)]), closed=True,
                name="navel"),
    ]
    features += _both(page, "bone", [(0.55, 12.0), (2.5, 12.35), (4.6, 12.1), (7.6, 12.95)], r, name="clavicle")
    features += _both(page, "crease", [(P.ASIS_X, P.ASIS_Y + 0.3), (3.2, 35.5), (1.2, 38.6)], r,
                      name="groin crease")
    features += _both(page, "bone", [(3.55, 53.2), (4.2, 52.5), (4.85, 53.2), (4.85, 54.9), (4.2, 55.6),
                                     (3.55, 54.9)], r, closed=True, name="patella")
    ex, ey = P.ARM_AXIS[2][0], P.ELBOW_CREASE_Y
    wx, wy = P.ARM_AXIS[5][0], P.WRIST_CREASE_Y
    features += _both(page, "crease", [(ex - 1.55, ey + 0.05), (ex, ey + 0.2), (ex + 1.55, ey + 0.05)], r,
                      name="elbow crease")
    features += _both(page, "crease", [(wx - 1.05, wy), (wx, wy + 0.12), (wx + 1.05, wy)], r,
                      name="wrist crease")
    features += _both(page, "bone", [(5.35, 70.4), (5.55, 71.0), (5.35, 71.6)], r, name="lateral malleolus")
    features += _both(page, "bone", [(3.05, 70.0), (2.85, 70.6), (3.05, 71.2)], r, name="medial malleolus")
    outline = _whole_body_outline(page)
    return View(
        name="front", caption="Front — the patient's right is on your left", bilateral=True, scale=page.scale,
        canvas=_canvas(page, sample(outline)), mirror_x=page.origin.x, landmarks=landmarks, frames=frames,
        outline=outline, features=tuple(features),
    )


def _lateral() -> View:
    page = _Page(BODY_SCALE, Vec(0, 0))
    lm = {
        "acromion": (0.3, P.ACROMION_Y),
        "iliac_crest_top": (-0.3, P.ILIAC_CREST_TOP_Y),
        "asis": (3.4, P.ASIS_Y),
        "greater_trochanter": (0.0, P.TROCHANTER_Y),
        "fibular_head": (-0.8, P.FIBULAR_HEAD_Y),
        "lateral_malleolus": (-0.4, P.LATERAL_MALLEOLUS_Y),
        "calcaneal_tendon": (-1.6, P.LATERAL_MALLEOLUS_Y),
    }
    landmarks = {k: page.p(x, y) for k, (x, y) in lm.items()}
    frames = {k: Frame(down=Vec(0, 1), lateral=None, anterior=Vec(1, 0)) for k in lm}
    profile: list[Pt] = [
        (0.2, 0.0), (2.3, 0.7), (3.4, 3.0), (3.7, 4.6), (4.25, 5.7), (3.8, 6.6), (3.7, 7.6), (3.3, 8.6),
        (2.1, 9.3), (1.9, 10.6), (2.2, 11.8), (3.4, 13.0), (4.7, 16.0), (4.75, 19.5), (4.3, 23.0), (4.3, 26.0),
        (4.7, 29.0), (4.45, 32.0), (3.7, 35.0), (3.45, 39.0), (3.3, 44.0), (2.95, 50.0), (2.6, 53.5),
        (2.85, 55.3), (2.2, 57.3), (1.85, 60.0), (1.65, 65.0), (1.45, 69.3), (1.65, 71.0), (2.8, 71.9),
        (5.5, 72.9), (7.9, 73.3), (8.5, 73.75), (8.1, 74.0, "s"), (-2.3, 74.0, "s"), (-2.95, 73.4),
        (-2.75, 71.8), (-2.15, 70.2), (-2.2, 67.0), (-2.9, 63.0), (-3.3, 59.8), (-3.0, 57.2), (-2.45, 55.4),
        (-2.75, 53.0), (-3.25, 48.0), (-3.55, 43.0), (-4.35, 40.0), (-4.75, 37.0), (-4.2, 33.5), (-3.0, 30.5),
        (-2.55, 28.0), (-3.2, 23.0), (-3.8, 18.5), (-3.75, 15.5), (-2.7, 12.6), (-1.75, 11.2), (-2.2, 9.5),
        (-3.0, 7.6), (-3.5, 5.0), (-3.2, 2.4), (-1.9, 0.6),
    ]
    # The near arm hangs a little behind the body, clear of the hip and thigh landmarks.
    arm: list[Pt] = [
        (-1.9, 13.9), (-0.3, 13.2), (1.3, 14.2), (1.2, 18.0), (0.1, 24.5), (-1.3, 27.5), (-2.3, 33.0),
        (-2.95, 37.4), (-3.0, 39.6), (-3.55, 42.8), (-4.35, 43.6), (-5.0, 42.4), (-5.15, 39.8), (-5.05, 37.6),
        (-4.9, 33.0), (-4.35, 27.0), (-3.7, 23.5), (-3.05, 18.0),
    ]
    features: list[Feature] = [
        Feature("bone", page.nodes([(-3.0, 31.0), (-1.7, 29.5), (-0.3, P.ILIAC_CREST_TOP_Y), (1.6, 29.6),
                                    (3.0, 30.6), (3.4, P.ASIS_Y)]), name="iliac crest"),
        Feature("bone", page.nodes([(-0.75, 35.4), (0.0, 35.1), (0.75, 35.4), (0.85, 36.4), (0.0, 36.9),
                                    (-0.75, 36.5)]), closed=True, name="greater trochanter"),
        Feature("crease", page.nodes([(-0.2, 47.5), (-0.2, 58.0)]), name="iliotibial band (outer thigh line)"),
        Feature("bone", page.nodes([(-1.25, 55.8), (-0.8, 55.55), (-0.35, 55.9), (-0.45, 56.75), (-0.9, 56.95),
                                    (-1.3, 56.6)]), closed=True, name="head of the fibula"),
        Feature("bone", page.nodes([(1.55, 54.0), (2.3, 54.3), (2.55, 55.4), (2.05, 56.2), (1.55, 55.7)]),
                closed=True, name="patella"),
        Feature("bone", page.nodes([(-0.8, 70.4), (-0.4, 70.2), (0.0, 70.6), (0.0, 71.4), (-0.4, 71.75),
                                    (-0.8, 71.4)]), closed=True, name="lateral malleolus"),
        Feature("detail", page.nodes([(-1.65, 66.0), (-1.6, 70.6), (-1.9, 72.6)]), name="calcaneal tendon"),
        Feature("crease", page.nodes([(-4.2, 39.8), (-3.2, 40.6)]), name="gluteal fold"),
    ]
    outline = page.nodes(profile)
    overlay = page.nodes(arm)
    box = _canvas(page, sample(outline))
    return View(
        name="lateral", caption="Outer side", bilateral=False, scale=page.scale,
        canvas=box, mirror_x=(box.x0 + box.x1) / 2,
        landmarks=landmarks, frames=frames, outline=outline, overlays=(overlay,), features=tuple(features),
    )


def _medial() -> View:
    page = _Page(BODY_SCALE, Vec(0, 0), flip=True)  # drawn front-to-the-right, then flipped: front to the left
    lm = {
        "medial_malleolus": (0.0, P.MEDIAL_MALLEOLUS_Y),
        "calcaneal_tendon": (-1.3, P.MEDIAL_MALLEOLUS_Y),
        "tibia_medial_border": (-0.55, 63.0),
    }
    landmarks = {k: page.p(x, y) for k, (x, y) in lm.items()}
    frames = {k: Frame(down=Vec(0, 1), lateral=None, anterior=page.d(1, 0)) for k in lm}
    profile: list[Pt] = [
        (3.0, 48.0, "s"), (2.6, 53.5), (2.85, 55.3), (2.2, 57.3), (1.8, 60.0), (1.55, 65.0), (1.35, 69.0),
        (1.6, 70.9), (3.3, 71.8), (6.2, 72.7), (8.2, 73.0), (8.65, 73.5), (8.3, 73.95, "s"), (5.6, 74.0),
        (2.6, 73.55), (0.3, 73.9), (-2.2, 74.0, "s"), (-2.95, 73.3), (-2.6, 71.6), (-2.05, 70.0), (-2.1, 67.0),
        (-2.85, 63.0), (-3.25, 59.8), (-2.95, 57.2), (-2.4, 55.4), (-2.7, 53.0), (-3.2, 48.0, "s"),
    ]
    features = [
        Feature("bone", page.nodes([(-0.2, 69.6), (-0.45, 66.0), (-0.55, 63.0), (-0.5, 60.0), (-0.25, 57.5)]),
                name="medial border of the tibia"),
        Feature("bone", page.nodes([(-0.45, 70.1), (0.0, 69.8), (0.45, 70.2), (0.4, 71.0), (0.0, 71.3),
                                    (-0.45, 71.0)]), closed=True, name="medial malleolus"),
        Feature("detail", page.nodes([(-1.35, 65.5), (-1.3, 70.4), (-1.7, 72.4)]), name="calcaneal tendon"),
        Feature("crease", page.nodes([(2.4, 55.2), (0.2, 55.6), (-2.3, 55.3)]), name="knee joint line"),
    ]
    outline = page.nodes(profile)
    box = _canvas(page, sample(outline))
    return View(
        name="medial", caption="Inner side of the leg", bilateral=False, scale=page.scale,
        canvas=box, mirror_x=(box.x0 + box.x1) / 2, landmarks=landmarks,
        frames=frames, outline=outline, features=tuple(features),
    )


def _hand() -> View:
    page = _Page(CLOSE_UP_SCALE, Vec(0, 0))
    lm = {
        "wrist_dorsal_crease_mid": (0.0, 0.0),
        "metacarpal_1_2_junction": (-0.85, -1.05),
        "metacarpal_2_mid": (-0.95, -2.3),
        "metacarpal_2_head": (-0.85, -3.75),
        "metacarpal_4_head": (0.6, -3.65),
        "little_finger_mcp_ulnar": (1.65, -3.35),
    }
    landmarks = {k: page.p(x, y) for k, (x, y) in lm.items()}
    frames = {k: Frame(down=Vec(0, -1), lateral=Vec(-1, 0), anterior=None) for k in lm}
    outline_pts: list[Pt] = [
        (-1.5, 3.3, "s"), (-1.35, 1.2), (-1.3, 0.0), (-1.55, -0.55), (-2.35, -1.75), (-3.05, -2.95),
        (-3.45, -3.75), (-3.35, -4.25), (-2.95, -4.3), (-2.6, -3.85), (-2.1, -3.25), (-1.62, -3.12, "s"),
        (-1.38, -3.8), (-1.38, -6.6),
        (-1.12, -7.2), (-0.75, -7.25), (-0.52, -6.75), (-0.46, -4.45, "s"), (-0.42, -7.1), (-0.15, -7.72),
        (0.2, -7.72), (0.43, -7.1), (0.48, -4.45, "s"), (0.53, -6.85), (0.78, -7.38), (1.12, -7.33),
        (1.32, -6.8), (1.36, -4.3, "s"), (1.4, -5.7), (1.58, -6.15), (1.88, -6.1), (2.02, -5.6), (1.98, -4.3),
        (1.87, -3.3), (1.8, -1.8), (1.4, -0.2), (1.48, 0.5), (1.5, 3.3, "s"),
    ]
    features: list[Feature] = [
        Feature("crease", page.nodes([(-1.28, 0.0), (0.0, 0.1), (1.38, 0.0)]), name="dorsal wrist crease"),
        Feature("bone", page.nodes([(0.85, 0.35), (1.1, 0.05), (1.35, 0.35), (1.1, 0.65)]), closed=True,
                name="head of the ulna"),
        Feature("bone", page.nodes([(-1.05, -0.55), (-1.75, -1.6), (-2.4, -2.55)]), name="1st metacarpal"),
        Feature("bone", page.nodes([(-0.55, -0.85), (-0.72, -2.3), (-0.85, -3.75)]), name="2nd metacarpal"),
        Feature("bone", page.nodes([(0.0, -0.9), (0.0, -2.4), (-0.02, -3.85)]), name="3rd metacarpal"),
        Feature("bone", page.nodes([(0.38, -0.95), (0.5, -2.3), (0.6, -3.65)]), name="4th metacarpal"),
        Feature("bone", page.nodes([(0.78, -0.9), (1.05, -2.2), (1.3, -3.4)]), name="5th metacarpal"),
    ]
    for x in (-0.85, -0.02, 0.85, 1.68):
        features.append(Feature("crease", page.nodes([(x - 0.25, -3.95), (x, -4.05), (x + 0.25, -3.95)]),
                                name="knuckle"))
    for x0, x1, tip in ((-1.2, -0.6, -7.1), (-0.33, 0.33, -7.6), (0.6, 1.22, -7.2), (1.47, 1.93, -6.0)):
        mid = (x0 + x1) / 2
        features.append(Feature("nail", page.nodes([(x0 + 0.08, tip + 0.85, "s"), (x1 - 0.08, tip + 0.85, "s"),
                                                    (x1 - 0.08, tip + 0.2), (mid, tip + 0.05), (x0 + 0.08, tip + 0.2)]),
                                closed=True, name="nail"))
    features.append(Feature("nail", page.nodes([(-2.85, -3.45, "s"), (-3.25, -3.7), (-3.2, -4.08),
                                                (-2.92, -4.02), (-2.7, -3.7)]), closed=True, name="thumbnail"))
    outline = page.nodes(outline_pts)
    box = _canvas(page, sample(outline), 0.35)
    return View(
        name="hand_dorsal", caption="Back of the hand", bilateral=False, scale=page.scale,
        canvas=box, mirror_x=(box.x0 + box.x1) / 2, landmarks=landmarks,
        frames=frames, outline=outline, features=tuple(features),
    )


def _foot() -> View:
    page = _Page(CLOSE_UP_SCALE, Vec(0, 0))
    lm = {
        "metatarsal_1_2_base_junction": (-0.6, -2.3),
        "metatarsal_4_5_base_junction": (1.2, -2.5),
        "little_toe_nail_lateral": (2.15, -6.75),
    }
    landmarks = {k: page.p(x, y) for k, (x, y) in lm.items()}
    frames = {k: Frame(down=None, lateral=Vec(1, 0), anterior=Vec(0, -1)) for k in lm}
    outline_pts: list[Pt] = [
        (-1.4, 1.9, "s"), (-1.5, 0.9), (-1.78, 0.25), (-1.65, -0.8), (-1.85, -2.8), (-2.05, -4.6), (-2.12, -5.6),
        (-2.07, -6.7), (-1.9, -7.85), (-1.45, -8.35), (-0.95, -8.25), (-0.7, -7.6), (-0.63, -6.75, "s"),
        (-0.55, -7.9), (-0.25, -8.35), (0.1, -8.2), (0.2, -6.95, "s"), (0.28, -7.75), (0.56, -8.05),
        (0.86, -7.8), (0.95, -6.8, "s"), (1.03, -7.45), (1.3, -7.65), (1.57, -7.38), (1.63, -6.6, "s"),
        (1.72, -7.0), (2.02, -7.25), (2.33, -7.0), (2.48, -6.4), (2.47, -5.3), (2.27, -3.6), (2.22, -2.5),
        (1.8, -1.0), (1.9, 0.2), (1.45, 0.9), (1.4, 1.9, "s"),
    ]
    features: list[Feature] = [
        Feature("crease", page.nodes([(-1.5, 0.0), (0.0, 0.15), (1.55, 0.0)]), name="front of the ankle"),
        Feature("bone", page.nodes([(-1.0, -2.0), (-1.35, -4.0), (-1.45, -5.6)]), name="1st metatarsal"),
        Feature("bone", page.nodes([(-0.35, -2.3), (-0.45, -4.2), (-0.4, -6.1)]), name="2nd metatarsal"),
        Feature("bone", page.nodes([(0.35, -2.4), (0.35, -4.3), (0.4, -6.1)]), name="3rd metatarsal"),
        Feature("bone", page.nodes([(1.05, -2.55), (1.05, -4.2), (1.15, -5.9)]), name="4th metatarsal"),
        Feature("bone", page.nodes([(1.45, -2.3), (1.75, -4.0), (1.92, -5.6)]), name="5th metatarsal"),
        Feature("bone", page.nodes([(1.5, -1.9), (1.75, -2.1), (1.62, -2.5)]), name="5th metatarsal base"),
    ]
    for x0, x1, tip in ((-1.75, -0.9, -8.25), (-0.48, 0.05, -8.25), (0.32, 0.8, -7.95), (1.08, 1.52, -7.55),
                        (1.78, 2.25, -7.15)):
        mid = (x0 + x1) / 2
        features.append(Feature("nail", page.nodes([(x0 + 0.05, tip + 0.75, "s"), (x1 - 0.05, tip + 0.75, "s"),
                                                    (x1 - 0.06, tip + 0.2), (mid, tip + 0.07), (x0 + 0.06, tip + 0.2)]),
                                closed=True, name="toenail"))
    outline = page.nodes(outline_pts)
    box = _canvas(page, sample(outline), 0.35)
    return View(
        name="foot_dorsal", caption="Top of the foot", bilateral=False, scale=page.scale,
        canvas=box, mirror_x=(box.x0 + box.x1) / 2, landmarks=landmarks,
        frames=frames, outline=outline, features=tuple(features),
    )


@cache
def views() -> dict[ViewName, View]:
    """Every view, built once."""
    return {v.name: v for v in (_back(), _front(), _lateral(), _medial(), _hand(), _foot())}


def view(name: ViewName) -> View:
    return views()[name]


def side_canvas(v: View, side: Side) -> Box:
    """The canvas of a single-side view for `side` (the mirror image's box for the left)."""
    if v.bilateral or side == "right":
        return v.canvas
    a, b = v.mirror(Vec(v.canvas.x0, v.canvas.y0)), v.mirror(Vec(v.canvas.x1, v.canvas.y1))
    return Box(min(a.x, b.x), a.y, max(a.x, b.x), b.y)
