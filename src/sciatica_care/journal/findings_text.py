"""The trigger analysis in plain words: one sentence per result, and the text report of the whole diary.

Association wording only: "on days after you sat more than 6 hours, your leg pain was about 1.8 points higher
(0.9 to 2.7), from 41 days" — never "sitting causes", "triggers your pain" or "makes it worse".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .factors import EARLY_DAYS, FDR_LEVEL, MIN_DAYS_EACH, MIN_DIARY_DAYS

_PAIN = {"leg_nrs": "leg pain", "back_nrs": "back pain"}


def _signed(value: float) -> str:
    text = f"{abs(value):.1f}"
    return f"−{text}" if round(value, 1) < 0 else text


def sentence(opener: str, outcome: str, lag: int, effect: float | None, ci: tuple[float, float] | None,
             n_with: int, n_without: int, finding: str, diary_days: int, medication: bool) -> str:
    """The plain-words sentence for one result."""
    pain = _PAIN[outcome]
    if effect is None or ci is None:
        if diary_days < MIN_DIARY_DAYS:
            return (f"Not enough data yet: the diary has {diary_days} day{'s' if diary_days != 1 else ''} "
                    f"and needs at least {MIN_DIARY_DAYS}.")
        return (f"{opener}: not enough data yet for your {pain} ({n_with} days with, {n_without} without; "
                f"at least {MIN_DAYS_EACH} of each are needed).")
    size = abs(round(effect, 1))
    if size == 0:
        change = "about the same"
    else:
        change = f"about {size:.1f} point{'s' if size != 1 else ''} {'higher' if effect > 0 else 'lower'}"
    text = f"{opener}, your {pain} was {change} ({_signed(ci[0])} to {_signed(ci[1])}), from {n_with + n_without} days."
    if finding in ("trigger", "relief"):
        text += " A clear pattern in your diary, though not proof that one causes the other."
        if medication and finding == "trigger":
            text += " Medicine is often taken because the pain is already worse."
        if diary_days < EARLY_DAYS:
            text += f" Early days: the diary has fewer than {EARLY_DAYS} days so far."
    else:
        text += " No clear difference: this could be chance."
    return text


def render_text(analysis: Mapping[str, Any]) -> str:
    """The whole analysis for people: what stands out first, then the rest, then how it was worked out."""
    results = analysis["factors"]
    days = analysis["days"]
    clear = [r for r in results if r["finding"] in ("trigger", "relief")]
    unclear = [r for r in results if r["finding"] == "no_clear_effect"]
    waiting = [r for r in results if r["finding"] == "not_enough_data"]
    lines = [f"Diary: {days} day{'s' if days != 1 else ''}.", ""]
    if clear:
        lines.append("Stands out:")
        lines.extend(f"  - {r['text']}" for r in clear)
    else:
        lines.append("Nothing stands out yet.")
    if unclear:
        lines += ["", "No clear difference:"]
        lines.extend(f"  - {r['text']}" for r in unclear)
    if waiting:
        lines += ["", "Not enough data yet:"]
        if days < MIN_DIARY_DAYS:
            lines.append(f"  - {waiting[0]['text']}")
        else:
            lines.extend(f"  - {r['text']}" for r in waiting)
    tested = len(clear) + len(unclear)
    lines += [
        "",
        "These are patterns within this diary, not causes: pain can change what a person does as well as the other "
        "way round.",
        f"Ranges are 95 % intervals; with {tested} comparison{'s' if tested != 1 else ''} made, a difference counts "
        f"as clear only after a Benjamini–Hochberg correction (false discovery rate {FDR_LEVEL:.0%}).",
    ]
    return "\n".join(lines)
