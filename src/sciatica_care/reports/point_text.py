"""One knowledge point as JSON or as a short reference card."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import msgspec

from ..knowledge.model import Knowledge, Point


def point_json(point: Point) -> dict[str, Any]:
    result: dict[str, Any] = msgspec.to_builtins(point)
    return result


def render_point(point: Point, knowledge: Knowledge, *, pregnancy: bool | None = None,
                 cautions: Sequence[str] | None = None) -> str:
    """The point's card. For a patient pass `cautions` (the plan's, already filtered for them) and `pregnancy`
    (whether the plan shows pregnancy applies: False for a man); without them the card is the knowledge's
    reference, showing every conditional caution with the words that it applies only to some patients."""
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
    if cautions is not None:
        if cautions:
            lines += para("Cautions", "; ".join(cautions))
    else:
        if point.cautions:
            lines += para("Cautions", "; ".join(point.cautions))
        if point.cautions_if:
            lines += para("Cautions for some patients only", "; ".join(c.text for c in point.cautions_if))
    if point.forbidden_in_pregnancy and pregnancy is not False:
        lines.append("Forbidden in pregnancy." if pregnancy else "Forbidden in pregnancy (when the patient is or "
                     "could be pregnant).")
    if point.self_pressure:
        lines += para("Self-pressure", point.self_pressure.how)
    titles = {s.id: s.title for s in knowledge.sources}
    lines += para("Sources", "; ".join(f"{s} ({titles.get(s, '?')})" for s in point.sources))
    return "\n".join(lines)
