"""The practitioner's one-page print: the plan chart on the left, the plan in brief on the right (A4 landscape),
the referral timing and whom to contact at its head.

The text shrinks (down to 5.5 pt) until it fits beside the figure, so the print is always exactly one page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..engine.plan_model import Plan, PlanLike, PlanUnreadable, plan_from
from ..knowledge.model import Knowledge
from ..knowledge.timing import only_as_soon
from .body.figure import chart_svg
from .labels import headed, label
from .letterhead import Letterhead
from .plan_words import (
    WHEN,
    cause_line,
    headline,
    level_word,
    see_within,
    slower,
    weights_note,
    when_words,
)

UNREADABLE = ("The stored plan is missing a safety field or is corrupt, so nothing in it may be used for treatment. "
              "Re-plan from the intake before treating.")
_USUALLY = re.compile(r" \(usually [^)]*\)")
SIZES = (7.6, 7.2, 6.8, 6.4, 6.0, 5.5)
FIG_W = 168.0


def _lines(plan: Plan, k: Knowledge | None = None) -> list[tuple[str, str]]:
    """(style, text) lines: "h" heading, "w" warning, "" plain. The referral timing and contact come first."""
    t = plan.triage
    when = see_within(t)
    out: list[tuple[str, str]] = [("w" if when != "none" or not plan.treatment_allowed else "h", headline(plan))]
    if t.timing:
        out.append(("w" if when != "none" else "", t.timing))
    if t.contact:
        out.append(("", "Contact: " + t.contact))
    out.append(("", f"Triage: {level_word(t)}; red flags: " + (", ".join(label(f, k) for f in t.red_flags) or "none")))
    for f in t.flags:
        why = only_as_soon(f.reason or f.advice.partition(". ")[0], when)
        out.append(("", f"{label(f.id, k)}{when_words(f.see_within, when)}: {why}"))
    for e in t.escalations:
        out.append(("", f"{label(e.id, k)}{when_words(e.see_within, when)}: {only_as_soon(e.reason, when)}"))
    warnings = [(w, only_as_soon(w.text, when)) for w in plan.warnings if w.text != t.advice]
    if any(text for _, text in warnings):
        out.append(("h", "Warnings"))
        for w, text in warnings:
            if text:
                out.append(("w", headed(label(w.id, k), text)))
            signs = [s for s in w.signs if not slower(s.see_within, when)]
            out += [("", f"- {s.text}: {WHEN[s.see_within]}, {s.contact}") for s in signs]
    a = plan.assessment
    out.append(("h", "Assessment"))
    patterns = ", ".join(label(x, k) for x in a.tcm_patterns) or "none recorded"
    out.append(("", f"Phase {a.phase}; roots {', '.join(a.nerve_roots) or 'no single root'}; channels "
                    f"{', '.join(a.channels) or 'none'}; TCM {patterns}"))
    causes = "; ".join(cause_line(c, i) for i, c in enumerate(a.causes[:3], 1))
    out.append(("", f"Causes, ranked by weight: {causes}. {weights_note(plan)}"))
    g = plan.guideline
    if g is not None and plan.treatment_allowed:
        grade = (g.evidence_grade or "not graded").replace("_", " ")
        out.append(("h", f"Guideline ({g.id.upper()}, evidence {grade})"))
        out.append(("", g.position))
    if not plan.treatment_allowed:
        out.append(("h", "Treatment"))
        why = plan.acupuncture.reasons[0] if plan.acupuncture.reasons else plan.triage.advice
        out.append(("w", "No treatment today. " + only_as_soon(why, when)))
        return out
    acu = plan.acupuncture
    cap = f" of a cap of {acu.needle_cap}" if acu.needle_cap is not None else ""
    out.append(("h", f"Acupuncture: {len(acu.points)} points, {acu.needles} needles{cap}"))
    if acu.needle_cap_reason:
        out.append(("", "Cap: " + acu.needle_cap_reason))
    capped = dict.fromkeys(_USUALLY.sub("", p.depth_reason) for p in acu.points if p.depth_reason)
    out += [("w", reason) for reason in capped]
    for p in acu.points:
        d = p.depth_cun or [0, 0]
        depth = f"{d[0]:g}–{d[1]:g} cun" + (" (capped)" if p.depth_reason else "")
        out.append(("", f"{p.code} {p.side} · {p.role} · {depth}" + (f" · {p.cautions[0]}" if p.cautions else "")))
    out += [("", r) for r in acu.reasons]
    if acu.excluded:
        out.append(("h", "Excluded"))
        out += [("", f"{e.code} {e.side or 'both'} — {label(e.rule, k)}: {e.reason}") for e in acu.excluded]
    ea = plan.electroacupuncture
    out.append(("h", "Electroacupuncture"))
    if ea.allowed and ea.pairs:
        pairs = "; ".join(f"{d.points[0]}–{d.points[1]} ({d.side})" for d in ea.pair_details)
        out.append(("", f"{pairs} at {ea.frequency_hz} Hz, {ea.minutes} min"))
    else:
        out.append(("", "Not planned: " + " ".join(ea.reasons)))
    m, c = plan.massage, plan.cupping
    out.append(("h", "Hands-on"))
    if m.allowed:
        names = ", ".join(d.name + (" (gentle)" if d.gentle else "") for d in m.details)
        out.append(("", f"Massage: {names}"))
    else:
        out.append(("", "Massage: not planned. " + " ".join(m.reasons)))
    out.append(("", "Cupping: " + ((c.description or "yes") if c.allowed else "not planned. "
                                   + " ".join(c.reasons))))
    care = plan.self_care
    out.append(("h", "Home programme"))
    out.append(("", f"Heat/ice: {care.thermal.replace('_', ' ')}. Exercises: "
                    f"{', '.join(e.name for e in care.exercise_details) or 'none'}."))
    press = ", ".join(f"{x.code} {x.side or 'both'}" for x in care.acupressure)
    out.append(("", f"Acupressure: {press or 'none'}."))
    s = plan.schedule
    out.append(("h", "Schedule"))
    lo, hi = s.course_sessions
    out.append(("", f"Review after {s.review_after_sessions} sessions; {s.sessions_per_week} a week, course of "
                    f"{lo}–{hi} sessions."))
    return out


def _draw(lines: list[tuple[str, str]], size: float, width: float, x: float) -> Callable[[Any], None]:
    from .pdf import ACCENT, DANGER

    def draw(d: Any) -> None:
        for style, text in lines:
            if style == "h":
                d.ln(size * 0.18)
                d.para(text, size + 1.2, (size + 1.2) * 0.42, "B", width=width, colour=ACCENT, x=x)
            elif style == "p":  # the letterhead: who the print is for and from
                d.para(text, size + 0.6, (size + 0.6) * 0.42, "B", width=width, colour=(43, 43, 43), x=x)
                d.ln(size * 0.18)
            else:
                d.para(text, size, size * 0.42, width=width, colour=DANGER if style == "w" else (43, 43, 43), x=x)
    return draw


def practitioner_pdf(plan: PlanLike, knowledge: Knowledge | None = None,
                     letterhead: Letterhead | None = None) -> bytes:
    """The plan on one landscape A4 page: the chart and the plan in brief, headed by whom it is for and from when
    `letterhead` says.

    `plan` may be the typed plan or its stored JSON; one that does not decode prints as not for treatment."""
    from ..knowledge.load import load_knowledge

    k = knowledge or load_knowledge()
    try:
        typed = plan_from(plan)
    except PlanUnreadable as exc:
        return _unreadable_pdf(str(exc), letterhead)
    return _plan_pdf(typed, k, letterhead)


def _unreadable_pdf(why: str, letterhead: Letterhead | None = None) -> bytes:
    from . import pdf as P

    doc = P.Document("Sciatica Care · treatment plan · unreadable", orientation="L")
    doc.set_title("Treatment plan — NOT FOR TREATMENT")
    doc.set_lang("en")
    doc.add_page()
    if letterhead:
        doc.para(letterhead.line(), 10, 5, "B", colour=P.MUTED)
    doc.para("NOT FOR TREATMENT: this plan cannot be read", 16, 8, "B", colour=P.DANGER)
    doc.para(UNREADABLE + " " + why, 10, 5)
    return bytes(doc.output())


def _plan_pdf(plan: Plan, k: Knowledge, letterhead: Letterhead | None = None) -> bytes:
    from . import pdf as P

    doc = P.Document(f"Sciatica Care · treatment plan · engine {plan.engine_version or '?'} · knowledge "
                     f"{plan.knowledge_version or k.version}", orientation="L")
    doc.set_title("Treatment plan")
    doc.set_lang("en")
    doc.set_margins(10, 10, 10)
    doc.set_auto_page_break(False)
    doc.add_page()
    svg = chart_svg(plan, k, uid="print")
    fw, fh = P.svg_size(svg)
    fig_w = min(FIG_W, (doc.h - 24) * fw / fh)
    doc.svg(svg, doc.l_margin, 10, fig_w)
    x = doc.l_margin + fig_w + 6
    width = doc.w - doc.r_margin - x
    lines = _lines(plan, k)
    if letterhead:
        lines.insert(0, ("p", letterhead.line()))
    room = doc.h - 16 - 10
    chosen = SIZES[-1]
    for size in SIZES:
        if doc.measure(_draw(lines, size, width, doc.l_margin)) <= room:
            chosen = size
            break
    doc.set_xy(x, 10)
    _draw(lines, chosen, width, x)(doc)
    return bytes(doc.output())
