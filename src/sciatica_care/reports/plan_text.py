"""The plan as text a practitioner reads at the couch.

First a one-screen summary (at most 40 lines of 100 columns): how soon the patient must see a doctor and whom to
contact, then what is held back and why, the points by body region with sides and the needle count, e-stim,
massage, the home programme and the next review. A plan whose treatment is withheld summarises only the timing,
the contact and the reasons. Below it the full detail: warnings (with their warning signs, timing and contact),
triage, the guideline position, assessment (causes ranked by weight), each point with side, depth, location and
reason, electroacupuncture, hands-on work, home programme and schedule.
"""

from __future__ import annotations

import re
import textwrap

from ..engine.plan_model import (
    Acupuncture,
    Assessment,
    Cupping,
    Electroacupuncture,
    Massage,
    Plan,
    Schedule,
    SelfCare,
)
from ..knowledge.model import Knowledge
from ..knowledge.timing import only_as_soon
from .labels import headed
from .labels import label as _name
from .plan_words import (
    GROUP_ORDER,
    REGION_GROUP,
    WHEN,
    cause_line,
    headline,
    level_word,
    needle_line,
    see_within,
    slower,
    weights_note,
    when_words,
)

WIDTH = 100
SUMMARY_LINES = 40
ROLES = ("local", "distal", "systemic", "balance")
RULE_LINE = "-" * WIDTH
_USUALLY = re.compile(r" \(usually [^)]*\)")


def _wrap(text: str, indent: int, subsequent: int | None = None) -> list[str]:
    pad = " " * indent
    more = " " * (indent if subsequent is None else subsequent)
    return textwrap.wrap(text, WIDTH, initial_indent=pad, subsequent_indent=more) or [pad]


def _lines(text: str, indent: int, subsequent: int, most: int) -> list[str]:
    """The text wrapped to at most `most` lines, the last cut with an ellipsis when it runs on."""
    lines = _wrap(text, indent, subsequent)
    if len(lines) <= most:
        return lines
    last = lines[most - 1].rstrip()
    if len(last) + 2 > WIDTH:
        last = last[: WIDTH - 2].rstrip()
    return [*lines[: most - 1], last + " …"]


def _one(text: str, indent: int = 2) -> str:
    """The text on one line of the summary (cut with an ellipsis; the full text is in the detail below)."""
    line = " " * indent + " ".join(text.split())
    return line if len(line) <= WIDTH else line[: WIDTH - 1].rstrip() + "…"


def _cite(sources: list[str]) -> str:
    return f" [{', '.join(sources)}]" if sources else ""


def render_plan(plan: Plan, knowledge: Knowledge | None = None) -> str:
    """The summary, then the full plan."""
    out: list[str] = []
    title = "SCIATICA CARE — TREATMENT PLAN"
    stamp = f"engine {plan.engine_version} · knowledge {plan.knowledge_version}"
    out += [f"{title}{stamp:>{WIDTH - len(title)}}", "=" * WIDTH]
    out += summary(plan, knowledge)
    out += ["", RULE_LINE, "FULL PLAN", RULE_LINE]
    out += _warnings(plan)
    out += _triage(plan)
    if plan.treatment_allowed:
        g = plan.guideline
        if g is not None:
            grade = (g.evidence_grade or "not graded").replace("_", " ")
            out += ["", f"GUIDELINE POSITION (evidence: {grade})"]
            out += _wrap(g.position + _cite(g.sources), 2)
            if g.consent_note:
                out += _wrap("Consent: " + g.consent_note, 2)
    out += _assessment(plan.assessment, plan)
    if plan.treatment_allowed:
        out += _acupuncture(plan.acupuncture)
        out += _electro(plan.electroacupuncture)
        out += _hands_on(plan.massage, plan.cupping)
        out += _home(plan.self_care)
        out += _schedule(plan.schedule)
    else:
        why = plan.acupuncture.reasons[0] if plan.acupuncture.reasons else plan.triage.advice
        out += ["", "TREATMENT", *_wrap("No treatment today. " + only_as_soon(why, see_within(plan.triage)), 2)]
    return "\n".join(out) + "\n"


# ── the one-screen summary ───────────────────────────────────────────────────────────────────────────────


def summary(plan: Plan, knowledge: Knowledge | None = None) -> list[str]:
    """The one-screen summary (at most SUMMARY_LINES lines, none wider than WIDTH): the timing first."""
    t = plan.triage
    out = [headline(plan)]
    if t.timing:
        out.append(_one(t.timing))
    if t.contact:
        out += _wrap("Contact: " + t.contact, 2, 11)[:2]
    if not plan.treatment_allowed:
        out += _why_withheld(plan)
        return _fit(out)
    flags = ", ".join(_name(f) for f in t.red_flags) or "none"
    out.append(_one(f"Triage: {level_word(t)}; red flags: {flags}"))
    held = _held_back(plan)
    if held:
        out.append("HELD BACK")
        out += held if len(held) <= 10 else [*held[:9], f"  … {len(held) - 9} more in the full plan below"]
    out += _points_by_region(plan, knowledge)
    out += _summary_rest(plan)
    return _fit(out)


def _fit(lines: list[str]) -> list[str]:
    """At most SUMMARY_LINES lines (the order puts what matters first)."""
    if len(lines) <= SUMMARY_LINES:
        return lines
    return [*lines[: SUMMARY_LINES - 1], "  … more in the full plan below"]


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + (dot.strip() or "")


def _why_withheld(plan: Plan) -> list[str]:
    t = plan.triage
    when = see_within(t)
    out = ["WHY"]
    for f in t.flags:
        timing = f" ({WHEN[f.see_within]})" if f.see_within and not slower(f.see_within, when) else ""
        why = f.reason if f.derived and f.reason else _first_sentence(f.advice)
        out += _wrap(f"- {_name(f.id)}{timing}: {only_as_soon(why, when) or f.group or 'red flag'}", 2, 4)[:3]
    for e in t.escalations:
        timing = f" ({WHEN[e.see_within]})" if e.see_within and not slower(e.see_within, when) else ""
        why = only_as_soon(e.reason or _first_sentence(e.advice or ""), when) or "a finding that raised the triage"
        out += _wrap(f"- {_name(e.id)}{timing}: {why}", 2, 4)[:3]
    if len(out) == 1:
        why = plan.acupuncture.reasons[0] if plan.acupuncture.reasons else t.advice
        out += _wrap(only_as_soon(why, when), 2)[:4]
    return out


def _held_back(plan: Plan) -> list[str]:
    out: list[str] = []
    for name, allowed, reasons in (("Electroacupuncture", plan.electroacupuncture.allowed,
                                    plan.electroacupuncture.reasons),
                                   ("Massage", plan.massage.allowed, plan.massage.reasons),
                                   ("Cupping", plan.cupping.allowed, plan.cupping.reasons)):
        if not allowed:
            out.append(_one(f"- {name}: {reasons[0] if reasons else 'not planned'}"))
    if plan.massage.allowed:
        out += [_one(f"- Massage, not today: {r}") for r in plan.massage.reasons]
    by_rule: dict[str, list[str]] = {}
    reason_of: dict[str, str] = {}
    for e in plan.acupuncture.excluded:
        by_rule.setdefault(e.rule, []).append(f"{e.code} {e.side or 'both'}")
        reason_of.setdefault(e.rule, e.reason)
    for rule, codes in by_rule.items():
        out.append(_one(f"x {', '.join(codes)} — {_name(rule)}: {reason_of[rule]}"))
    out += [_one(f"- {r}") for r in plan.acupuncture.reasons]
    out += [_one(f"- Hold off {h.name}: {h.reason}") for h in plan.self_care.exercises_to_hold_off]
    return out


def _points_by_region(plan: Plan, knowledge: Knowledge | None) -> list[str]:
    acu = plan.acupuncture
    out = [_one(f"NEEDLES: {needle_line(acu)}", 0)]
    if not acu.points:
        return out
    from ..engine.rulebook import rulebook

    book = rulebook(knowledge)
    groups: dict[str, list[str]] = {}
    for p in acu.points:
        point = book.point(p.code)
        group = REGION_GROUP[point.region] if point is not None else "Other"
        groups.setdefault(group, []).append(f"{p.code} {p.side}")
    for group in GROUP_ORDER:
        if group in groups:
            out += _wrap(f"{group:<13} {', '.join(groups[group])}", 2, 16)
    capped = dict.fromkeys(_USUALLY.sub("", p.depth_reason) for p in acu.points if p.depth_reason)
    out += [_one(r) for r in list(capped)[:2]]
    return out


def _summary_rest(plan: Plan) -> list[str]:
    out: list[str] = []
    ea = plan.electroacupuncture
    if ea.allowed and ea.pair_details:
        pairs = "; ".join(f"{d.points[0]}–{d.points[1]} ({d.side})" for d in ea.pair_details)
        out += _wrap(f"E-STIM: {pairs} · {ea.frequency_hz} Hz, {ea.minutes} min", 0, 8)[:2]
    m = plan.massage
    if m.allowed:
        names = ", ".join(d.name + (" (gentle)" if d.gentle else "") for d in m.details) or ", ".join(m.techniques)
        out += _wrap(f"MASSAGE: {names}" + (f" · {m.frequency}" if m.frequency else ""), 0, 9)[:2]
    c = plan.cupping
    if c.allowed:
        out.append(_one("CUPPING: " + (", ".join(c.sites) or c.description or "as described below"), 0))
    care = plan.self_care
    exercises = ", ".join(e.name for e in care.exercise_details) or ", ".join(care.exercises) or "none"
    press = ", ".join(f"{a.code} {a.side or 'both'}" for a in care.acupressure) or "none"
    out += _lines(f"HOME: {care.thermal.replace('_', ' ')}; exercises: {exercises}; press: {press}", 0, 6, 2)
    s = plan.schedule
    lo, hi = s.course_sessions
    out.append(_one(f"REVIEW: after {s.review_after_sessions} sessions · {s.sessions_per_week} a week, "
                    f"course of {lo}–{hi}", 0))
    ids = [_name(w.id) for w in plan.warnings]
    if ids:
        out += _wrap("WARNINGS (in full below): " + ", ".join(ids), 0, 2)[:2]
    signs = sum(len(w.signs) for w in plan.warnings)
    if signs:
        out.append(f"WARNING SIGNS to give the patient: {signs}, with when and whom to contact (below)")
    return out


# ── the full plan ────────────────────────────────────────────────────────────────────────────────────────


def _warnings(plan: Plan) -> list[str]:
    """The warnings, each with its warning signs (when, whom to contact). A sentence or sign that names a slower
    timing than the plan's referral is left out: it was written for a case that is not this one (a note on
    weakness that "needs a doctor the same day" in a plan that sends the patient to the emergency department)."""
    when = see_within(plan.triage)
    out: list[str] = []
    for w in plan.warnings:
        if w.text == plan.triage.advice:
            continue  # the triage section says it
        text = only_as_soon(w.text, when)
        if not text:
            continue
        out += _wrap("! " + headed(_name(w.id), text), 2, 4)
        for sign in w.signs:
            if not slower(sign.see_within, when):
                out += _wrap(f"- {sign.text} → {WHEN[sign.see_within]}: {sign.contact}", 6, 8)
    return ["", "WARNINGS", *out] if out else []


def _triage(plan: Plan) -> list[str]:
    t = plan.triage
    when = see_within(t)
    flags = ", ".join(_name(f) for f in t.red_flags) or "none"
    out = ["", f"TRIAGE: {level_word(t)} — red flags: {flags}"]
    if t.timing:
        out += _wrap("Timing: " + t.timing, 2, 4)
    if t.contact:
        out += _wrap("Contact: " + t.contact, 2, 4)
    out += _wrap(t.advice, 2)
    for f in t.flags:
        how = f" (derived: {only_as_soon(f.reason, when)})" if f.derived and f.reason else ""
        out += _wrap(f"- {_name(f.id)}{when_words(f.see_within, when)}{how}", 2, 4)
        if f.advice:
            out += _wrap(only_as_soon(f.advice, when), 4)
    for e in t.escalations:
        out += _wrap(f"- {_name(e.id)}{when_words(e.see_within, when)}: {only_as_soon(e.reason, when)}", 2, 4)
        if e.advice:
            out += _wrap(only_as_soon(e.advice, when), 4)
        if e.contact and e.contact != t.contact and not slower(e.see_within, when):
            out += _wrap("Contact: " + e.contact, 4)
    return out


def _assessment(a: Assessment, plan: Plan) -> list[str]:
    roots = ", ".join(a.nerve_roots) or "no single root"
    channels = ", ".join(a.channels) or "none"
    patterns = ", ".join(_name(x) for x in a.tcm_patterns) or "no TCM signs recorded"
    out = ["", "ASSESSMENT", f"  Phase: {a.phase}   Nerve roots: {roots}   Channels: {channels}",
           f"  TCM pattern: {patterns}", "  Likely causes, ranked by weight:"]
    out += _wrap(weights_note(plan), 4)
    for i, c in enumerate(a.causes[:3], 1):
        out.append("    " + cause_line(c, i))
        out += _wrap("; ".join(c.reasons) or "no specific findings", 7)
    return out


def _acupuncture(acu: Acupuncture) -> list[str]:
    out = ["", f"ACUPUNCTURE — {len(acu.points)} points, {needle_line(acu)}"]
    out += [line for r in acu.reasons for line in _wrap(r, 2)]
    for role in ROLES:
        chosen = [p for p in acu.points if p.role == role]
        if not chosen:
            continue
        out.append(f"  {role.capitalize()}")
        for p in chosen:
            depth = p.depth_cun
            depth_text = f"   depth {depth[0]:g}–{depth[1]:g} cun" if depth else ""
            out.append(f"    {p.code:<11} {p.side.upper():<8} {p.name}{depth_text}")
            if p.depth_reason:
                out += _wrap("Depth: " + p.depth_reason, 16)
            out += _wrap("Where: " + p.location, 16)
            out += _wrap("Why: " + p.reason + _cite(p.sources), 16)
            for caution in p.cautions:
                out += _wrap("Caution: " + caution, 16)
    if acu.excluded:
        out.append("  Excluded by safety rules")
        for e in acu.excluded:
            where = f" ({e.side})" if e.side else ""
            out += _wrap(f"x {e.code}{where} — {_name(e.rule)}: {e.reason}", 4)
    return out


def _electro(ea: Electroacupuncture) -> list[str]:
    if not ea.allowed:
        return ["", "ELECTROACUPUNCTURE — not planned", *[x for r in ea.reasons for x in _wrap(r, 2)]]
    out = ["", f"ELECTROACUPUNCTURE — {ea.frequency_hz} Hz, {ea.minutes} minutes"]
    for d in ea.pair_details:
        out += _wrap(f"{d.points[0]} – {d.points[1]} ({d.side}): {d.reason}{_cite(d.sources)}", 2)
    if ea.frequency_reason:
        out += _wrap("Frequency: " + (ea.frequency_reason or "") + _cite(ea.sources), 2)
    out += [x for r in ea.reasons for x in _wrap(r, 2)]
    return out


def _hands_on(massage: Massage, cupping: Cupping) -> list[str]:
    out = [""]
    if massage.allowed:
        out.append(f"MASSAGE — {massage.frequency or ''}")
        for d in massage.details:
            gentle = " (gentle only)" if d.gentle else ""
            out += _wrap(f"- {d.name}{gentle}: {d.description}", 2)
        out += [x for c in massage.cautions for x in _wrap("Caution: " + c, 2)]
        out += [x for r in massage.reasons for x in _wrap("Not today: " + r, 2)]
    else:
        out += ["MASSAGE — not planned", *[x for r in massage.reasons for x in _wrap(r, 2)]]
    if cupping.allowed:
        out += ["CUPPING", *_wrap((cupping.description or "") + _cite(cupping.sources), 2)]
    else:
        out += ["CUPPING — not planned", *[x for r in cupping.reasons for x in _wrap(r, 2)]]
    return out


def _home(care: SelfCare) -> list[str]:
    out = ["", "HOME PROGRAMME", f"  Heat or ice: {care.thermal.replace('_', ' ')}"]
    if care.thermal_advice:
        out += _wrap(care.thermal_advice.advice, 4)
    for e in care.exercise_details:
        out += _wrap(f"- {e.name} — {e.dosage}", 2, 4)
        if e.adapted:
            out += _wrap(f"Adapted ({_name(e.adapted.rule)}): {e.adapted.reason}", 4)
    for held in care.exercises_to_hold_off:
        out += _wrap(f"- hold off {held.name}: {held.reason}", 2, 4)
    for a in care.acupressure:
        lo, hi = a.hold_minutes
        t_lo, t_hi = a.times_per_day
        out += _wrap(f"- Press {a.code} ({a.side or 'both'}) {lo}–{hi} min, {t_lo}–{t_hi}× a day: {a.how}", 2, 4)
        if a.adapted:
            out += _wrap(f"Adapted ({_name(a.adapted.rule)}): {a.adapted.reason}", 4)
    for g in care.ergonomic_details:
        out += _wrap(f"- {g.name}: {g.advice}", 2)
    return out


def _schedule(s: Schedule) -> list[str]:
    lo, hi = s.course_sessions
    out = ["", f"SCHEDULE — {s.sessions_per_week} a week, course of {lo}–{hi} sessions, "
               f"review after {s.review_after_sessions}"]
    out += [x for r in s.reasons for x in _wrap(r, 2)]
    for p in s.phases:
        out += _wrap(f"Weeks {p.weeks}: {p.goal}", 2)
    if s.taper:
        out += _wrap("Taper: " + s.taper, 2)
    return out
