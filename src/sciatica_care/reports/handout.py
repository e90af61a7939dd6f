"""The patient handout, as HTML and as PDF: the home programme from the plan, the warning signs, the guideline.

`build_handout(intake, plan, knowledge)` gathers what the handout says (a `Handout`); `handout_html` and
`handout_pdf` lay it out. Everything clinical comes from the plan and the knowledge base. Page one opens with the
referral timing in plain words (`triage.patient_timing`, where to go, the patient advice and what was found),
before the title; then the warning signs grouped by how soon to act (each red flag's `see_within` in the
knowledge, never its level), the pregnancy warning signs with the maternity contact for a pregnant patient, then
the home programme: the acupressure points with a picture each (where, how, how long, how often), heat or ice,
each exercise with a picture and its dosage (the version the plan carries, such as the one without lying on the
back), the ergonomics, and the guideline position (NICE NG59).

Timing: no sentence on the sheet states a slower timing than the plan's `triage.see_within`. A group of signs
slower than the plan's timing is left out (the patient is seeing a doctor sooner anyway, and is told to mention
any other change); a pregnancy sign slower than it is listed without a timing.

The home programme's content is `home_programme.build_programme`, which the patient's web page shares.

Pregnancy: the engine already leaves points forbidden in pregnancy out of a pregnant patient's plan. The handout
checks again and refuses (`UnsafeHandout`) rather than print one, whenever the intake says the patient is
pregnant or the plan shows a pregnancy rule at work (pregnancy possible but not recorded).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from ..engine.plan_model import Plan, PlanLike, PlanUnreadable, plan_from
from ..knowledge.model import Knowledge
from ..knowledge.timing import SEE_WITHIN, URGENCY, slower_than
from .home_programme import (
    ADAPTED_NOTE,
    FIRST_TRIMESTER_NOTE,
    NO_LYING_NOTE,
    NO_PROGRAMME,
    PREGNANCY_NOTE,
    THERMAL_WORDS,
    UNCHECKED_NOTE,
    Programme,
    build_programme,
)
from .home_programme import UnsafeProgramme as UnsafeHandout
from .letterhead import Letterhead

TITLE = "Your home programme for sciatica"
INTRO = ("This sheet is yours to keep. It shows what to do at home between visits and the warning signs that "
         "mean you must get help. Bring it with you when you come.")
TITLE_WITHHELD = "Please see a doctor before any treatment"
INTRO_WITHHELD = "This sheet is yours to keep. It says why we are not treating you yet and which warning signs " \
                 "mean you must get help."


#: How soon, in the patient's words, for a group heading (most urgent first).
WHEN_HEADING = {
    "now": "Go to an emergency department now (call 999 if you cannot get there safely) if you notice",
    "same_day": "See a doctor today (a same-day GP appointment, or NHS 111) if you notice",
    "two_weeks": "See your GP within two weeks if you notice",
}
WHEN_WORD = {"now": "now", "same_day": "today", "two_weeks": "within two weeks"}
OTHER_CHANGES = "Tell the doctor who sees you about any other change in your symptoms."
PREGNANCY_SIGNS_INTRO = "Because you are pregnant, also look out for these signs."
#: The knowledge's contacts are written for the practitioner; these turn them to the patient (a contact that still
#: speaks of "the patient" afterwards is left off the sheet rather than shown wrongly).
_YOU = (("The patient's", "Your"), ("the patient's", "your"), ("their cancer team", "your cancer team"),
        ("the patient looks septic", "you feel very unwell"), ("the patient becomes", "you become"),
        ("or has chest pain", "or have chest pain"), ("the patient cannot", "you cannot"))


def contact_for_patient(contact: str | None) -> str | None:
    """The practitioner's contact line in the patient's words, or None when it cannot be said to the patient."""
    if not contact:
        return None
    for old, new in _YOU:
        contact = contact.replace(old, new)
    return None if re.search(r"\bpatient|\bthey\b(?! cannot be reached)", contact) else contact


@dataclass(frozen=True)
class SignGroup:
    """Warning signs that need the same action: how soon (`see_within`, None for "no timing stated"), the heading
    that says what to do, and the signs."""

    see_within: str | None
    heading: str
    signs: tuple[str, ...]


__all__ = ["FIRST_TRIMESTER_NOTE", "OTHER_CHANGES", "Handout", "SignGroup", "UnsafeHandout", "build_handout",
           "contact_for_patient", "handout_html", "handout_pdf", "pregnancy_sign_groups", "sign_groups"]


@dataclass(frozen=True)
class Handout:
    withheld: bool
    triage_level: str
    triage_text: str
    pregnant: bool
    see_within: str | None
    timing: str
    where: str | None
    findings: tuple[str, ...]
    sign_groups: tuple[SignGroup, ...]
    other_changes: bool
    pregnancy_signs: tuple[SignGroup, ...]
    programme: Programme
    guideline: str
    versions: str


UNREADABLE_TEXT = ("We could not read your treatment plan, so it must not be used for treatment. Please ask your "
                   "practitioner for a new plan before any treatment or home programme.")


def _floor(see_within: str | None) -> str:
    return see_within if see_within in URGENCY else "none"


def sign_groups(k: Knowledge, see_within: str | None) -> tuple[tuple[SignGroup, ...], bool]:
    """Every red flag's patient text grouped by its `see_within` in the knowledge (most urgent first), leaving
    out the groups slower than the plan's timing; and whether any were left out."""
    floor = URGENCY[_floor(see_within)]
    groups: list[SignGroup] = []
    dropped = False
    for when in SEE_WITHIN:
        texts = tuple(f.patient_text for f in k.triage.flags if f.see_within == when)
        if not texts or when == "none":
            continue
        if URGENCY[when] < floor:
            dropped = True
            continue
        groups.append(SignGroup(when, WHEN_HEADING[when], texts))
    return tuple(groups), dropped


def pregnancy_sign_groups(plan: Plan) -> tuple[SignGroup, ...]:
    """The plan's pregnancy warning signs grouped by how soon and whom to contact (most urgent first); a group
    slower than the plan's own timing keeps its contact but states no timing."""
    floor = URGENCY[_floor(plan.triage.see_within)]
    keyed: dict[tuple[str, str], list[str]] = {}
    for w in plan.warnings:
        for sign in w.signs:
            keyed.setdefault((sign.see_within, sign.contact), []).append(sign.text)
    out: list[SignGroup] = []
    for (when, contact), texts in sorted(keyed.items(), key=lambda kv: -URGENCY[kv[0][0]]):
        timed = URGENCY[when] >= floor and when in WHEN_WORD
        verb = f"Call {contact}" if contact.replace(" ", "").isdigit() else f"Contact your {contact}"
        heading = f"{verb} {WHEN_WORD[when]} if you have" if timed else f"{verb} if you have"
        out.append(SignGroup(when if timed else None, heading, tuple(texts)))
    return tuple(out)


def _findings(plan: Plan) -> tuple[str, ...]:
    """What was found that sets the timing, in the patient's words (none slower than the plan's timing)."""
    floor = _floor(plan.triage.see_within)
    texts = [e.patient_text for e in plan.triage.escalations if e.patient_text]
    texts += [f.patient_text for f in plan.triage.flags if f.patient_text]
    seen: list[str] = []
    for t in texts:
        if t not in seen and not slower_than(t, floor):
            seen.append(t)
    return tuple(seen)


def _unreadable(intake: Mapping[str, Any], k: Knowledge) -> Handout:
    """The sheet for a stored plan that cannot be read (a safety field missing, a corrupt body): not for treatment,
    no home programme, the warning signs still shown."""
    groups, dropped = sign_groups(k, None)
    return Handout(
        withheld=True, triage_level="unknown", triage_text=UNREADABLE_TEXT,
        pregnant=(intake.get("patient") or {}).get("pregnant") is True,
        see_within=None, timing="Your plan could not be read: no treatment until you have a new one.", where=None,
        findings=(), sign_groups=groups, other_changes=dropped, pregnancy_signs=(), programme=NO_PROGRAMME,
        guideline=k.guideline.position,
        versions=f"Sciatica Care · knowledge {k.version} · plan unreadable",
    )


def build_handout(intake: Mapping[str, Any], plan: PlanLike | None = None,
                  knowledge: Knowledge | None = None) -> Handout:
    """What the handout for this intake says; raises InputRefused on bad input, UnsafeHandout (see above).

    `plan` may be the typed plan or its stored JSON; a stored plan that does not decode gives the not-for-treatment
    sheet, never a home programme."""
    from ..engine.plan import build_plan
    from ..knowledge.load import load_knowledge

    k = knowledge or load_knowledge()
    try:
        typed = build_plan(intake, k) if plan is None else plan_from(plan)
    except PlanUnreadable:
        return _unreadable(intake, k)
    programme = build_programme(intake, typed, k)
    triage = typed.triage
    groups, dropped = sign_groups(k, triage.see_within)
    return Handout(
        withheld=not typed.treatment_allowed,
        triage_level=triage.level,
        triage_text=triage.patient_advice,
        pregnant=(intake.get("patient") or {}).get("pregnant") is True,
        see_within=triage.see_within,
        timing=triage.patient_timing or _fallback_timing(triage.level),
        where=contact_for_patient(triage.contact),
        findings=_findings(typed),
        sign_groups=groups,
        other_changes=dropped,
        pregnancy_signs=pregnancy_sign_groups(typed),
        programme=programme,
        guideline=typed.guideline.position if typed.guideline else k.guideline.position,
        versions=f"Sciatica Care · engine {typed.engine_version or '?'} · knowledge "
                 f"{typed.knowledge_version or k.version}",
    )


def _fallback_timing(level: str) -> str:
    """A plan stored before the engine gave timings: say what its level means, never slower."""
    if level == "emergency":
        return "Go to an emergency department now, within hours."
    if level == "urgent":
        return "See a doctor today."
    return "You do not need to see a doctor about this today."


# ------------------------------------------------------------------------------------------------ HTML

_CSS = """
:root { --ink:#2b2b2b; --muted:#6b6259; --accent:#1d5e78; --danger:#b3261e; --soft:#f6f2ed; --rule:#e2dbd3; }
* { box-sizing: border-box; }
body { font: 15px/1.5 Helvetica, Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 820px;
       padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; color: var(--accent); }
h2 { font-size: 19px; color: var(--accent); border-bottom: 1px solid var(--rule); padding-bottom: 4px;
     margin: 28px 0 12px; }
h3 { font-size: 16px; margin: 0 0 4px; }
.intro { color: var(--muted); margin: 0 0 16px; }
.warning { border: 2px solid var(--danger); background: #fdecea; border-radius: 8px; padding: 12px 16px; }
.warning h2 { color: var(--danger); border: 0; margin: 0 0 6px; }
.warning h3 { color: var(--danger); margin-top: 10px; }
.warning ul { margin: 4px 0 0 18px; padding: 0; }
.timing { border: 1px solid var(--rule); background: var(--soft); border-radius: 8px; padding: 10px 16px;
          margin: 0 0 16px; }
.timing .when { font-size: 20px; font-weight: bold; color: var(--accent); margin: 0 0 6px; }
.timing.urgent { border: 3px solid var(--danger); background: #fdecea; }
.timing.urgent .when { font-size: 24px; color: var(--danger); }
.timing ul.found { margin: 4px 0 0 18px; padding: 0; }
.pregnancy-signs { border-top: 1px solid #e7b8b4; margin-top: 12px; padding-top: 4px; }
.adapted { font-style: italic; color: var(--muted); }
.item { display: flex; gap: 16px; align-items: flex-start; padding: 12px 0; border-bottom: 1px solid var(--rule);
        break-inside: avoid; }
.item figure { margin: 0; flex: 0 0 auto; }
.item figure svg { display: block; height: auto; }
.press figure svg { width: 210px; }
.exercise figure svg { width: 220px; }
.dose { font-weight: bold; color: var(--accent); margin: 4px 0; }
.note { background: var(--soft); border-radius: 6px; padding: 10px 14px; }
.thermal { display: flex; gap: 16px; align-items: center; }
dl.ergo dt { font-weight: bold; margin-top: 8px; }
dl.ergo dd { margin: 2px 0 0; }
.letterhead { color: var(--muted); font-weight: bold; margin: 0 0 12px; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; border-top: 1px solid var(--rule);
         padding-top: 8px; }
@media print { body { max-width: none; padding: 0; font-size: 11pt; } h2 { break-after: avoid; }
               @page { size: A4; margin: 14mm; } }
@media (max-width: 520px) { .item, .thermal { flex-direction: column; }
                            .press figure svg, .exercise figure svg { width: 100%; max-width: 240px; } }
"""


def _p(text: str, cls: str | None = None) -> str:
    return f'<p class="{cls}">{escape(text)}</p>' if cls else f"<p>{escape(text)}</p>"


def _timing_html(h: Handout) -> str:
    """The first thing on the sheet: how soon to see a doctor, where, and why."""
    urgent = h.see_within in ("now", "same_day", "two_weeks") or h.triage_level not in ("routine",)
    cls = "timing urgent" if urgent else "timing"
    where = f'<p class="where"><strong>Where to go:</strong> {escape(h.where)}</p>' if h.where else ""
    found = ""
    if h.findings:
        found = '<ul class="found">' + "".join(f"<li>{escape(t)}</li>" for t in h.findings) + "</ul>"
    return (f'<section class="{cls}" aria-labelledby="timing" data-see-within="{escape(h.see_within or "")}">'
            f'<p class="when" id="timing">{escape(h.timing)}</p>{where}{_p(h.triage_text)}{found}</section>')


def _groups_html(groups: tuple[SignGroup, ...]) -> str:
    return "".join(
        f'<h3 data-see-within="{escape(g.see_within or "")}">{escape(g.heading)}:</h3><ul>'
        + "".join(f"<li>{escape(t)}</li>" for t in g.signs) + "</ul>"
        for g in groups)


def _warnings_html(h: Handout) -> str:
    other = _p(OTHER_CHANGES) if h.other_changes else ""
    preg = ""
    if h.pregnancy_signs:
        preg = (f'<div class="pregnancy-signs"><h3>{escape(PREGNANCY_SIGNS_INTRO)}</h3>'
                f"{_groups_html(h.pregnancy_signs)}</div>")
    return (f'<section class="warning" aria-labelledby="warn"><h2 id="warn">Warning signs: when to get help</h2>'
            f"{_groups_html(h.sign_groups)}{other}{preg}</section>")


def _programme_html(g: Programme) -> list[str]:
    out: list[str] = []
    if g.pregnant:
        out.append(_p(PREGNANCY_NOTE, "note"))
    if g.first_trimester:
        out.append(_p(FIRST_TRIMESTER_NOTE, "note"))
    out.append("<h2>Heat or ice</h2>")
    fig = f"<figure>{g.thermal_figure}</figure>" if g.thermal_figure else ""
    out.append(f'<div class="thermal">{fig}<div><h3>{escape(THERMAL_WORDS.get(g.thermal, g.thermal))}</h3>'
               f"{_p(g.thermal_text or '')}</div></div>")
    if g.points:
        out.append("<h2>Pressure points (acupressure)</h2>")
        if g.heat_first:
            out.append(_p(g.heat_first.text, "note heat-first"))
        out.append(_p(g.press_how or ""))
        if g.press_adapted:
            out.append(_p(NO_LYING_NOTE, "note"))
        for pt in g.points:
            tool = f"<p>You will need: {escape(pt.tool)}.</p>" if pt.tool else ""
            both = "<p>Press the same point on both sides.</p>" if pt.side == "both" else ""
            adapted = _p(ADAPTED_NOTE, "adapted") if pt.code in g.press_adapted else ""
            unchecked = "" if pt.location_checked else _p(UNCHECKED_NOTE, "adapted")
            out.append(f'<div class="item press"><figure>{pt.figure}</figure><div>'
                       f"<h3>{escape(pt.code)} ({escape(pt.name)}): {escape(pt.where)}</h3>"
                       f'<p class="dose">{escape(pt.dose)}</p>{_p(pt.how)}{unchecked}{adapted}{tool}{both}</div></div>')
    elif g.reasons:
        out.append("<h2>Pressure points (acupressure)</h2>" + "".join(_p(r) for r in g.reasons))
    if g.exercises:
        out.append("<h2>Exercises</h2>")
        for ex in g.exercises:
            out.append(f'<div class="item exercise"><figure>{ex.figure}</figure><div><h3>{escape(ex.name)}</h3>'
                       f'<p class="dose">{escape(ex.dosage)}</p>{_p(ex.instructions)}'
                       f'{_p(ADAPTED_NOTE, "adapted") if ex.adapted else ""}</div></div>')
    if g.hold_off:
        out.append("<h3>Not for now</h3><ul>" + "".join(
            f"<li><strong>{escape(a.name)}</strong>: {escape(a.text)}</li>" for a in g.hold_off) + "</ul>")
    if g.ergonomics:
        out.append('<h2>Everyday tips</h2><dl class="ergo">' + "".join(
            f"<dt>{escape(a.name)}</dt><dd>{escape(a.text)}</dd>" for a in g.ergonomics) + "</dl>")
    return out


def handout_html(intake: Mapping[str, Any], plan: PlanLike | None = None,
                 knowledge: Knowledge | None = None, letterhead: Letterhead | None = None) -> str:
    """The handout as one self-contained HTML page (inline figures and styles, prints on A4), headed by whom it is
    for and from when `letterhead` says."""
    h = build_handout(intake, plan, knowledge)
    title = TITLE_WITHHELD if h.withheld else TITLE
    head = f'<p class="letterhead">{escape(letterhead.line())}</p>' if letterhead else ""
    body = [head, _timing_html(h), f"<h1>{escape(title)}</h1>", _p(INTRO_WITHHELD if h.withheld else INTRO, "intro"),
            _warnings_html(h)]
    if not h.withheld:
        body += _programme_html(h.programme)
    body.append(f"<h2>What the guideline says</h2>{_p(h.guideline)}")
    body.append(f"<footer>{escape(h.versions)}</footer>")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>'
            f'<body><main>{"".join(body)}</main></body></html>')


# ------------------------------------------------------------------------------------------------ PDF


def handout_pdf(intake: Mapping[str, Any], plan: PlanLike | None = None,
                knowledge: Knowledge | None = None, letterhead: Letterhead | None = None) -> bytes:
    """The handout as an A4 PDF, headed by whom it is for and from when `letterhead` says."""
    from . import pdf as P

    h = build_handout(intake, plan, knowledge)
    title = TITLE_WITHHELD if h.withheld else TITLE
    doc = P.Document(f"{title} · {h.versions}")
    doc.set_title(doc.safe(title))
    doc.set_lang("en")
    doc.add_page()
    if letterhead:
        doc.para(letterhead.line(), 10, 5, "B", colour=P.MUTED)
        doc.ln(2)
    _pdf_timing(doc, h)
    doc.ln(3)
    doc.para(title, 19, 9, "B", colour=P.DANGER if h.withheld else P.ACCENT)
    doc.para(INTRO_WITHHELD if h.withheld else INTRO, 10, 5, colour=P.MUTED)
    doc.ln(3)
    _pdf_warnings(doc, h)
    if not h.withheld:
        _pdf_programme(doc, h.programme)
    doc.heading("What the guideline says")
    doc.para(h.guideline, 10, 5)
    return bytes(doc.output())


def _pdf_bullets(d: Any, items: tuple[str, ...], size: float = 9, line_h: float = 4.3) -> None:
    from . import pdf as P

    for t in items:
        d.set_x(d.l_margin)
        d.para("\u2022", size, line_h, "B", width=5, colour=P.DANGER)
        d.set_y(d.get_y() - line_h)
        d.para(t, size, line_h, x=d.l_margin + 5)


def _pdf_timing(doc: Any, h: Handout) -> None:
    """The first thing on page one: how soon to see a doctor, where, and why."""
    from . import pdf as P

    urgent = h.see_within in ("now", "same_day", "two_weeks") or h.triage_level != "routine"

    def draw(d: Any) -> None:
        d.para(h.timing, 16 if urgent else 13, 7.5 if urgent else 6.5, "B", colour=P.DANGER if urgent else P.ACCENT)
        if h.where:
            d.para(f"Where to go: {h.where}", 10.5, 5.2, "B")
        d.ln(1)
        d.para(h.triage_text, 9.5, 4.6)
        if h.findings:
            d.ln(1)
            _pdf_bullets(d, h.findings, 9.5, 4.6)

    if urgent:
        doc.box(draw, P.DANGER_BG, P.DANGER)
    else:
        doc.box(draw, P.SOFT_BG, P.RULE)


def _pdf_warnings(doc: Any, h: Handout) -> None:
    from . import pdf as P

    def groups(d: Any, items: tuple[SignGroup, ...]) -> None:
        for g in items:
            d.para(f"{g.heading}:", 10, 5.2, "B", colour=P.DANGER)
            _pdf_bullets(d, g.signs)
            d.ln(1.5)

    def draw(d: Any) -> None:
        d.para("Warning signs: when to get help", 13, 6.5, "B", colour=P.DANGER)
        d.ln(1)
        groups(d, h.sign_groups)
        if h.other_changes:
            d.para(OTHER_CHANGES, 9.5, 4.6)
            d.ln(1.5)

    doc.box(draw, P.DANGER_BG, P.DANGER)
    if h.pregnancy_signs:
        def preg(d: Any) -> None:
            d.para(PREGNANCY_SIGNS_INTRO, 11.5, 6, "B", colour=P.DANGER)
            d.ln(1)
            groups(d, h.pregnancy_signs)

        doc.ln(3)
        doc.box(preg, P.DANGER_BG, P.DANGER)


def _pdf_item(doc: Any, figure: str, fig_w: float, title: str, dose: str, paras: list[str],
              max_h: float = 62.0) -> None:
    """A figure on the left and its text on the right, kept together on one page."""
    from . import pdf as P

    fw, fh = P.svg_size(figure)
    box_w = fig_w
    fig_w = min(fig_w, max_h * fw / fh)
    fig_h = fig_w * fh / fw
    x_fig = doc.l_margin + (box_w - fig_w) / 2
    x_text = doc.l_margin + box_w + 5
    w_text = doc.content_width - box_w - 5
    text_h = (doc.text_height(w_text, title, 11, 5.4, "B") + (doc.text_height(w_text, dose, 10, 5, "B") if dose else 0)
              + sum(doc.text_height(w_text, p, 9.5, 4.6) + 1 for p in paras))
    doc.keep(max(fig_h, text_h) + 4)
    top = doc.get_y()
    doc.svg(figure, x_fig, top, fig_w)
    doc.set_xy(x_text, top)
    doc.para(title, 11, 5.4, "B", width=w_text, x=x_text)
    if dose:
        doc.para(dose, 10, 5, "B", width=w_text, colour=P.ACCENT, x=x_text)
    for p in paras:
        doc.para(p, 9.5, 4.6, width=w_text, x=x_text)
        doc.set_y(doc.get_y() + 1)
    doc.set_y(max(top + fig_h, doc.get_y()) + 2)
    doc.set_draw_color(*P.RULE)
    doc.line(doc.l_margin, doc.get_y(), doc.w - doc.r_margin, doc.get_y())
    doc.ln(3)


def _pdf_programme(doc: Any, g: Programme) -> None:
    from . import pdf as P

    if g.pregnant:
        doc.ln(3)
        doc.para(PREGNANCY_NOTE, 10, 5, "B", colour=P.ACCENT)
    if g.first_trimester:
        doc.ln(2)
        doc.para(FIRST_TRIMESTER_NOTE, 10, 5, colour=P.ACCENT)
    doc.heading("Heat or ice")
    words = THERMAL_WORDS.get(g.thermal, g.thermal)
    if g.thermal_figure:
        _pdf_item(doc, g.thermal_figure, 28 if g.thermal != "ice_then_heat" else 44, words, "",
                  [g.thermal_text or ""])
    else:
        doc.para(words, 11, 5.4, "B")
        doc.para(g.thermal_text or "", 10, 5)
    if g.points:
        doc.heading("Pressure points (acupressure)")
        if g.heat_first:
            doc.para(g.heat_first.text, 9.5, 4.6, "B", colour=P.ACCENT)
            doc.ln(1)
        doc.para(g.press_how or "", 9.5, 4.6)
        if g.press_adapted:
            doc.para(NO_LYING_NOTE, 9.5, 4.6, "B", colour=P.ACCENT)
        doc.ln(2)
        for pt in g.points:
            paras = [pt.how]
            if not pt.location_checked:
                paras.append(UNCHECKED_NOTE)
            if pt.tool:
                paras.append(f"You will need: {pt.tool}.")
            if pt.code in g.press_adapted:
                paras.append(ADAPTED_NOTE)
            if pt.side == "both":
                paras.append("Press the same point on both sides.")
            _pdf_item(doc, pt.figure, 52, f"{pt.code} ({pt.name}): {pt.where}", pt.dose, paras)
    elif g.reasons:
        doc.heading("Pressure points (acupressure)")
        for r in g.reasons:
            doc.para(r, 10, 5)
    if g.exercises:
        doc.heading("Exercises")
        for ex in g.exercises:
            _pdf_item(doc, ex.figure, 50, ex.name, ex.dosage,
                      [ex.instructions] + ([ADAPTED_NOTE] if ex.adapted else []))
    if g.hold_off:
        doc.keep(20)
        doc.para("Not for now", 11, 5.4, "B")
        for held in g.hold_off:
            doc.para(f"{held.name}: {held.text}", 9.5, 4.6)
            doc.ln(1)
    if g.ergonomics:
        doc.heading("Everyday tips")
        for tip in g.ergonomics:
            doc.keep(14)
            doc.para(tip.name, 10.5, 5.2, "B")
            doc.para(tip.text, 9.5, 4.6)
            doc.ln(1.5)
