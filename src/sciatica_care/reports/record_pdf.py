"""A patient's whole record as a readable A4 PDF (subject access), laid out from the JSON bundle that
`clinic.subject_access.bundle` builds, so the two never disagree. No database here: testable from a mapping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

ACTIONS = {
    "read": "opened", "list": "saw in a list", "create": "recorded", "update": "changed", "print": "printed",
    "export_record": "exported the record", "discharge": "discharged", "reopen": "reopened",
    "break_glass": "opened outside the care team (with a reason)", "read_under_break_glass": "opened (break glass)",
    "denied_care_team": "was refused (not in the care team)", "denied_role": "was refused (role)",
    "denied_other_clinic": "was refused (other clinic)", "anonymise": "anonymised the record",
    "patient_completed": "questionnaire filled in by the patient", "patient_opened": "questionnaire opened",
    "assign_care": "assigned to the care team", "unassign_care": "taken off the care team",
}


RECORDS = {"Patient": "your details", "Episode": "course", "Intake": "intake", "PlanRevision": "plan",
           "Visit": "session", "OutcomeScore": "score", "QuestionnaireLink": "questionnaire link",
           "BreakGlass": "access outside the care team", "CareAssignment": "care team"}


def _day(value: Any) -> str:
    text = str(value or "")
    return text[:10] if text else "—"


def _when(value: Any) -> str:
    text = str(value or "")
    return text[:16].replace("T", " ") if text else "—"


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _flat(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A nested JSON value as (label, text) lines: `pain · leg nrs` → `7`."""
    out: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        for k, v in value.items():
            out += _flat(v, f"{prefix} · {k.replace('_', ' ')}" if prefix else _label(str(k)))
    elif isinstance(value, list) and value and all(isinstance(v, (Mapping, list)) for v in value):
        for i, v in enumerate(value, 1):
            out += _flat(v, f"{prefix} {i}")
    elif isinstance(value, list):
        out.append((prefix, ", ".join(str(v) for v in value) or "none"))
    elif isinstance(value, bool):
        out.append((prefix, "yes" if value else "no"))
    else:
        out.append((prefix, "—" if value in (None, "") else str(value)))
    return out


def _person(who: Any) -> str:
    return str(who.get("name", "")) if isinstance(who, Mapping) else "—"


def _score(result: Any) -> str:
    if not isinstance(result, Mapping):
        return "—"
    value = result.get("score", result.get("total", "—"))
    band = result.get("band")
    return f"{value}" + (f" ({str(band).replace('_', ' ')})" if band else "")


def record_pdf(data: Mapping[str, Any]) -> bytes:
    from . import pdf as P

    patient = data.get("patient", {})
    name = f"{patient.get('first_name', '')} {patient.get('last_name', '')}".strip()
    doc = P.Document(f"Sciatica Care · health record of {name} · prepared {_day(data.get('generated_at'))}")
    doc.set_title(f"Health record: {name}")
    doc.set_lang("en")
    doc.add_page()
    doc.set_font(P.FONT, "B", 18)
    doc.set_text_color(*P.ACCENT)
    doc.multi_cell(0, 9, doc.safe("Your health record"), new_x="LMARGIN", new_y="NEXT")
    doc.para(name, size=13, line_h=6.5, style="B")
    doc.para(f"{data.get('clinic', {}).get('name', '')} · prepared {_when(data.get('generated_at'))} "
             f"by {_person(data.get('generated_by')) if data.get('generated_by') else 'the clinic'} · "
             f"everything the clinic holds about you, with a log of who opened it. The same record is given as a "
             f"JSON file ({data.get('format')}, version {data.get('format_version')}).",
             size=9, line_h=4.4, colour=P.MUTED, align="L")

    doc.heading("Your details")
    details = [("Name", name), ("Born", _day(patient.get("date_of_birth"))),
               ("Sex", str(patient.get("sex") or "—")), ("Phone", patient.get("phone") or "—"),
               ("Email", patient.get("email") or "—"), ("Address", patient.get("address") or "—"),
               ("Your GP", ", ".join(x for x in (patient.get("gp_name"), patient.get("gp_practice"),
                                                 patient.get("gp_address")) if x) or "—"),
               ("Consent to treatment", ("yes, " + _day(patient.get("consent_treatment_at")))
                if patient.get("consent_treatment") else "no"),
               ("Consent to use of anonymised data", ("yes, " + _day(patient.get("consent_data_use_at")))
                if patient.get("consent_data_use") else "no"),
               ("Booking notes", patient.get("booking_notes") or "—"),
               ("Record opened", _day(patient.get("created_at")))]
    if patient.get("anonymised_at"):
        details.append(("Anonymised", f"{_day(patient.get('anonymised_at'))} (pseudonym {patient.get('pseudonym')})"))
    _pairs(doc, details)
    care_team = data.get("care_team") or []
    if care_team:
        _pairs(doc, [("Care team", "; ".join(f"{_person(a.get('staff'))} (from {_day(a.get('assigned_at'))}"
                                               + (f" to {_day(a.get('ended_at'))})" if a.get("ended_at") else ")")
                                               for a in care_team))])

    courses = data.get("courses") or []
    if not courses:
        doc.heading("Courses of care")
        doc.para("No course of care recorded.")
    for course in courses:
        _course(doc, course)

    glass = data.get("break_glass") or []
    if glass:
        doc.heading("Opened by staff outside your care team")
        for g in glass:
            doc.para(f"{_when(g.get('at'))} · {_person(g.get('staff'))}: {g.get('reason', '')}", size=9.5,
                     line_h=4.6)

    doc.heading("Who opened or changed your record")
    log = data.get("access_log") or []
    _table(doc, ["When", "Who", "What", "Record"],
           [[_when(e.get("at")), _person(e.get("actor")) if e.get("actor") else "you, or the clinic's system",
             ACTIONS.get(e.get("action", ""), str(e.get("action", "")).replace("_", " ")),
             f"{RECORDS.get(e.get('object_type', ''), e.get('object_type', ''))} {e.get('object_id') or ''}".strip()]
            for e in log],
           [0.2, 0.24, 0.36, 0.2], size=8)
    return bytes(doc.output())


def _course(doc: Any, course: Mapping[str, Any]) -> None:
    from . import pdf as P

    closed = f" to {_day(course.get('closed_on'))}" if course.get("closed_on") else ""
    doc.heading(f"Course of care: {course.get('title', '')} ({_day(course.get('opened_on'))}{closed}, "
                f"{course.get('status', '')})", size=14)
    for intake in course.get("intakes") or []:
        doc.heading(f"Intake of {_when(intake.get('recorded_at'))} by {_person(intake.get('recorded_by'))}",
                    size=11, colour=P.INK, space=1)
        data = {k: v for k, v in (intake.get("data") or {}).items() if k != "schema_version"}
        _pairs(doc, _flat(data), size=8.5)
    for plan in course.get("plans") or []:
        s = plan.get("summary") or {}
        doc.heading(f"Plan {plan.get('number')} of {_when(plan.get('created_at'))} "
                    f"({plan.get('reason', '')})", size=11, colour=P.INK, space=1)
        _pairs(doc, [("Triage", f"{s.get('triage_level', '—')}: {s.get('advice') or ''}"),
                     ("Treatment allowed", "yes" if s.get("treatment_allowed") else "no"),
                     ("Likely cause", s.get("likely_cause") or "—"),
                     ("Points planned", ", ".join(s.get("points") or []) or "none"),
                     ("Points left out", "; ".join(s.get("excluded_points") or []) or "none"),
                     ("Electroacupuncture", "allowed" if s.get("electroacupuncture_allowed") else "not allowed"),
                     ("Massage", "allowed" if s.get("massage_allowed") else "not allowed"),
                     ("Cupping", "allowed" if s.get("cupping_allowed") else "not allowed"),
                     ("Decided by", f"{_person(plan.get('created_by'))} · engine {plan.get('engine_version')}, "
                                    f"knowledge {plan.get('knowledge_version')}")], size=8.5)
    sessions = course.get("sessions") or []
    doc.heading(f"Sessions ({len(sessions)})", size=11, colour=P.INK, space=1)
    if not sessions:
        doc.para("No sessions charted.", size=9)
    for i, v in enumerate(sessions, 1):
        lines = [("Points", ", ".join(f"{p.get('code')} {p.get('side', '')}".strip() for p in v.get("points") or [])
                  or "none")]
        for o in v.get("overrides") or []:
            lines.append(("Given despite a rule", f"{o.get('code')} {o.get('side', '')} ({o.get('rule', '')}): "
                                                  f"{o.get('reason', '')}"))
        if v.get("ea_override"):
            lines.append(("Electroacupuncture despite a rule", f"{v['ea_override'].get('rule', '')}: "
                                                               f"{v['ea_override'].get('reason', '')}"))
        if v.get("unplanned_points"):
            lines.append(("Not in the plan", ", ".join(f"{p.get('code')} {p.get('side', '')}".strip()
                                                       for p in v["unplanned_points"])))
        if v.get("ea_pairs"):
            pairs = ", ".join("–".join(p) for p in v["ea_pairs"])
            lines.append(("Electroacupuncture", f"{pairs} · {v.get('ea_frequency_hz') or '—'} Hz · "
                                                f"{v.get('ea_minutes') or '—'} min"))
        if v.get("massage"):
            lines.append(("Massage", ", ".join(str(m).replace("_", " ") for m in v["massage"])))
        if v.get("cupping"):
            lines.append(("Cupping", "yes"))
        lines.append(("Red flags re-checked", ("yes" if v.get("red_flags_rechecked") else "no")
                      + (f"; found: {', '.join(v['red_flags_found'])}" if v.get("red_flags_found") else "")))
        if v.get("needling_stopped"):
            lines.append(("Needling stopped", v.get("red_flag_advice") or "yes"))
        lines.append(("Pain (0–10)", f"leg {v.get('leg_nrs') if v.get('leg_nrs') is not None else '—'}, "
                                     f"back {v.get('back_nrs') if v.get('back_nrs') is not None else '—'}"))
        for key, label in (("subjective", "You said"), ("objective", "Found"), ("assessment", "Assessment"),
                           ("plan_notes", "Plan"), ("adverse_events", "Adverse events")):
            if v.get(key):
                lines.append((label, v[key]))
        doc.keep(14)
        doc.para(f"Session {i} · {_day(v.get('date'))} · {_person(v.get('practitioner'))}", size=9.5, line_h=5,
                 style="B")
        _pairs(doc, lines, size=8.5)
    scores = course.get("scores") or []
    doc.heading(f"Scores ({len(scores)})", size=11, colour=P.INK, space=1)
    _table(doc, ["Recorded", "Measure", "Result", "Filled in by"],
           [[_when(s.get("recorded_at")), str(s.get("measure") or s.get("instrument")).replace("_", " "),
             _score(s.get("result")), "you" if s.get("source") in ("link", "tablet") else _person(s.get("recorded_by"))]
            for s in scores], [0.24, 0.22, 0.28, 0.26], size=8.5)
    d = course.get("discharge")
    if d:
        doc.heading(f"Discharge ({_day(d.get('closed_on'))})", size=11, colour=P.INK, space=1)
        _pairs(doc, [*((m.get("name", ""), f"{m.get('baseline')} → {m.get('discharge')} ({m.get('status')})")
                       for m in d.get("measures") or []),
                     *(("Done", t) for t in d.get("done") or []), *(("Advice", t) for t in d.get("advice") or [])],
               size=8.5)


def _pairs(doc: Any, rows: Sequence[tuple[str, Any]], size: float = 9.5) -> None:
    """Label and value lines, the label in a narrow muted column."""
    from . import pdf as P

    label_w = doc.content_width * 0.28
    line = size * 0.48
    for label, value in rows:
        text, label_text = doc.safe(str(value)), doc.safe(str(label))
        height = max(doc.text_height(doc.content_width - label_w, text, size, line),
                     doc.text_height(label_w - 2, label_text, size, line))
        doc.keep(height + 0.6)
        top = doc.get_y()
        doc.set_font(P.FONT, "", size)
        doc.set_text_color(*P.MUTED)
        doc.multi_cell(label_w - 2, line, label_text, new_x="RIGHT", new_y="TOP", align="L")
        doc.set_text_color(*P.INK)
        doc.set_xy(doc.l_margin + label_w, top)
        doc.multi_cell(doc.content_width - label_w, line, text, new_x="LMARGIN", new_y="NEXT", align="L")
        doc.set_y(top + height + 0.6)


def _table(doc: Any, head: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
           size: float = 9) -> None:
    from . import pdf as P

    total = doc.content_width
    line = size * 0.5

    def header() -> None:
        doc.set_font(P.FONT, "B", size)
        for text, w in zip(head, widths, strict=True):
            doc.cell(total * w, line + 1, doc.safe(text), border="B")
        doc.ln(line + 1.5)

    header()
    doc.set_font(P.FONT, "", size)
    for row in rows or [["—", "none recorded", "", ""][:len(head)]]:
        heights = [doc.text_height(total * w - 1, doc.safe(str(t)), size, line) for t, w in zip(row, widths,
                                                                                                   strict=True)]
        height = max(heights) + 0.8
        if height > doc.space_left():
            doc.add_page()
            header()
        doc.set_font(P.FONT, "", size)
        top = doc.get_y()
        x = doc.l_margin
        for text, w in zip(row, widths, strict=True):
            doc.set_xy(x, top)
            doc.multi_cell(total * w - 1, line, doc.safe(str(text)), new_x="RIGHT", new_y="TOP", align="L")
            x += total * w
        doc.set_xy(doc.l_margin, top + height)
