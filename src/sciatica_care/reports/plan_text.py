"""The plan as text a practitioner reads at the couch: warnings first, then triage, the guideline position,
assessment, each point with side, location and reason, electroacupuncture, hands-on work, home programme and
schedule."""

from __future__ import annotations

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

WIDTH = 100
ROLES = ("local", "distal", "systemic", "balance")


def _wrap(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(text, WIDTH, initial_indent=pad, subsequent_indent=pad) or [pad]


def _cite(sources: list[str]) -> str:
    return f" [{', '.join(sources)}]" if sources else ""


def render_plan(plan: Plan) -> str:
    out: list[str] = []
    title = "SCIATICA CARE — TREATMENT PLAN"
    stamp = f"engine {plan.engine_version} · knowledge {plan.knowledge_version}"
    out += [f"{title}{stamp:>{WIDTH - len(title)}}", "=" * WIDTH]
    out += _warnings(plan)
    out += _triage(plan)
    g = plan.guideline
    if g is not None:
        grade = (g.evidence_grade or "not graded").replace("_", " ")
        out += ["", f"GUIDELINE POSITION (evidence: {grade})"]
        out += _wrap(g.position + _cite(g.sources), 2)
        out += _wrap("Consent: " + g.consent_note, 2)
    out += _assessment(plan.assessment)
    if plan.treatment_allowed:
        out += _acupuncture(plan.acupuncture)
        out += _electro(plan.electroacupuncture)
        out += _hands_on(plan.massage, plan.cupping)
        out += _home(plan.self_care)
        out += _schedule(plan.schedule)
    else:
        why = plan.acupuncture.reasons[0] if plan.acupuncture.reasons else plan.triage.advice
        out += ["", "TREATMENT", *_wrap("None today. " + why, 2)]
    return "\n".join(out) + "\n"


def _warnings(plan: Plan) -> list[str]:
    if not plan.warnings:
        return []
    out = ["", "WARNINGS"]
    for w in plan.warnings:
        out += _wrap(f"! [{w.id}] {w.text}", 2)
    return out


def _triage(plan: Plan) -> list[str]:
    t = plan.triage
    flags = ", ".join(t.red_flags) or "none"
    out = ["", f"TRIAGE: {t.level.upper()} — red flags: {flags}"]
    for f in t.flags:
        how = f" (derived: {f.reason})" if f.derived and f.reason else ""
        out += _wrap(f"- {f.id} [{f.level}]{how}", 2)
    out += _wrap(t.advice, 2)
    return out


def _assessment(a: Assessment) -> list[str]:
    roots = ", ".join(a.nerve_roots) or "no single root"
    channels = ", ".join(a.channels) or "none"
    patterns = ", ".join(a.tcm_patterns) or "no TCM signs recorded"
    out = ["", "ASSESSMENT", f"  Phase: {a.phase}   Nerve roots: {roots}   Channels: {channels}",
           f"  TCM pattern: {patterns}", "  Likely causes:"]
    for i, c in enumerate(a.causes[:3], 1):
        out.append(f"    {i}. {c.name} — {round(c.likelihood * 100)}%")
        out += _wrap("; ".join(c.reasons) or "no specific findings", 7)
    return out


def _acupuncture(acu: Acupuncture) -> list[str]:
    out = ["", f"ACUPUNCTURE — {len(acu.points)} points"]
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
            out += _wrap("Where: " + p.location, 16)
            out += _wrap("Why: " + p.reason + _cite(p.sources), 16)
            for caution in p.cautions:
                out += _wrap("Caution: " + caution, 16)
    if acu.excluded:
        out.append("  Excluded by safety rules")
        for e in acu.excluded:
            where = f" ({e.side})" if e.side else ""
            out += _wrap(f"x {e.code}{where} — {e.rule}: {e.reason}", 4)
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
        out += _wrap(f"- {e.name} — {e.dosage}", 2)
    for held in care.exercises_to_hold_off:
        out += _wrap(f"- hold off {held.name}: {held.reason}", 2)
    for a in care.acupressure:
        lo, hi = a.hold_minutes
        t_lo, t_hi = a.times_per_day
        out += _wrap(f"- Press {a.code} ({a.side or 'both'}) {lo}–{hi} min, {t_lo}–{t_hi}× a day: {a.how}", 2)
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
