"""Body figures and the plan chart, as SVG drawn from the body model (no copied artwork, no typed-in positions).

- `figure_svg(view, side)`: one view with its landmarks, optionally with points marked (`atlas_svg` marks every
  knowledge point of the view on both sides).
- `chart_svg(plan, knowledge)`: the planned points on the right views and the correct side, coloured (and
  shaped) by role, excluded points struck out with the rule that excluded them, electroacupuncture pairs joined,
  and a legend. Each point carries a <title> (the hover tooltip: location, depth, cautions) and an aria-label.
- `point_figure_svg(point, side)`: a small close-up showing where one point lies (the patient handout).

Every figure is valid XML with role="img", a <title> and a <desc> that lists in words what it shows. Colours are
the Okabe-Ito set (safe for colour-blind readers) and each role also has its own shape, so a grey print still
tells them apart.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...engine.plan_model import ExcludedPoint, Plan, PlanLike, PlannedPoint, plan_from
from ...knowledge.model import Knowledge, Point
from ...knowledge.model import View as ViewName
from ..labels import label as id_label
from ..plan_words import HEADLINE, pregnancy_possible, see_within
from ..svg import FONT, document, el, num, text, title
from .geometry import Box, Node, Vec, path_d
from .place import Placed, Unplaceable, place, placements
from .views import Feature, Side, View, side_canvas, view

ROLES = ("local", "distal", "systemic", "balance")
ROLE_COLOURS = {"local": "#D55E00", "distal": "#0072B2", "systemic": "#009E73", "balance": "#CC79A7"}
ROLE_SHAPES = {"local": "circle", "distal": "square", "systemic": "diamond", "balance": "triangle"}
ROLE_NAMES = {"local": "Local", "distal": "Distal", "systemic": "Systemic", "balance": "Balance (opposite side)"}
NEUTRAL = "#1d5e78"
EXCLUDED = "#6f6f6f"
INK = "#2b2b2b"
MUTED = "#6b6259"
SKIN = "#f5f0ea"
OUTLINE = "#8d8178"
LANDMARK = "#a3968b"
FEATURE_STYLE: dict[str, dict[str, str | float]] = {
    "crease": {"stroke": "#b5a89c", "stroke_width": 0.8},
    "bone": {"stroke": "#c9bdb1", "stroke_width": 0.8},
    "midline": {"stroke": "#cdc2b7", "stroke_width": 0.7, "stroke_dasharray": "2 2"},
    "process": {"stroke": "#b9ada1", "stroke_width": 0.6, "fill": "#e6ddd3"},
    "nail": {"stroke": "#cfc4b9", "stroke_width": 0.6, "fill": "#fbf8f5"},
    "detail": {"stroke": "#d6ccc2", "stroke_width": 0.7},
}
HANDOUT_CAPTION = {"back": "Your {side} side, seen from behind", "front": "Your {side} side, seen from the front",
                   "lateral": "Outer side of your {side} leg", "medial": "Inner side of your {side} leg",
                   "hand_dorsal": "Back of your {side} hand", "foot_dorsal": "Top of your {side} foot"}
MARK_R = 4.6
LABEL_ROOM = 132.0  # room beside a single-side panel for its labels (the longest rule id at 8 px)
LABEL_SIZE = 10.0
LINE_H = 12.0
PART = {"lateral": "leg — outer side", "medial": "leg — inner side", "hand_dorsal": "hand — back",
        "foot_dorsal": "foot — top", "front": "front", "back": "back"}


@dataclass(frozen=True)
class Mark:
    """A point drawn on a figure: planned (with a role), excluded (with the rule) or neutral (atlas)."""

    code: str
    placed: Placed
    role: str | None = None
    excluded_by: str | None = None  # the rule's id (a data attribute for tools)
    excluded_name: str | None = None  # the rule's name (what a person reads)
    tooltip: str = ""
    aria: str = ""
    label: str | None = None

    @property
    def colour(self) -> str:
        if self.excluded_by:
            return EXCLUDED
        return ROLE_COLOURS.get(self.role or "", NEUTRAL)


@dataclass(frozen=True)
class Panel:
    """A view (one side for single-side views) cropped to `crop`, drawn at `k` canvas units per view unit."""

    view: View
    side: Side
    crop: Box
    k: float
    origin: Vec
    caption: str
    gutter: float = 70.0

    def to_canvas(self, p: Vec) -> Vec:
        return Vec(self.origin.x + (p.x - self.crop.x0) * self.k, self.origin.y + (p.y - self.crop.y0) * self.k)

    @property
    def box(self) -> Box:
        return Box(self.origin.x, self.origin.y, self.origin.x + self.crop.width * self.k,
                   self.origin.y + self.crop.height * self.k)

    def shows(self, placed: Placed) -> bool:
        return placed.view == self.view.name and (self.view.bilateral or placed.side == self.side)


@dataclass
class _Canvas:
    width: float
    height: float
    parts: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ drawing a view


def _nodes_for(v: View, nodes: Sequence[Node], side: Side) -> tuple[Node, ...]:
    if v.bilateral or side == "right":
        return tuple(nodes)
    return tuple(Node(v.mirror(n.at), n.sharp) for n in reversed(nodes))


def _feature(v: View, f: Feature, side: Side, k: float) -> str:
    style = dict(FEATURE_STYLE[f.kind])
    style["stroke_width"] = float(style["stroke_width"]) / k
    style.setdefault("fill", "none")
    body = title(f.name) if f.name else None
    return el("path", body, d=path_d(_nodes_for(v, f.nodes, side), f.closed), stroke_linecap="round",
              **style)


def _landmarks(v: View, side: Side, k: float, names: Mapping[str, str]) -> list[str]:
    out = []
    for lid in sorted(v.landmarks):
        sides: tuple[Side, ...] = ("right",) if lid in v.midline else (("left", "right") if v.bilateral else (side,))
        for s in sides:
            at = v.landmark(lid, s)
            out.append(el("circle", title(names.get(lid, lid.replace("_", " "))), cx=at.x, cy=at.y, r=1.7 / k,
                          fill="none", stroke=LANDMARK, stroke_width=0.7 / k, class_="landmark",
                          data_landmark=lid))
    return out


def _spine_labels(v: View, k: float) -> list[str]:
    if v.name != "back":
        return []
    out = []
    for level in ("L2", "L3", "L4", "L5", "S1", "S2"):
        at = v.landmark(f"spinous_{level}_lower")
        out.append(text(at.x - 6.0 / k, at.y - 1.0 / k, level, 6.0 / k, fill="#9c8f83", text_anchor="end"))
    return out


def _view_body(panel: Panel, names: Mapping[str, str], uid: str, spine_labels: bool = False) -> str:
    """The view's outline, features and landmarks, cropped to the panel.

    The clip path is set on each element rather than on the group: fpdf2 honours it only there.
    """
    v, k, side = panel.view, panel.k, panel.side
    clip_id = re.sub(r"\W", "_", f"{uid}_clip_{v.name}_{side}")  # fpdf2 reads only word characters in url(#…)
    clip = f"url(#{clip_id})"
    c = panel.crop
    parts = [el("path", d=path_d(_nodes_for(v, v.outline, side)), fill=SKIN, stroke=OUTLINE,
                stroke_width=1.3 / k, stroke_linejoin="round")]
    parts += [_feature(v, f, side, k) for f in v.features]
    parts += [el("path", d=path_d(_nodes_for(v, o, side)), fill=SKIN, stroke=OUTLINE, stroke_width=1.1 / k,
                 stroke_linejoin="round") for o in v.overlays]
    parts += _landmarks(v, side, k, names)
    if spine_labels:
        parts += _spine_labels(v, k)
    parts = [p.replace(" ", f' clip-path="{clip}" ', 1) for p in parts]
    transform = (f"translate({num(panel.origin.x)} {num(panel.origin.y)}) scale({k:.4f}) "
                 f"translate({num(-c.x0)} {num(-c.y0)})")
    clip_def = el("clipPath", el("rect", x=c.x0, y=c.y0, width=c.width, height=c.height), id=clip_id)
    return el("g", el("defs", clip_def) + "".join(parts), transform=transform, class_=f"view view-{v.name}")


# ------------------------------------------------------------------------------------------------ marks and labels


def _glyph(shape: str, x: float, y: float, r: float, fill: str, stroke: str = "#ffffff", sw: float = 1.2) -> str:
    if shape == "square":
        s = r * 0.88
        return el("rect", x=x - s, y=y - s, width=2 * s, height=2 * s, fill=fill, stroke=stroke, stroke_width=sw)
    if shape == "diamond":
        s = r * 1.22
        pts = f"{num(x)},{num(y - s)} {num(x + s)},{num(y)} {num(x)},{num(y + s)} {num(x - s)},{num(y)}"
        return el("polygon", points=pts, fill=fill, stroke=stroke, stroke_width=sw)
    if shape == "triangle":
        s = r * 1.3
        h = s * math.sqrt(3) / 2
        pts = f"{num(x)},{num(y - s)} {num(x + h)},{num(y + s / 2)} {num(x - h)},{num(y + s / 2)}"
        return el("polygon", points=pts, fill=fill, stroke=stroke, stroke_width=sw)
    return el("circle", cx=x, cy=y, r=r, fill=fill, stroke=stroke, stroke_width=sw)


def _excluded_glyph(x: float, y: float, r: float) -> str:
    d = r * 0.62
    return (el("circle", cx=x, cy=y, r=r, fill="#ffffff", stroke=EXCLUDED, stroke_width=1.3)
            + el("path", d=f"M{num(x - d)} {num(y - d)}L{num(x + d)} {num(y + d)}M{num(x + d)} {num(y - d)}"
                           f"L{num(x - d)} {num(y + d)}", stroke=EXCLUDED, stroke_width=1.3, stroke_linecap="round"))


def _mark_glyph(m: Mark, at: Vec) -> str:
    if m.excluded_by:
        return _excluded_glyph(at.x, at.y, MARK_R)
    shape = ROLE_SHAPES.get(m.role or "", "circle")
    return _glyph(shape, at.x, at.y, MARK_R, m.colour)


def _text_width(s: str, size: float, bold: bool = False) -> float:
    return len(s) * size * (0.6 if bold else 0.53)


@dataclass(frozen=True)
class _Label:
    mark: Mark
    at: Vec  # the marker, canvas units
    lines: int


def _spread(wanted: list[float], heights: list[float], top: float, bottom: float) -> list[float]:
    """Label tops as close to `wanted` as they can be without overlapping, kept within [top, bottom]."""
    ys: list[float] = []
    floor = top
    for want, h in zip(wanted, heights, strict=True):
        ys.append(max(want, floor))
        floor = ys[-1] + h
    limit = bottom
    for i in range(len(ys) - 1, -1, -1):
        ys[i] = min(ys[i], limit - heights[i])
        limit = ys[i]
    return ys


def _labels(panel: Panel, marks: Sequence[tuple[Mark, Vec]], top: float, bottom: float) -> tuple[list[str], list[str]]:
    """Leader lines and label texts for a panel's marks, in two columns beside the figure."""
    box = panel.box
    mid = (box.x0 + box.x1) / 2
    if panel.view.bilateral:
        mid = panel.to_canvas(Vec(panel.view.mirror_x, 0)).x
    columns: dict[Side, list[_Label]] = {"left": [], "right": []}
    for m, at in marks:
        # a single-side panel keeps its labels on its outer side, away from its neighbour
        column: Side = ("left" if at.x < mid else "right") if panel.view.bilateral else panel.side
        columns[column].append(_Label(m, at, 2 if m.excluded_by else 1))
    leaders: list[str] = []
    texts: list[str] = []
    for column, items in columns.items():
        items.sort(key=lambda lab: (lab.at.y, lab.at.x))
        heights = [LINE_H * lab.lines + 2 for lab in items]
        wanted = [lab.at.y - LABEL_SIZE * 0.4 - 1 for lab in items]
        tops = _spread(wanted, heights, top, bottom)
        x = box.x0 - 8 if column == "left" else box.x1 + 8
        anchor = "end" if column == "left" else "start"
        for lab, y in zip(items, tops, strict=True):
            base = y + LABEL_SIZE * 0.85
            m = lab.mark
            label = m.label or m.code
            end = Vec(x + (3 if column == "left" else -3), base - LABEL_SIZE * 0.35)
            leaders.append(el("path", d=f"M{num(lab.at.x)} {num(lab.at.y)}L{num(end.x)} {num(end.y)}",
                              stroke=m.colour, stroke_width=0.7, stroke_opacity=0.75, fill="none"))
            texts.append(text(x, base, label, LABEL_SIZE, fill=m.colour, font_weight="bold", text_anchor=anchor))
            if m.excluded_by:
                w = _text_width(label, LABEL_SIZE, bold=True)
                x0 = x - w if column == "left" else x
                texts.append(el("line", x1=x0 - 1, y1=base - 3.4, x2=x0 + w + 1, y2=base - 3.4, stroke=EXCLUDED,
                                stroke_width=1.2))
                texts.append(text(x, base + LINE_H - 1, m.excluded_name or m.excluded_by, 8.0, fill=EXCLUDED,
                                  text_anchor=anchor))
    return leaders, texts


def _mark_group(m: Mark, at: Vec) -> str:
    body = (title(m.tooltip) if m.tooltip else "") + _mark_glyph(m, at)
    return el("g", body, class_="point excluded" if m.excluded_by else f"point role-{m.role or 'none'}",
              data_code=m.code, data_side=m.placed.side, data_role=m.role, data_excluded_by=m.excluded_by,
              tabindex="0", role="img", aria_label=m.aria or f"{m.code}, {m.placed.side}")


def _pair_line(a: Vec, b: Vec, n: int) -> str:
    mid = Vec((a.x + b.x) / 2, (a.y + b.y) / 2)
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    bend = min(26.0, length * 0.18)
    ctrl = Vec(mid.x - dy / length * bend, mid.y + dx / length * bend)
    badge = Vec((a.x + 2 * ctrl.x + b.x) / 4, (a.y + 2 * ctrl.y + b.y) / 4)
    if length < 40:  # a short pair: the number would cover the points, so set it to one side
        badge = Vec(badge.x - dy / length * 14, badge.y + dx / length * 14)
    return (el("path", d=f"M{num(a.x)} {num(a.y)}Q{num(ctrl.x)} {num(ctrl.y)} {num(b.x)} {num(b.y)}", fill="none",
               stroke=INK, stroke_width=1.3, stroke_dasharray="4 3", stroke_opacity=0.8)
            + el("circle", cx=badge.x, cy=badge.y, r=6.2, fill="#ffffff", stroke=INK, stroke_width=1)
            + text(badge.x, badge.y + 3.3, str(n), 9, fill=INK, text_anchor="middle", font_weight="bold"))


# ------------------------------------------------------------------------------------------------ composition


def _render(canvas: _Canvas, panels: Sequence[Panel], marks: Sequence[Mark], pairs: Sequence[tuple[str, str, str]],
            names: Mapping[str, str], uid: str, label_band: tuple[float, float] | None = None,
            spine_labels: bool = False) -> None:
    """Draw the panels, then pairs, leaders, marks and labels on top (in canvas units, so text keeps its size)."""
    placed: dict[tuple[str, str], Vec] = {}
    per_panel: list[list[tuple[Mark, Vec]]] = []
    for panel in panels:
        canvas.parts.append(text(panel.box.x0 + panel.box.width / 2, panel.origin.y - 8, panel.caption, 10.5,
                                 fill=MUTED, text_anchor="middle", font_weight="bold"))
        canvas.parts.append(_view_body(panel, names, f"{uid}-{len(per_panel)}", spine_labels))
        shown = [(m, panel.to_canvas(m.placed.at)) for m in marks if panel.shows(m.placed)]
        per_panel.append(shown)
        for m, at in shown:
            if not m.excluded_by:
                placed[(m.code, m.placed.side)] = at
    for n, (a, b, side) in enumerate(pairs, 1):
        for s in ("left", "right") if side == "both" else (side,):
            if (a, s) in placed and (b, s) in placed:
                canvas.parts.append(_pair_line(placed[(a, s)], placed[(b, s)], n))
    leaders: list[str] = []
    labels: list[str] = []
    for panel, shown in zip(panels, per_panel, strict=True):
        top, bottom = label_band or (panel.box.y0, panel.box.y1)
        lead, lab = _labels(panel, shown, top, bottom)
        leaders += lead
        labels += lab
    canvas.parts += leaders
    canvas.parts += [_mark_group(m, at) for shown in per_panel for m, at in shown]
    canvas.parts += labels


def _landmark_names(knowledge: Knowledge | None) -> dict[str, str]:
    return {lm.id: lm.name for lm in knowledge.landmarks} if knowledge else {}


def _focus(v: View, side: Side, ats: Iterable[Vec], around_cun: float, min_h_cun: float) -> Box:
    full = side_canvas(v, side)
    pts = list(ats)
    if not pts or v.name in ("hand_dorsal", "foot_dorsal", "medial", "back"):
        return full
    y0 = min(p.y for p in pts) - around_cun * v.scale
    y1 = max(p.y for p in pts) + around_cun * v.scale
    if y1 - y0 < min_h_cun * v.scale:
        grow = (min_h_cun * v.scale - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    return Box(full.x0, y0, full.x1, y1).clamp_inside(full)


def _caption(v: View, side: Side) -> str:
    if v.bilateral:
        return v.caption
    return f"{side.capitalize()} {PART[v.name]}"


# ------------------------------------------------------------------------------------------------ public figures


def figure_svg(view_name: ViewName, side: Side = "right", marks: Sequence[Mark] = (), *,
               knowledge: Knowledge | None = None, heading: str | None = None, description: str | None = None,
               uid: str = "fig", spine_labels: bool = True) -> str:
    """One view (one side, for the single-side views) with its landmarks and any `marks`."""
    v = view(view_name)
    crop = side_canvas(v, side)
    gutter = 96.0 if marks else 16.0
    k = 1.0
    panel = Panel(v, side, crop, k, Vec(gutter, 34), _caption(v, side), gutter)
    canvas = _Canvas(crop.width * k + 2 * gutter, crop.height * k + 46)
    _render(canvas, [panel], marks, [], _landmark_names(knowledge), uid, spine_labels=spine_labels)
    heading = heading or f"Body figure: {_caption(v, side).lower()} view"
    names = ", ".join(f"{m.code} ({m.placed.side})" for m in marks)
    description = description or (f"{_caption(v, side)}, drawn in proportional B-cun with its anatomical "
                                  f"landmarks marked{'; points: ' + names if names else ''}.")
    return document(canvas.width, canvas.height, heading, description, "".join(canvas.parts), uid)


def atlas_svg(knowledge: Knowledge, view_name: ViewName, side: Side = "right", uid: str = "atlas") -> str:
    """Every knowledge point drawn in one view, on both sides (bilateral views) or on `side`."""
    v = view(view_name)
    marks = []
    for p in knowledge.points:
        if p.placement is None or p.placement.view != view_name:
            continue
        for s in (("left", "right") if v.bilateral else (side,)):
            placed = place(p, s)
            marks.append(Mark(p.code, placed, tooltip=_tooltip(p, s), aria=f"{p.code}, {p.pinyin}, {s} side"))
    heading = f"Point atlas: {_caption(v, side).lower()} view"
    return figure_svg(view_name, side, marks, knowledge=knowledge, heading=heading, uid=uid, spine_labels=False)


def point_figure_svg(point: Point, side: Side, *, role: str | None = None, uid: str = "pt",
                     width: float = 230.0) -> str:
    """A close-up showing where `point` lies on `side` (for the patient handout)."""
    placed = place(point, side)
    v = view(placed.view)
    full = side_canvas(v, side)
    if v.name in ("hand_dorsal", "foot_dorsal", "medial"):
        crop = full
    else:  # about 25 x 28 cun around the point, narrower where the view is
        half_w = min(12.5 * v.scale, full.width / 2)
        half_h = half_w * 1.12
        crop = Box(placed.at.x - half_w, placed.at.y - half_h, placed.at.x + half_w,
                   placed.at.y + half_h).clamp_inside(full)
    gutter = 8.0
    k = (width - 2 * gutter) / crop.width
    panel = Panel(v, side, crop, k, Vec(gutter, 26), HANDOUT_CAPTION[v.name].format(side=side), gutter)
    canvas = _Canvas(width, crop.height * k + 34)
    colour = ROLE_COLOURS.get(role or "", NEUTRAL)
    canvas.parts.append(_view_body(panel, {}, uid))
    canvas.parts.append(text(width / 2, 16, panel.caption, 10.5, fill=MUTED, text_anchor="middle",
                             font_weight="bold"))
    at = panel.to_canvas(placed.at)
    canvas.parts.append(el("circle", cx=at.x, cy=at.y, r=11, fill=colour, fill_opacity=0.18, stroke=colour,
                           stroke_width=1.2))
    canvas.parts.append(el("g", title(f"{point.code} {point.pinyin}") + _glyph("circle", at.x, at.y, 4.2, colour),
                           class_="point", data_code=point.code, data_side=side, role="img",
                           aria_label=f"{point.code}, {point.pinyin}, {side} side"))
    heading = f"Where to press {point.code} ({point.pinyin}) on your {side} side"
    desc = f"{panel.caption}: the point is marked with a coloured dot. {point.location}"
    return document(canvas.width, canvas.height, heading, desc, "".join(canvas.parts), uid)


# ------------------------------------------------------------------------------------------------ the plan chart


def _depth(p: Point) -> str:
    d = p.depth
    return f"{d.min_cun:g}–{d.max_cun:g} cun, {d.angle}" + (f". {d.note}" if d.note else "")


def _planned_depth(p: Point, item: PlannedPoint) -> str:
    """The depth the plan allows (capped for bleeding risk, with why), else the knowledge's."""
    if item.depth_cun is None:
        return _depth(p)
    lo, hi = item.depth_cun
    return f"{lo:g}–{hi:g} cun, {p.depth.angle}" + (f". {item.depth_reason}" if item.depth_reason else "")


def _tooltip(p: Point, side: str, role: str | None = None, extra: Sequence[str] = (), *,
             pregnancy: bool = True, item: PlannedPoint | None = None) -> str:
    """A point's hover text. On a plan chart (`item` given) the depth and cautions are the plan's, filtered for the
    patient; the pregnancy line shows only where pregnancy applies. The atlas (no patient) shows them all."""
    head = f"{p.code} {p.pinyin} ({p.english}) — {side}" + (f", {role}" if role else "")
    depth = _planned_depth(p, item) if item is not None else _depth(p)
    lines = [head, f"Where: {p.location}", f"Depth: {depth}"]
    cautions = list(item.cautions) if item is not None else list(p.cautions)
    if cautions:
        lines.append("Cautions: " + "; ".join(cautions))
    if p.forbidden_in_pregnancy and pregnancy:
        lines.append("Forbidden in pregnancy.")
    return "\n".join([*lines, *extra])


def chart_marks(doc: PlanLike, knowledge: Knowledge) -> tuple[list[Mark], list[str]]:
    """The plan's points and excluded points as marks, and the lines saying which could not be drawn."""
    plan = plan_from(doc)
    pregnancy = pregnancy_possible(plan)
    points = {p.code: p for p in knowledge.points}
    marks: list[Mark] = []
    not_drawn: list[str] = []
    acu = plan.acupuncture
    for item in acu.points:
        p = points.get(item.code)
        if p is None:
            not_drawn.append(f"{item.code} ({item.side}): not in the knowledge base")
            continue
        why = [f"Why: {item.reason} [{id_label(item.rule, knowledge)}]"] if item.reason else []
        try:
            for placed in placements(p, item.side or "both"):
                marks.append(Mark(p.code, placed, role=item.role,
                                  tooltip=_tooltip(p, placed.side, item.role, why, pregnancy=pregnancy,
                                                   item=item),
                                  aria=f"{p.code}, {p.pinyin}, {placed.side} side, {item.role} point"))
        except Unplaceable:
            not_drawn.append(f"{p.code} ({item.side}, {item.role}): found by palpation — not drawn")
    for gone in acu.excluded:
        p = points.get(gone.code)
        if p is None or p.placement is None:
            continue
        rule = id_label(gone.rule, knowledge)
        extra = [f"EXCLUDED by {rule}: {gone.reason}"]
        for placed in placements(p, gone.side or "both"):
            marks.append(Mark(p.code, placed, excluded_by=gone.rule, excluded_name=rule,
                              tooltip=_tooltip(p, placed.side, None, extra, pregnancy=pregnancy),
                              aria=f"{p.code}, {p.pinyin}, {placed.side} side, excluded by {rule}"))
    return marks, not_drawn


_ORDER: tuple[ViewName, ...] = ("lateral", "medial", "front", "hand_dorsal", "foot_dorsal")


def _side_panels(marks: Sequence[Mark], x0: float, y0: float, width: float, height: float) -> list[Panel]:
    """One row per view the marks need; the patient's left side in the left column, the right in the right."""
    rows: list[list[tuple[View, Side, int]]] = []
    for name in _ORDER:
        v = view(name)
        sides = sorted({m.placed.side for m in marks if m.placed.view == name})
        if not sides:
            continue
        if v.bilateral:
            rows.append([(v, "right", -1)])
        else:
            rows.append([(v, s, 0 if s == "left" else 1) for s in sides])
    if not rows:
        return []
    cell_w, cell_h = width / 2, max(210.0, height / len(rows))
    gutter = 68.0
    panels = []
    for r, row in enumerate(rows):
        for v, side, col in row:
            span = width if col < 0 else cell_w
            left = x0 + max(col, 0) * cell_w
            ats = [m.placed.at for m in marks if m.placed.view == v.name and (v.bilateral or m.placed.side == side)]
            crop = _focus(v, side, ats, 11.0, 30.0)
            room = 2 * gutter if col < 0 else LABEL_ROOM + 14
            k = min(1.0, (span - room) / crop.width, (cell_h - 34) / crop.height)
            fw, fh = crop.width * k, crop.height * k
            x = left + (span - fw) / 2 if col < 0 else (left + span - 14 - fw if col == 0 else left + 14)
            origin = Vec(x, y0 + r * cell_h + 22 + (cell_h - 34 - fh) / 2)
            panels.append(Panel(v, side, crop, k, origin, _caption(v, side), gutter))
    return panels


def _legend(plan: Plan, marks: Sequence[Mark], not_drawn: Sequence[str], pairs: Sequence[Any],
            x: float, y: float, width: float) -> tuple[list[str], float]:
    out: list[str] = []
    cx = x
    roles_used = [r for r in ROLES if any(m.role == r and not m.excluded_by for m in marks)] or list(ROLES)
    for role in roles_used:
        out.append(_glyph(ROLE_SHAPES[role], cx + 5, y - 3.5, 4.6, ROLE_COLOURS[role]))
        label = ROLE_NAMES[role]
        out.append(text(cx + 14, y, label, 10, fill=INK))
        cx += 22 + _text_width(label, 10)
    if any(m.excluded_by for m in marks):
        out.append(_excluded_glyph(cx + 5, y - 3.5, 4.6))
        out.append(text(cx + 14, y, "Excluded (struck out, with the rule)", 10, fill=INK))
        cx += 22 + _text_width("Excluded (struck out, with the rule)", 10)
    if pairs:
        out.append(el("path", d=f"M{num(cx)} {num(y - 3.5)}h22", stroke=INK, stroke_width=1.3,
                      stroke_dasharray="4 3"))
        out.append(text(cx + 28, y, "Electroacupuncture pair", 10, fill=INK))
        cx += 40 + _text_width("Electroacupuncture pair", 10)
    out.append(el("circle", cx=cx + 5, cy=y - 3.5, r=2.2, fill="none", stroke=LANDMARK, stroke_width=0.9))
    out.append(text(cx + 12, y, "Landmark", 10, fill=INK))
    lines: list[str] = []
    ea = plan.electroacupuncture
    if pairs:
        freq = f" at {ea.frequency_hz} Hz for {ea.minutes} min" if ea.frequency_hz else ""
        joined = "; ".join(f"({n}) {a}–{b} ({side})" for n, (a, b, side) in enumerate(pairs, 1))
        lines.append(f"Electroacupuncture{freq}: {joined}.")
    by_rule: dict[str, list[ExcludedPoint]] = {}
    for item in plan.acupuncture.excluded:
        by_rule.setdefault(item.rule, []).append(item)
    for rule, items in by_rule.items():
        codes = ", ".join(f"{i.code} ({i.side or 'both'})" for i in items)
        lines.append(f"Excluded by {id_label(rule)}: {codes}. {items[0].reason}")
    lines += [f"Not drawn: {n}." for n in not_drawn]
    lines.append("Hover over or focus a point for its location, depth and cautions.")
    yy = y + 18
    wrap = max(40, int(width / (9 * 0.52)))
    for line in lines:
        for part in textwrap.wrap(line, wrap):
            out.append(text(x, yy, part, 9, fill=MUTED))
            yy += 12
    return out, yy


def _pairs(plan: Plan) -> list[tuple[str, str, str]]:
    ea = plan.electroacupuncture
    details = ea.pair_details
    if details:
        return [(d.points[0], d.points[1], d.side) for d in details]
    return [(a, b, "both") for a, b in ea.pairs]


def _summary(plan: Plan) -> str:
    a = plan.assessment
    bits = []
    if a.phase:
        bits.append(f"{a.phase} phase")
    if a.nerve_roots:
        bits.append("roots " + ", ".join(a.nerve_roots))
    if a.channels:
        bits.append("channels " + ", ".join(a.channels))
    return " · ".join(bits)


def chart_svg(doc: PlanLike, knowledge: Knowledge, uid: str = "chart") -> str:
    """The plan's points on the body: back view on the left, the other views the plan needs beside it.

    `doc` is the typed plan or its JSON; a plan that does not decode raises PlanUnreadable (never drawn)."""
    plan = plan_from(doc)
    marks, not_drawn = chart_marks(plan, knowledge)
    pairs = _pairs(plan)
    back = view("back")
    withheld = not plan.treatment_allowed
    gutter = 104.0
    narrow = back.canvas.width + 2 * gutter + 14
    banner: list[str] = []
    if withheld:
        t = plan.triage
        found = [*t.red_flags, *(e.id for e in t.escalations)]
        why = ", ".join(dict.fromkeys(id_label(i, knowledge).lower() for i in found))
        msg = f"Treatment withheld ({why or t.level}): no points are planned."
        banner = [HEADLINE[see_within(t)], *textwrap.wrap(msg, int((narrow - 48) / (11 * 0.55)))]
    header_h = 58.0 + (len(banner) * 15 + 14 if banner else 0)
    back_panel = Panel(back, "right", back.canvas, 1.0, Vec(gutter + 6, header_h + 18), back.caption, gutter)
    back_right = back_panel.box.x1 + gutter
    side_panels = _side_panels(marks, back_right + 10, header_h, 600.0, back_panel.box.height + 18)
    width = back_right + 10 + (600.0 if side_panels else 0) + 8
    bottom = max([back_panel.box.y1, *[p.box.y1 for p in side_panels]]) + 22
    canvas = _Canvas(width, 0)
    heading = "Treatment plan — points on the body"
    canvas.parts.append(el("rect", x=0, y=0, width=width, height=10_000, fill="#ffffff"))
    canvas.parts.append(text(14, 24, heading, 16, fill=INK, font_weight="bold"))
    planned = plan.acupuncture.points
    sub = f"{len(planned)} points planned" + (f" · {_summary(plan)}" if _summary(plan) else "")
    canvas.parts.append(text(14, 42, sub, 10.5, fill=MUTED))
    stamp = f"engine {plan.engine_version} · knowledge {plan.knowledge_version}"
    canvas.parts.append(text(width - 14, 24, stamp, 9, fill=MUTED,
                             text_anchor="end"))
    if banner:
        canvas.parts.append(el("rect", x=14, y=56, width=width - 28, height=len(banner) * 15 + 8, fill="#fdecea",
                               stroke="#b3261e", stroke_width=1))
        for i, line in enumerate(banner):
            canvas.parts.append(text(24, 70 + i * 15, line, 11, fill="#b3261e", font_weight="bold"))
    _render(canvas, [back_panel, *side_panels], marks, pairs, _landmark_names(knowledge), uid)
    legend, end = _legend(plan, marks, not_drawn, pairs, 14, bottom + 10, width - 28)
    canvas.parts.append(el("line", x1=14, y1=bottom - 4, x2=width - 14, y2=bottom - 4, stroke="#e2dbd3"))
    canvas.parts += legend
    canvas.height = end + 6
    canvas.parts[0] = el("rect", x=0, y=0, width=width, height=canvas.height, fill="#ffffff")
    desc = _chart_desc(plan, marks, not_drawn, pairs)
    return document(canvas.width, canvas.height, heading, desc, "".join(canvas.parts), uid)


def _chart_desc(plan: Plan, marks: Sequence[Mark], not_drawn: Sequence[str],
                pairs: Sequence[tuple[str, str, str]]) -> str:
    planned = [f"{m.code} {m.placed.side} ({m.role})" for m in marks if not m.excluded_by]
    excluded = [f"{m.code} {m.placed.side} (excluded by {m.excluded_name or m.excluded_by})" for m in marks
                if m.excluded_by]
    parts = []
    if not plan.treatment_allowed:
        parts.append("Treatment withheld because of red flags; no points are planned.")
    parts.append("Planned points: " + (", ".join(planned) or "none") + ".")
    if excluded:
        parts.append("Excluded: " + ", ".join(excluded) + ".")
    if pairs:
        parts.append("Electroacupuncture pairs: " + ", ".join(f"{a}–{b} ({s})" for a, b, s in pairs) + ".")
    parts += [f"Not drawn: {n}." for n in not_drawn]
    return " ".join(parts)


__all__ = ["FONT", "Mark", "atlas_svg", "chart_marks", "chart_svg", "figure_svg", "point_figure_svg"]
