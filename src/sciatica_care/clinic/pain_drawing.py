"""The pain drawing on the intake form: which regions of the figure are marked, on which side.

The intake stores what the contract has: `pain.areas` (no side per area) and `episode.side`. A stored intake is
re-shown by marking its areas on the side it names (on both legs for "both"). While the form is being filled in,
the page's script keeps the drawing exactly as drawn in hidden `pain.drawing` fields ("left:buttock"), so a form
sent back with an error shows the same drawing; those fields are never stored.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

from sciatica_care.reports.body.regions import area_name, areas, pain_map_svg

FIELD = "pain.drawing"
SIDES = ("left", "right")


def from_intake(intake: dict[str, Any] | None) -> tuple[set[str], set[str]]:
    """The marked areas on the left and on the right, from an intake's areas and side."""
    intake = intake or {}
    chosen = {a for a in ((intake.get("pain") or {}).get("areas") or []) if a in areas()}
    side = (intake.get("episode") or {}).get("side")
    left = chosen if side in ("left", "both", None) else set()
    right = chosen if side in ("right", "both", None) else set()
    return set(left), set(right)


def from_form(post: QueryDict, intake: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The drawing as sent with the form: its `pain.drawing` fields where they agree with the ticked areas,
    and each ticked area the drawing does not hold on the side the form names."""
    chosen = {a for a in ((intake.get("pain") or {}).get("areas") or []) if a in areas()}
    drawn: dict[str, set[str]] = {"left": set(), "right": set()}
    for token in post.getlist(FIELD):
        side, _, area = token.partition(":")
        if side in drawn and area in chosen:
            drawn[side].add(area)
    left, right = from_intake(intake)
    for area in chosen - drawn["left"] - drawn["right"]:
        if area in left:
            drawn["left"].add(area)
        if area in right:
            drawn["right"].add(area)
    return drawn["left"], drawn["right"]


def context(left: set[str], right: set[str]) -> dict[str, Any]:
    """What the intake template needs: the figure, the hidden fields and the words under it."""
    svg: SafeString = mark_safe(pain_map_svg(left, right, uid="painmap"))  # noqa: S308 - our own SVG, escaped
    return {
        "svg": svg,
        "tokens": [f"{side}:{a}" for side, chosen in (("left", left), ("right", right))
                   for a in areas() if a in chosen],
        "summary": summary(left, right),
        "order": list(areas()),
    }


def summary(left: set[str], right: set[str]) -> str:
    parts = []
    for side, chosen in (("Left", left), ("Right", right)):
        names = [area_name(a) for a in areas() if a in chosen]
        if names:
            parts.append(f"{side}: {', '.join(names)}")
    return "; ".join(parts) + "." if parts else "Nothing marked yet."
