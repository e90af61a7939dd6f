"""Charting a session: the form pre-filled from the plan and the previous visit, and reading it back.

A red flag found on re-check stops the needling part (no points, no e-stim are stored); a point the plan excluded
is only stored with an explicit override and a reason.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from django.http import QueryDict
from django.utils import timezone

from sciatica_care.clinic import vocab
from sciatica_care.clinic.clinical import ExcludedPoint, Plan, find_point
from sciatica_care.clinic.input_cleaning import Unreadable, optional_date, whole_number
from sciatica_care.clinic.models import PlanRevision, Visit
from sciatica_care.errors import Problem

PAIR_DASH = "–"


def split_pair(text: str) -> list[str] | None:
    """Two point codes joined by a dash: an en dash (as the form writes it) or a hyphen. Codes may contain hyphens
    themselves (EX-B2-L4, TUNG-22.05), so a hyphen splits the pair only where both sides are known points."""
    for dash in ("–", "—"):
        if dash in text:
            ends = [find_point(e) for e in text.split(dash)]
            return [p.code for p in ends if p] if len(ends) == 2 and all(ends) else None
    for i, char in enumerate(text):
        if char == "-":
            left, right = find_point(text[:i]), find_point(text[i + 1:])
            if left and right:
                return [left.code, right.code]
    return None


POINT_RE = re.compile(r"^([A-Za-z]{1,4}-?[A-Za-z]?\d{0,3}(?:\.\d{2})?|ASHI)(?:\s+(left|right|both|midline))?$")


def _plan(plan: PlanRevision | None) -> Plan | None:
    """The typed plan, or None when there is no plan or it cannot be read (then nothing is allowed)."""
    return plan.typed if plan is not None else None


NOTE_FIELDS = ("adverse_events", "subjective", "objective", "assessment", "plan_notes")


def _excluded(plan: PlanRevision | None) -> list[ExcludedPoint]:
    p = _plan(plan)
    return list(p.acupuncture.excluded) if p is not None else []


def _planned_points(plan: PlanRevision | None) -> list[tuple[str, str]]:
    p = _plan(plan)
    return [(pt.code, pt.side) for pt in p.acupuncture.points] if p is not None else []


def _options(plan: PlanRevision | None) -> dict[str, Any]:
    """What the plan allows, whatever the form holds."""
    p = _plan(plan)
    massage_planned = list(p.massage.techniques) if p is not None and p.massage.allowed else []
    return {
        "massage_known": list(dict.fromkeys(massage_planned + vocab.MASSAGE_TECHNIQUES)),
        "massage_planned": massage_planned,
        "ea_allowed": p is not None and p.electroacupuncture.allowed,
        "massage_allowed": p is not None and p.massage.allowed,
        "cupping_allowed": p is not None and p.cupping.allowed,
    }


def _form(plan: PlanRevision | None, *, point_rows: list[dict[str, Any]],
          excluded_state: dict[str, dict[str, Any]], ea: tuple[str, str, Any], massage_done: list[str],
          cupping_done: bool, rest: dict[str, Any]) -> dict[str, Any]:
    opts = _options(plan)
    excluded = [{**msgspec.structs.asdict(e),
                 **excluded_state.get(e.code, {"done": False, "side": e.side or "", "why": "", "error": ""})}
                for e in _excluded(plan)]
    pairs, freq, minutes = ea
    return {
        "point_rows": point_rows,
        "excluded": excluded,
        "ea_pairs": pairs,
        "ea_frequency_hz": freq or "",
        "ea_minutes": minutes if minutes is not None else "",
        "ea_allowed": opts["ea_allowed"],
        "massage_options": [(t, vocab.label(t), t in massage_done) for t in opts["massage_known"]],
        "massage_allowed": opts["massage_allowed"],
        "cupping_allowed": opts["cupping_allowed"],
        "cupping_done": cupping_done,
        **rest,
    }


def initial(plan: PlanRevision | None, previous: Visit | None) -> dict[str, Any]:
    """Rows and values for a new form: the previous visit where there is one, the plan otherwise."""
    p = _plan(plan)
    planned = _planned_points(plan)
    before = [(pt["code"], pt.get("side", "")) for pt in (previous.points if previous else [])]
    rows, seen = [], set()
    for code, side in planned + before:
        if (code, side) in seen:
            continue
        seen.add((code, side))
        done = (code, side) in before if previous and not previous.needling_stopped else (code, side) in planned
        rows.append({"code": code, "side": side, "done": done, "planned": (code, side) in planned})
    ea = p.electroacupuncture if p is not None else None
    if previous and previous.ea_pairs:
        pairs, freq, minutes = previous.ea_pairs, previous.ea_frequency_hz, previous.ea_minutes
    elif ea is not None and ea.allowed:
        pairs, freq, minutes = ea.pairs, ea.frequency_hz or "", ea.minutes
    else:
        pairs, freq, minutes = [], "", None
    massage_done = previous.massage_done if previous else _options(plan)["massage_planned"]
    return _form(plan, point_rows=rows, excluded_state={},
                 ea=(", ".join(PAIR_DASH.join(pair) for pair in pairs), freq, minutes),
                 massage_done=massage_done, cupping_done=previous.cupping_done if previous else False,
                 rest={"date": timezone.localdate().isoformat(), "recheck_flags": [], "rechecked": False,
                       "leg_nrs": "", "back_nrs": "", "extra_points": "", "notes": dict.fromkeys(NOTE_FIELDS, "")})


def from_post(post: QueryDict, plan: PlanRevision | None, problems: list[Problem]) -> dict[str, Any]:
    """The form again exactly as it was submitted — every tick, side and word — for a submission that failed
    validation: charting is re-done by nobody."""
    rows = []
    i = 0
    while f"pt_code_{i}" in post:
        rows.append({"code": post[f"pt_code_{i}"], "side": post.get(f"pt_side_{i}", ""),
                     "done": bool(post.get(f"pt_done_{i}")), "planned": bool(post.get(f"pt_planned_{i}"))})
        i += 1
    errors = {p.path: p.message for p in problems}
    excluded_state = {
        e.code: {"done": bool(post.get(f"ex_done_{e.code}")), "side": post.get(f"ex_side_{e.code}", ""),
                 "why": post.get(f"ex_reason_{e.code}", ""), "error": errors.get(f"ex_reason_{e.code}", "")}
        for e in _excluded(plan)}
    return _form(plan, point_rows=rows, excluded_state=excluded_state,
                 ea=(post.get("ea_pairs", ""), post.get("ea_frequency_hz", ""), post.get("ea_minutes", "")),
                 massage_done=post.getlist("massage_done"), cupping_done=bool(post.get("cupping_done")),
                 rest={"date": post.get("date", ""), "recheck_flags": post.getlist("recheck_flags"),
                       "rechecked": bool(post.get("red_flags_rechecked")), "leg_nrs": post.get("leg_nrs", ""),
                       "back_nrs": post.get("back_nrs", ""), "extra_points": post.get("extra_points", ""),
                       "notes": {k: post.get(k, "") for k in NOTE_FIELDS}})


def _int(post: QueryDict, name: str, lo: int, hi: int, problems: list[Problem]) -> int | None:
    raw = post.get(name, "").strip()
    if not raw:
        return None
    try:
        return whole_number(raw, lo, hi, what=name.replace("_", " "))
    except Unreadable as exc:
        problems.append(Problem(name, str(exc)))
        return None


def read(post: QueryDict, plan: PlanRevision | None) -> tuple[dict[str, Any], list[Problem]]:
    """Visit fields and problems from the submitted charting form (the questionnaires: `questionnaires.py`)."""
    problems: list[Problem] = []
    excluded = {e.code: e for e in _excluded(plan)}
    day = optional_date(post.get("date", "")) if post.get("date") else timezone.localdate()
    if day is None:
        problems.append(Problem("date", "a date on the calendar, such as 2026-03-01"))
    rechecked = bool(post.get("red_flags_rechecked"))
    if not rechecked:
        problems.append(Problem("red_flags_rechecked", "re-check the red flags before charting the session"))
    found = [f for f in post.getlist("recheck_flags") if f in vocab.RED_FLAGS]
    stopped = bool(found) or (plan is not None and not plan.treatment_allowed)

    points: list[dict[str, str]] = []
    overrides: list[dict[str, str]] = []
    i = 0
    while f"pt_code_{i}" in post:
        if post.get(f"pt_done_{i}"):
            points.append({"code": post[f"pt_code_{i}"].strip().upper(), "side": post.get(f"pt_side_{i}", "")})
        i += 1
    for token in [t.strip() for t in post.get("extra_points", "").split(",") if t.strip()]:
        m = POINT_RE.match(token)
        if not m:
            problems.append(Problem("extra_points", f"{token!r}: write a point as CODE side, e.g. “KI3 left”"))
            continue
        points.append({"code": m.group(1).upper(), "side": m.group(2) or ""})
    for code in excluded:
        if post.get(f"ex_done_{code}"):
            points.append({"code": code, "side": post.get(f"ex_side_{code}", "")})
    for pt in points:
        rule = excluded.get(pt["code"])
        if rule is None:
            continue
        reason = post.get(f"ex_reason_{pt['code']}", "").strip()
        if not reason:
            problems.append(Problem(f"ex_reason_{pt['code']}",
                                    f"{pt['code']} was excluded by the plan ({rule.rule}): "
                                    "give the reason for overriding it"))
        elif not any(o["code"] == pt["code"] for o in overrides):
            overrides.append({"code": pt["code"], "rule": rule.rule, "reason": reason})

    typed = _plan(plan)
    massage_known = set(vocab.MASSAGE_TECHNIQUES) | set(typed.massage.techniques if typed is not None else [])
    pairs = []
    for chunk in [c.strip() for c in post.get("ea_pairs", "").split(",") if c.strip()]:
        ends = split_pair(chunk)
        if ends is None:
            problems.append(Problem("ea_pairs", f"{chunk!r}: write a pair as GB30–BL40 (two known point codes)"))
        else:
            pairs.append(ends)
    fields = {
        "date": day,
        "red_flags_rechecked": rechecked,
        "red_flags_found": found,
        "needling_stopped": stopped,
        "points": [] if stopped else points,
        "overrides": [] if stopped else overrides,
        "ea_pairs": [] if stopped else pairs,
        "ea_frequency_hz": "" if stopped else post.get("ea_frequency_hz", "").strip()[:20],
        "ea_minutes": None if stopped else _int(post, "ea_minutes", 1, 60, problems),
        "massage_done": [] if stopped else [t for t in post.getlist("massage_done") if t in massage_known],
        "cupping_done": False if stopped else bool(post.get("cupping_done")),
        "adverse_events": post.get("adverse_events", "").strip(),
        "subjective": post.get("subjective", "").strip(),
        "objective": post.get("objective", "").strip(),
        "assessment": post.get("assessment", "").strip(),
        "plan_notes": post.get("plan_notes", "").strip(),
        "leg_nrs": _int(post, "leg_nrs", 0, 10, problems),
        "back_nrs": _int(post, "back_nrs", 0, 10, problems),
    }
    if stopped and found:
        # The overrides and needling problems do not matter when nothing is needled.
        problems = [p for p in problems if not p.path.startswith("ex_reason_")]
    return fields, problems
