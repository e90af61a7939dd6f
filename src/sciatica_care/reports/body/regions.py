"""Pain-area regions on the body figures: where each of the contract's pain areas is drawn, on either side, and
the pain map (the pain drawing) as SVG.

Every region is cut from a view's own drawing, never typed in as pixels: its upper and lower edges are levels
taken from the view's landmarks and drawn features (the gluteal fold, the popliteal crease, the patella, the
malleoli, the toe cleft …), offset in B-cun; its sides follow the outline at each level, a fraction of the way
across the limb (from the medial edge, or in the outer-side view from the back of the leg), kept a little
inside the outline and clear of the arm that hangs over the hip in the outer-side view. Like the point
placements they are built for the patient's right side and mirrored for the left, so the two sides are mirror
images by construction, and every one lies inside its figure's outline.

Views used (see `views` for each one's orientation): back and front (both legs and the lower back), lateral
(the outer side of each leg), foot_dorsal (the top of each foot) and "sole": the sole of a foot lifted behind
the patient and seen from behind, toes up, as in the back view (the big toe toward the midline). Its silhouette
is the top of the foot's, with the cut across the ankle rounded off into a heel.

    from sciatica_care.reports.body.regions import pain_map_svg, regions_for
    regions_for("buttock", "left")          # the left buttock's region(s), with their polygons
    pain_map_svg({"buttock"}, set())        # the figure with the left buttock shaded

Several areas have a region in more than one view (the heel from behind, from the outer side and from below);
all of an area's regions on one side stand for the same answer and are shaded together.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import Literal

from ...contract import intake_schema
from ..svg import FONT, el, num, text, title
from .geometry import Box, Node, Vec, bounds, distance_to_segment, path_d, sample
from .views import Feature, Side, View, view

RegionView = Literal["back", "front", "lateral", "foot_dorsal", "sole"]
REGION_VIEWS: tuple[RegionView, ...] = ("back", "front", "lateral", "foot_dorsal", "sole")
SIDES: tuple[Side, Side] = ("left", "right")

# Plain words for each area (what a patient would say), used in labels, titles and the figure's description.
AREA_NAMES: dict[str, str] = {
    "lower_back": "lower back", "buttock": "buttock", "hip_lateral": "outer hip", "groin": "groin",
    "anterior_thigh": "front of the thigh", "posterior_thigh": "back of the thigh", "lateral_thigh": "outer thigh",
    "medial_thigh": "inner thigh", "knee_posterior": "back of the knee", "anterior_shin": "shin",
    "medial_calf": "inner calf", "lateral_calf": "outer calf", "posterior_calf": "calf (back of the lower leg)",
    "medial_ankle": "inner ankle", "dorsum_foot": "top of the foot", "big_toe": "big toe", "sole": "sole",
    "lateral_foot": "outer edge of the foot", "heel": "heel",
}

INSET_CUN = 0.3  # regions stay this far inside the outline (and the overhanging arm)
GAP_CUN = 0.14  # half the gap between neighbouring regions
MIDLINE_GAP_CUN = 0.22  # left and right regions of the lower back and buttocks stay apart at the midline
FOOT_INSET_CUN = 0.15  # the foot is drawn close up (30 units to its cun against 11): the same gap on the page
FOOT_GAP_CUN = 0.08
STEPS = 32  # levels sampled down each region's sides


@cache
def areas() -> tuple[str, ...]:
    """The contract's pain-area ids, in the contract's order."""
    enum: list[str] = intake_schema()["properties"]["pain"]["properties"]["areas"]["items"]["enum"]
    return tuple(enum)


def area_name(area: str) -> str:
    return AREA_NAMES.get(area, area.replace("_", " "))


@dataclass(frozen=True, slots=True)
class Region:
    """One pain area's shape in one view, on one side: a closed polygon in the view's SVG units."""

    area: str
    side: Side
    view: RegionView
    polygon: tuple[Vec, ...]

    @property
    def label(self) -> str:
        return f"{self.side.capitalize()} {area_name(self.area)}"

    def path(self) -> str:
        """SVG path data for the polygon, leaving out corners that lie on a straight run (most of a band's
        sides where they follow a fixed limit)."""
        return _polygon_d(self.polygon)


def _simplified(points: Sequence[Vec], tolerance: float) -> list[Vec]:
    """Ramer–Douglas–Peucker: the polyline with every corner dropped that lies within `tolerance` of the line
    that replaces it."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        far, at = 0.0, -1
        for k in range(i + 1, j):
            d = distance_to_segment(points[k], points[i], points[j])
            if d > far:
                far, at = d, k
        if at >= 0 and far > tolerance:
            keep[at] = True
            stack += [(i, at), (at, j)]
    return [q for q, kept in zip(points, keep, strict=True) if kept]


def _polygon_d(polygon: Sequence[Vec], tolerance: float = 0.25) -> str:
    """Path data for a closed polygon, without the corners a straight run makes redundant (a quarter of an SVG
    unit at most from the drawn line)."""
    kept = _simplified([*polygon, polygon[0]], tolerance)[:-1]
    return "M" + "L".join(f"{num(q.x)} {num(q.y)}" for q in kept) + "Z"


# ------------------------------------------------------------------------------------------------ the shapes


@dataclass(frozen=True)
class _Shape:
    """A view's drawing as the regions see it, for the patient's right side.

    `across` is +1 when "across the limb" (medial to lateral; in the outer-side view back to front) runs toward
    +x on the page, -1 otherwise. `half` keeps a bilateral view's regions on the right side's half.
    """

    view: View
    polygon: tuple[Vec, ...]
    overlays: tuple[tuple[Vec, ...], ...]
    across: float
    half: float | None  # +1: x > mirror_x is the right side; -1: x < mirror_x; None: a single-side view
    anchor: float  # a page x inside the limb at every level the regions use (picks the limb's piece)
    inset_cun: float = INSET_CUN
    gap_cun: float = GAP_CUN

    @property
    def unit(self) -> float:
        return self.view.scale

    def along(self, x: float, cun: float) -> float:
        """`x` moved `cun` across the limb (toward lateral, or toward the front in the outer-side view)."""
        return x + self.across * cun * self.unit


def _crossings(polygon: Sequence[Vec], y: float) -> list[float]:
    xs = []
    n = len(polygon)
    for i in range(n):
        a, b = polygon[i], polygon[(i + 1) % n]
        if (a.y > y) != (b.y > y):
            xs.append(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y))
    return sorted(xs)


def _pieces(polygon: Sequence[Vec], y: float) -> list[tuple[float, float]]:
    xs = _crossings(polygon, y)
    return [(xs[i], xs[i + 1]) for i in range(0, len(xs) - 1, 2)]


def _subtract(pieces: list[tuple[float, float]], cut: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    out = pieces
    for c0, c1 in cut:
        nxt: list[tuple[float, float]] = []
        for a, b in out:
            if c1 <= a or c0 >= b:
                nxt.append((a, b))
                continue
            if c0 > a:
                nxt.append((a, c0))
            if c1 < b:
                nxt.append((c1, b))
        out = nxt
    return out


def _limb(shape: _Shape, y: float, anchor: float | None = None, inset_cun: float | None = None,
          midline_gap_cun: float = MIDLINE_GAP_CUN) -> tuple[float, float] | None:
    """The piece of the drawing at level `y` that holds the anchor (or the nearest piece), kept `inset_cun`
    inside the outline (and the overhanging arm) and, in a bilateral view, to its own side of the midline."""
    inset = (shape.inset_cun if inset_cun is None else inset_cun) * shape.unit
    pieces = _subtract(_pieces(shape.polygon, y), (p for o in shape.overlays for p in _pieces(o, y)))
    pieces = [(a + inset, b - inset) for a, b in pieces if b - a > 2 * inset]
    if shape.half is not None:
        mid = shape.view.mirror_x + shape.half * midline_gap_cun * shape.unit
        pieces = [(max(a, mid), b) if shape.half > 0 else (a, min(b, mid)) for a, b in pieces]
        pieces = [(a, b) for a, b in pieces if b > a]
    if not pieces:
        return None
    x = shape.anchor if anchor is None else anchor
    return min(pieces, key=lambda p: 0.0 if p[0] <= x <= p[1] else min(abs(p[0] - x), abs(p[1] - x)))


def _band(shape: _Shape, top: float, bottom: float, u: tuple[float, float] = (0.0, 1.0),
          within: tuple[float | None, float | None] = (None, None), anchor: float | None = None) -> tuple[Vec, ...]:
    """The part of the limb between the levels `top` and `bottom` (page y), from `u[0]` to `u[1]` of the way
    across it, and within the page-x limits `within` (either may be None), as a closed polygon."""
    gap = shape.gap_cun * shape.unit
    edges = _edges(shape, top, bottom)
    near: list[Vec] = []
    far: list[Vec] = []
    for i in range(STEPS + 1):
        y = top + (bottom - top) * i / STEPS
        piece = _limb(shape, y, anchor)
        if piece is None:
            continue
        a, b = piece
        w = b - a
        u0, u1 = u
        if shape.across > 0:
            x0, x1 = a + u0 * w + (gap if u0 > 0 else 0), a + u1 * w - (gap if u1 < 1 else 0)
        else:
            x0, x1 = b - u1 * w + (gap if u1 < 1 else 0), b - u0 * w - (gap if u0 > 0 else 0)
        lo, hi = within
        if lo is not None:
            x0 = max(x0, lo)
        if hi is not None:
            x1 = min(x1, hi)
        x0 = _clear(edges, x0, y, +1.0, shape.unit, shape.inset_cun)
        x1 = _clear(edges, x1, y, -1.0, shape.unit, shape.inset_cun)
        if x1 - x0 < 0.2 * shape.unit:
            continue
        near.append(Vec(x0, y))
        far.append(Vec(x1, y))
    if len(near) < 2:
        raise ValueError(f"an empty region in the {shape.view.name} view between y={top:.1f} and y={bottom:.1f}")
    return (*near, *reversed(far))


def _edges(shape: _Shape, top: float, bottom: float) -> list[tuple[Vec, Vec]]:
    """The drawn edges (outline and overlays) that come near the levels from `top` to `bottom`."""
    reach = shape.inset_cun * shape.unit
    pairs = ((poly[i], poly[(i + 1) % len(poly)]) for poly in (shape.polygon, *shape.overlays)
             for i in range(len(poly)))
    return [(a, b) for a, b in pairs if max(a.y, b.y) >= top - reach and min(a.y, b.y) <= bottom + reach]


def _clear(edges: Sequence[tuple[Vec, Vec]], x: float, y: float, inward: float, unit: float, inset_cun: float) -> float:
    """`x` moved along its level (toward `inward`) until it is the inset away from every drawn edge: where the
    outline slopes (the top of the forefoot) a level's end is closer to it than the inset measured across."""
    need = inset_cun * unit * 0.999
    near = [(a, b) for a, b in edges if min(a.y, b.y) - need <= y <= max(a.y, b.y) + need]
    step = 0.05 * unit
    for _ in range(200):
        p = Vec(x, y)
        if all(distance_to_segment(p, a, b) >= need for a, b in near):
            break
        x += inward * step
    return x


def _span(shape: _Shape, x: float, cun_before: float | None, cun_after: float | None) -> tuple[float | None,
                                                                                                float | None]:
    """Page-x limits from `x`: `cun_before` back toward medial (or posterior), `cun_after` on toward lateral."""
    ends = [None if cun_before is None else shape.along(x, -cun_before),
            None if cun_after is None else shape.along(x, cun_after)]
    if shape.across < 0:
        ends.reverse()
    return ends[0], ends[1]


def _feature(v: View, name: str, right_of: float) -> Feature:
    """The right side's copy of a drawn feature (a bilateral view draws one on each side)."""
    found = [f for f in v.features if f.name == name and (f.nodes[0].at.x - v.mirror_x) * right_of > 0]
    if not found:
        raise KeyError(f"no {name!r} feature on the right side of the {v.name} view")
    return found[0]


def _shape(v: View, anchor: float, across: float, inset_cun: float = INSET_CUN, gap_cun: float = GAP_CUN) -> _Shape:
    half = None
    if v.bilateral:
        half = 1.0 if anchor > v.mirror_x else -1.0
    overlays = tuple(tuple(sample(o)) for o in v.overlays)
    return _Shape(v, tuple(v.outline_polygon("right")), overlays, across, half, anchor, inset_cun, gap_cun)


def _lowest(shape: _Shape) -> float:
    return max(p.y for p in shape.polygon)


# ------------------------------------------------------------------------------------------------ the regions


def _back() -> dict[str, tuple[Vec, ...]]:
    v = view("back")
    lm = v.landmark
    s = _shape(v, _leg_axis(v), v.frame("sacral_hiatus").vector("lateral").x)
    c, g = v.scale, GAP_CUN * v.scale
    sole = _lowest(s) - INSET_CUN * c
    l2, s1 = lm("spinous_L2_lower").y, lm("spinous_S1_lower").y
    fold, knee = lm("gluteal_fold_mid").y, lm("popliteal_crease_mid").y
    return {
        "lower_back": _band(s, l2 - 1.5 * c, s1 - g),
        "buttock": _band(s, s1 + g, fold - g),
        "posterior_thigh": _band(s, fold + g, knee - 1.5 * c - g),
        "knee_posterior": _band(s, knee - 1.5 * c + g, knee + 1.5 * c - g),
        "posterior_calf": _band(s, knee + 1.5 * c + g, lm("medial_malleolus").y - 1.0 * c),
        "heel": _band(s, lm("lateral_malleolus").y, sole),
    }


def _crotch(s: _Shape, below: float) -> float:
    """The level where the legs part: the first level below `below` at which the midline leaves the figure."""
    y = below
    while y < _lowest(s):
        xs = _crossings(s.polygon, y)
        if sum(1 for x in xs if x < s.view.mirror_x) % 2 == 0:
            return y
        y += 0.05 * s.unit
    raise ValueError("the legs never part")


def _front() -> dict[str, tuple[Vec, ...]]:
    v = view("front")
    lm = v.landmark
    s = _shape(v, _leg_axis(v), v.frame("asis").vector("lateral").x)
    c, g = v.scale, GAP_CUN * v.scale
    sole = _lowest(s) - INSET_CUN * c
    groin = _feature(v, "groin crease", s.half or 1.0)
    groin_end = groin.nodes[-1].at.y  # its medial end, beside the pubis
    patella = _feature(v, "patella", s.half or 1.0)
    patella_top = min(n.at.y for n in patella.nodes)
    patella_bottom = max(n.at.y for n in patella.nodes)
    crotch = _crotch(s, lm("greater_trochanter").y)
    thigh_top = groin_end + 1.0 * c
    leg_top, leg_bottom = patella_bottom + 0.4 * c, lm("medial_malleolus").y - 1.0 * c
    ankle_bottom = lm("medial_malleolus").y + 0.9 * c
    return {
        "hip_lateral": _band(s, lm("asis").y + 0.5 * c, thigh_top - g, (0.62, 1.0)),
        "groin": _band(s, groin_end - 2.6 * c, thigh_top - g, (0.06, 0.62)),
        "anterior_thigh": _band(s, thigh_top + g, patella_top - 0.2 * c, (0.4, 1.0)),
        "medial_thigh": _band(s, crotch + 0.3 * c, patella_top - 0.2 * c, (0.0, 0.4)),
        "anterior_shin": _band(s, leg_top, leg_bottom - g, (0.44, 1.0)),
        "medial_calf": _band(s, leg_top, leg_bottom - g, (0.0, 0.44)),
        "medial_ankle": _band(s, leg_bottom + g, ankle_bottom - g, (0.0, 0.6)),
        "dorsum_foot": _band(s, ankle_bottom + g, sole),
    }


def _lateral() -> dict[str, tuple[Vec, ...]]:
    v = view("lateral")
    lm = v.landmark
    trochanter = lm("greater_trochanter")
    s = _shape(v, trochanter.x, v.frame("greater_trochanter").vector("anterior").x)
    c, g = v.scale, GAP_CUN * v.scale
    sole = _lowest(s) - INSET_CUN * c
    hip_bottom = trochanter.y + 3.0 * c
    fibula, ankle = lm("fibular_head"), lm("lateral_malleolus")
    return {
        "hip_lateral": _band(s, lm("iliac_crest_top").y + 0.6 * c, hip_bottom - g,
                             within=_span(s, trochanter.x, 2.4, 2.4)),
        "lateral_thigh": _band(s, hip_bottom + g, fibula.y - 2.0 * c, within=_span(s, trochanter.x, 2.2, 2.2)),
        "lateral_calf": _band(s, fibula.y + 0.6 * c, ankle.y - 1.3 * c, (0.12, 0.88)),
        "heel": _band(s, ankle.y + 0.2 * c, sole, within=_span(s, ankle.x, None, -0.35)),
        "lateral_foot": _band(s, ankle.y + 0.75 * c, sole, within=_span(s, ankle.x, -0.05, None)),
    }


def _heel_rounded(v: View) -> tuple[Node, ...]:
    """The top-of-the-foot outline (right foot) with its cut across the ankle rounded off into a heel: the
    silhouette of the sole seen from below, before it is mirrored."""
    cut = sorted((i for i, n in enumerate(v.outline) if n.sharp), key=lambda i: -v.outline[i].at.y)[:2]
    lowest = max(v.outline[i].at.y for i in cut)
    nodes = [Node(n.at, n.sharp and i not in cut) for i, n in enumerate(v.outline)]
    a, b = (v.outline[i].at for i in sorted(cut))
    heel = Node(Vec((a.x + b.x) / 2, lowest + 0.6 * v.scale))
    first, last = sorted(cut)
    if (first, last) == (0, len(nodes) - 1):  # the cut closes the outline: the heel goes at the end
        return (*nodes, heel)
    return (*nodes[: first + 1], heel, *nodes[first + 1:])


def _foot() -> tuple[dict[str, tuple[Vec, ...]], dict[str, tuple[Vec, ...]]]:
    """The top of the right foot, and the regions of its sole (in the same frame, before mirroring)."""
    v = view("foot_dorsal")
    lm = v.landmark
    bases = (lm("metatarsal_1_2_base_junction").x + lm("metatarsal_4_5_base_junction").x) / 2
    s = _shape(v, bases, v.frame("metatarsal_1_2_base_junction").vector("lateral").x, FOOT_INSET_CUN,
               FOOT_GAP_CUN)
    c, g = v.scale, FOOT_GAP_CUN * v.scale
    tip = min(p.y for p in s.polygon) + s.inset_cun * c
    crease = next(f for f in v.features if f.name == "front of the ankle")
    ankle = sum(n.at.y for n in crease.nodes) / len(crease.nodes)
    # The cleft between the big toe and the second: the sharp outline node nearest the big-toe side.
    clefts = [n.at for n in v.outline if n.sharp and n.at.y < lm("metatarsal_1_2_base_junction").y]
    cleft = min(clefts, key=lambda p: p.x * s.across)
    big_toe_side = min((p.x for p in s.polygon), key=lambda x: x * s.across)  # the foot's medial edge
    toe_base = cleft.y + 0.45 * c
    fifth_head = lm("little_toe_nail_lateral").y + 1.2 * c
    top = {
        "big_toe": _band(s, tip, toe_base - g, within=_span(s, cleft.x, None, -1.5 * s.gap_cun), anchor=big_toe_side),
        "dorsum_foot": _band(s, toe_base + g, ankle - 0.35 * c, (0.0, 0.7)),
        "lateral_foot": _band(s, fifth_head, ankle - 0.35 * c, (0.7, 1.0)),
    }
    sole = _Shape(v, tuple(sample(_heel_rounded(v))), (), s.across, None, s.anchor, FOOT_INSET_CUN, FOOT_GAP_CUN)
    heel_top = ankle - 0.5 * c
    under = {
        "sole": _band(sole, max(p.y for p in clefts) + 0.2 * c, heel_top - g),  # below every toe cleft
        "heel": _band(sole, heel_top + g, _lowest(sole) - sole.inset_cun * c),
    }
    return top, under


def _mirrored(v: View, polygon: Sequence[Vec]) -> tuple[Vec, ...]:
    return tuple(v.mirror(p) for p in reversed(polygon))


@cache
def regions() -> tuple[Region, ...]:
    """Every region: each area in each view that shows it, on both sides."""
    out: list[Region] = []
    top, under = _foot()
    right: list[tuple[RegionView, str, tuple[Vec, ...]]] = []
    right += [("back", a, p) for a, p in _back().items()]
    right += [("front", a, p) for a, p in _front().items()]
    right += [("lateral", a, p) for a, p in _lateral().items()]
    right += [("foot_dorsal", a, p) for a, p in top.items()]
    right += [("sole", a, p) for a, p in under.items()]
    for name, area, polygon in right:
        v = _view_of(name)
        out.append(Region(area, "right", name, polygon))
        out.append(Region(area, "left", name, _mirrored(v, polygon)))
    order = {a: i for i, a in enumerate(areas())}
    unknown = sorted({r.area for r in out} - set(order))
    if unknown:
        raise ValueError(f"regions for areas the contract does not have: {unknown}")
    return tuple(sorted(out, key=lambda r: (order[r.area], REGION_VIEWS.index(r.view), SIDES.index(r.side))))


def _view_of(name: RegionView) -> View:
    return view("foot_dorsal" if name == "sole" else name)


def regions_for(area: str, side: Side) -> list[Region]:
    return [r for r in regions() if r.area == area and r.side == side]


def outline_nodes(name: RegionView, side: Side) -> tuple[Node, ...]:
    """The outline a region lies inside, for `side`; the sole's is the foot's silhouette with a rounded heel."""
    if name != "sole":
        return view(name).outline_nodes(side)
    v = view("foot_dorsal")
    nodes = _heel_rounded(v)
    if side == "right":
        return nodes
    return tuple(Node(v.mirror(n.at), n.sharp) for n in reversed(nodes))


def outline_polygon(name: RegionView, side: Side) -> list[Vec]:
    """`outline_nodes` as the dense polygon the inside test uses."""
    return sample(outline_nodes(name, side))


# ------------------------------------------------------------------------------------------------ the pain map

SKIN = "#f5f0ea"
OUTLINE = "#8d8178"
FEATURE = "#c9bdb1"
MUTED = "#6b6259"
EMPTY = "#1d5e78"  # a region nobody has marked: a faint fill and a dashed edge, so that it can be seen and hit
PAIN = "#d55e00"  # a marked region (Okabe-Ito vermilion)
DRAWN_FEATURES = ("crease", "bone", "detail", "nail", "midline", "process")
BODY_K = 1.45  # the back and front views, drawn larger than the rest: most areas are marked there
LEG_K = 0.95  # the outer side of each leg


@dataclass(frozen=True)
class _Panel:
    name: RegionView
    side: Side  # for a bilateral view: "right", and both sides are drawn
    crop: Box
    k: float
    origin: Vec
    caption: str

    @property
    def box(self) -> Box:
        return Box(self.origin.x, self.origin.y, self.origin.x + self.crop.width * self.k,
                   self.origin.y + self.crop.height * self.k)

    def shows(self, r: Region) -> bool:
        return r.view == self.name and (_view_of(self.name).bilateral or r.side == self.side)

    @property
    def transform(self) -> str:
        c = self.crop
        return (f"translate({num(self.origin.x)} {num(self.origin.y)}) scale({self.k:.4f}) "
                f"translate({num(-c.x0)} {num(-c.y0)})")


def _nodes(v: View, nodes: Sequence[Node], side: Side) -> tuple[Node, ...]:
    if v.bilateral or side == "right":
        return tuple(nodes)
    return tuple(Node(v.mirror(n.at), n.sharp) for n in reversed(nodes))


def _body_top() -> float:
    """Where the whole-body panels start: a little above the lower back's region."""
    v = view("back")
    return v.landmark("spinous_L2_lower").y - 3.0 * v.scale


def _leg_axis(v: View) -> float:
    """A page x inside the right leg all the way down, from the view's landmarks: the knee crease's midpoint
    (back) or the middle of the ankle (front)."""
    if v.name == "back":
        return v.landmark("popliteal_crease_mid").x
    return (v.landmark("medial_malleolus").x + v.landmark("lateral_malleolus").x) / 2


@cache
def _lower_body(name: Literal["back", "front"]) -> tuple[tuple[Vec, ...], tuple[Vec, ...]]:
    """The lower back and legs of a whole-body view without the arms, as one closed polygon per side: at each
    level, the piece of the outline that holds the leg (cut at the midline above the crotch)."""
    v = view(name)
    s = _shape(v, _leg_axis(v), 1.0)
    top, bottom = _body_top(), _lowest(s)
    near: list[Vec] = []
    far: list[Vec] = []
    n = 240
    for i in range(n + 1):
        y = top + (bottom - top - 0.02) * i / n
        piece = _limb(s, y, inset_cun=0.0, midline_gap_cun=0.0)
        if piece is None:
            continue
        near.append(Vec(piece[0], y))
        far.append(Vec(piece[1], y))
    right = (*near, *reversed(far))
    return right, tuple(v.mirror(p) for p in reversed(right))


def _panel_crop(name: RegionView, side: Side) -> Box:
    """What a panel shows: the lower back and legs in the whole-body views, the leg from the hip down in the
    outer-side view, the whole foot in the foot views."""
    if name in ("back", "front"):
        v = view(name)
        right, left = _lower_body(name)
        b = bounds([*right, *left])
        m = 0.6 * v.scale
        return Box(b.x0 - m, b.y0, b.x1 + m, b.y1 + m)
    if name == "lateral":
        v = view(name)
        pts = v.outline_polygon(side)
        top = v.landmark("iliac_crest_top").y - 1.6 * v.scale
        b = bounds(p for p in pts if p.y >= top)
        m = 0.6 * v.scale
        return Box(b.x0 - m, top, b.x1 + m, b.y1 + m)
    return bounds(outline_polygon(name, side)).grow(0.3 * view("foot_dorsal").scale)


def _caption(name: RegionView, side: Side) -> str:
    return {"back": "Back — the patient's left is on your left",
            "front": "Front — the patient's right is on your left",
            "lateral": f"{side.capitalize()} leg — outer side",
            "foot_dorsal": f"{side.capitalize()} foot — top",
            "sole": f"{side.capitalize()} foot — sole"}[name]


CAPTION_H = 22.0
SIDE_LABEL_H = 22.0


def _layout() -> tuple[list[_Panel], float, float]:
    """Back and front side by side; below them the left leg's outer side, the feet (top above sole) and the
    right leg's outer side, so that each leg's views sit on its own side of the page."""
    gap, pad = 20.0, 8.0
    panels: list[_Panel] = []
    body = {n: _panel_crop(n, "right") for n in ("back", "front")}
    x, y = pad, pad + CAPTION_H
    for name in ("back", "front"):
        panels.append(_Panel(name, "right", body[name], BODY_K, Vec(x, y), _caption(name, "right")))
        x += body[name].width * BODY_K + gap
    width = x - gap + pad
    y2 = y + max(c.height for c in body.values()) * BODY_K + SIDE_LABEL_H + CAPTION_H + 16
    lat = {s: _panel_crop("lateral", s) for s in SIDES}
    leg_h = max(c.height for c in lat.values()) * LEG_K
    feet = {(n, s): _panel_crop(n, s) for n in ("foot_dorsal", "sole") for s in SIDES}
    fk = (leg_h - CAPTION_H - 6) / 2 / max(c.height for c in feet.values())
    foot_w = max(c.width for c in feet.values()) * fk
    row = sum(c.width for c in lat.values()) * LEG_K + 2 * foot_w + 3 * gap
    width = max(width, row + 2 * pad)
    x = (width - row) / 2
    panels.append(_Panel("lateral", "left", lat["left"], LEG_K, Vec(x, y2), _caption("lateral", "left")))
    x += lat["left"].width * LEG_K + gap
    for s in SIDES:
        for i, n in enumerate(("foot_dorsal", "sole")):
            crop = feet[(n, s)]
            fx = x + (foot_w - crop.width * fk) / 2
            fy = y2 + i * (leg_h / 2 + CAPTION_H / 2 + 3)
            panels.append(_Panel(n, s, crop, fk, Vec(fx, fy), _caption(n, s)))  # type: ignore[arg-type]
        x += foot_w + gap
    panels.append(_Panel("lateral", "right", lat["right"], LEG_K, Vec(x, y2), _caption("lateral", "right")))
    return panels, width, y2 + leg_h + pad


def _drawing(p: _Panel, uid: str) -> str:
    """The figure itself (outline, creases and bones), cut to the panel: the whole-body views to the lower
    back and legs (no arms), the outer-side view without the arm that hangs over the hip."""
    v = _view_of(p.name)
    k = p.k
    parts = [el("path", d=path_d(outline_nodes(p.name, p.side)), fill=SKIN, stroke=OUTLINE, stroke_width=1.3 / k,
                stroke_linejoin="round")]
    if p.name != "sole":
        for f in v.features:
            if f.kind not in DRAWN_FEATURES:
                continue
            fill = {"nail": "#fbf8f5", "process": "#e6ddd3"}.get(f.kind, "none")
            dash = f"{2 / k:.2f} {2 / k:.2f}" if f.kind == "midline" else None
            parts.append(el("path", d=path_d(_nodes(v, f.nodes, p.side), f.closed), fill=fill, stroke=FEATURE,
                            stroke_width=0.8 / k, stroke_dasharray=dash, stroke_linecap="round"))
    clip = f"{uid}-clip-{p.name}-{p.side}"
    c = p.crop
    if p.name in ("back", "front"):
        grow = 1.5 / k  # keeps the outline's stroke whole
        shapes = "".join(el("path", d=_grown(poly, grow, v.mirror_x)) for poly in _lower_body(p.name))
    else:
        shapes = el("rect", x=c.x0, y=c.y0, width=c.width, height=c.height)
    defs = el("defs", el("clipPath", shapes, id=clip))
    return el("g", defs + el("g", "".join(parts), clip_path=f"url(#{clip})"), transform=p.transform,
              class_="figure", aria_hidden="true")


def _grown(polygon: Sequence[Vec], d: float, mirror_x: float) -> str:
    """A lower-body polygon pushed out by `d` at its outer edges (not across the midline, where the two sides'
    polygons meet), as path data."""
    half = len(polygon) // 2
    out = []
    for i, q in enumerate(polygon):
        outward = -d if i < half else d
        x = q.x + outward
        if (q.x - mirror_x) * (x - mirror_x) < 0 or abs(q.x - mirror_x) < 1e-6:
            x = q.x
        out.append(Vec(x, q.y))
    lo = min(q.y for q in polygon)
    out = [Vec(q.x, q.y + d) if q.y == max(p.y for p in polygon) else q for q in out]
    out = [Vec(q.x, lo) if q.y == lo else q for q in out]
    return _polygon_d(out)


def _region_el(r: Region, p: _Panel, marked: bool, interactive: bool) -> str:
    k = p.k
    common: dict[str, str | float | None] = {
        "d": r.path(), "class_": "region" + (" marked" if marked else ""), "data_area": r.area, "data_side": r.side,
        "fill": PAIN if marked else EMPTY, "fill_opacity": 0.5 if marked else 0.06,
        "stroke": PAIN if marked else EMPTY, "stroke_opacity": 0.9 if marked else 0.45,
        "stroke_width": (1.4 if marked else 1.0) / k,
        "stroke_dasharray": None if marked else f"{3 / k:.2f} {2 / k:.2f}", "stroke_linejoin": "round",
    }
    if interactive:
        common.update(role="button", tabindex="0", aria_pressed="true" if marked else "false", aria_label=r.label)
    return el("path", title(r.label), **common)


def _side_labels(p: _Panel) -> list[str]:
    """"LEFT" and "RIGHT" under the feet of a whole-body view, so that nobody marks the wrong leg."""
    v = view(p.name)  # type: ignore[arg-type]
    out = []
    for side in SIDES:
        x = (v.landmark("medial_malleolus", side).x + v.landmark("lateral_malleolus", side).x) / 2
        at = p.origin.x + (x - p.crop.x0) * p.k
        out.append(text(at, p.box.y1 + 15, side.upper(), 11, fill=MUTED, text_anchor="middle", font_weight="bold",
                        letter_spacing="0.08em"))
    return out


def pain_map_svg(selected_left: Collection[str] = (), selected_right: Collection[str] = (), *,
                 interactive: bool = True, uid: str = "painmap") -> str:
    """The pain drawing: the figures with every area's regions, those marked on each side shaded.

    With `interactive` each region is a focusable toggle (role="button", aria-pressed, an aria-label) for the
    intake page's script to drive, and the SVG is a group; without it the SVG is a labelled image for print.
    """
    unknown = sorted((set(selected_left) | set(selected_right)) - set(areas()))
    if unknown:
        raise ValueError(f"unknown pain areas: {unknown}")
    marked = {("left", a) for a in selected_left} | {("right", a) for a in selected_right}
    panels, width, height = _layout()
    parts = [el("rect", x=0, y=0, width=width, height=height, fill="#ffffff")]
    for p in panels:
        parts.append(text(p.box.x0 + p.box.width / 2, p.origin.y - 8, p.caption, 11, fill=MUTED,
                          text_anchor="middle", font_weight="bold"))
        parts.append(_drawing(p, uid))
        body = "".join(_region_el(r, p, (r.side, r.area) in marked, interactive) for r in regions() if p.shows(r))
        parts.append(el("g", body, transform=p.transform, class_=f"regions regions-{p.name}"))
        if p.name in ("back", "front"):
            parts += _side_labels(p)
    heading = "Pain drawing: where the pain is, on the left and right"
    desc = _describe(selected_left, selected_right)
    role = "group" if interactive else "img"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 {num(width)} {num(height)}" '
            f'width="{num(width)}" height="{num(height)}" role="{role}" aria-labelledby="{uid}-title {uid}-desc" '
            f'class="pain-map" font-family="{escape(FONT, quote=True)}">'
            f'<title id="{uid}-title">{escape(heading, quote=False)}</title>'
            f'<desc id="{uid}-desc">{escape(desc, quote=False)}</desc>'
            f'{"".join(parts)}</svg>')


def _describe(selected_left: Collection[str], selected_right: Collection[str]) -> str:
    order = areas()

    def names(chosen: Collection[str]) -> str:
        return ", ".join(area_name(a) for a in order if a in chosen) or "none"

    return f"Pain marked on the left: {names(selected_left)}. On the right: {names(selected_right)}."


__all__ = ["AREA_NAMES", "REGION_VIEWS", "Region", "area_name", "areas", "outline_nodes", "outline_polygon",
           "pain_map_svg", "regions", "regions_for"]
