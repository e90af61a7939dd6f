"""One knowledge point as JSON or as a short reference card."""

from __future__ import annotations

import textwrap
from typing import Any

import msgspec

from ..knowledge.model import Knowledge, Point


def point_json(point: Point) -> dict[str, Any]:
    result: dict[str, Any] = msgspec.to_builtins(point)
    return result


def render_point(point: Point, knowledge: Knowledge) -> str:
    def para(label: str, text: str) -> list[str]:
        return textwrap.wrap(f"{label}: {text}", 100, subsequent_indent="  ")

    aliases = f" (also {', '.join(point.aliases)})" if point.aliases else ""
    lines = [f"{point.code}{aliases} — {point.pinyin}, {point.english}",
             f"Channel: {point.channel}   Region: {point.region}   Location status: {point.location_status}"]
    lines += para("Location", point.location)
    d = point.depth
    lines += para("Depth", f"{d.min_cun:g}–{d.max_cun:g} cun, {d.angle}" + (f"; {d.note}" if d.note else ""))
    if point.avoid:
        lines += para("Avoid", "; ".join(point.avoid))
    lines += para("Actions", "; ".join(point.actions))
    if point.cautions:
        lines += para("Cautions", "; ".join(point.cautions))
    if point.forbidden_in_pregnancy:
        lines.append("Forbidden in pregnancy.")
    if point.self_pressure:
        lines += para("Self-pressure", point.self_pressure.how)
    titles = {s.id: s.title for s in knowledge.sources}
    lines += para("Sources", "; ".join(f"{s} ({titles.get(s, '?')})" for s in point.sources))
    return "\n".join(lines)
