"""Charting a session: a Django form and a formset of the points needled, pre-filled from the plan and the previous
visit, and read back into a visit's fields.

The form only collects and cleans what was typed. What may be stored is the engine's decision, asked through the
seam (`clinical`): a point code is made canonical by the knowledge's aliases (LI-4, li4, LI 4 → LI4) and refused
when no point has it; a point the plan excluded, one a safety rule forbids for this patient now (pregnancy, a
recorded device or lesion site), and e-stim the plan disallows are refused unless the practitioner gives a reason
for overriding — the override is stored with its rule and audited. A red flag found on the re-check stops the
needling part (the engine's rule; no points, e-stim, massage or cupping are stored) and records the referral.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms import formset_factory
from django.http import QueryDict
from django.utils import timezone

from sciatica_care.clinic import billing, clinical, vocab
from sciatica_care.clinic.clinical import PointVerdict, find_point
from sciatica_care.clinic.input_cleaning import CalendarDateField, WholeNumberField, refuse_control_characters
from sciatica_care.clinic.models import Episode, PlanRevision, Visit
from sciatica_care.errors import InputRefused, Problem

PAIR_DASH = "–"
SIDES = ("left", "right", "both", "midline")
SIDE_CHOICES = [(s, s) for s in SIDES]
NOTE_FIELDS = ("adverse_events", "subjective", "objective", "assessment", "plan_notes")
FLAG_GROUP_TITLES = {"cauda_equina": "Cauda equina — emergency", "cancer": "Cancer", "infection": "Infection",
                     "fracture": "Fracture", "other": "Other"}
REFUSED_WORDS = {"excluded": "was excluded by the plan", "forbidden": "is forbidden for this patient now"}
MAX_POINTS = 60
FIRST_CHOICES = [("acupuncture", "without e-stim"), ("electroacupuncture", "with e-stim")]


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


def red_flag_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The re-check's questions from the knowledge, grouped as the form shows them."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for group, flag, question in clinical.recheck_questions():
        groups.setdefault(group, []).append((flag, question))
    return [(FLAG_GROUP_TITLES.get(g, g.replace("_", " ").capitalize()), flags) for g, flags in groups.items()]


# --- the forms --------------------------------------------------------------------------------------------------

class PointRowForm(forms.Form):
    """One row of the points table: a point offered by the plan or the previous session."""

    code = forms.CharField(max_length=40, widget=forms.HiddenInput)
    side = forms.ChoiceField(choices=SIDE_CHOICES, required=False)
    done = forms.BooleanField(required=False)
    planned = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def add_prefix(self, field_name: str) -> str:
        # The rows keep their page names (pt_code_0, pt_side_0 …) so a page still open at an update posts fine.
        index = (self.prefix or "pt-0").rsplit("-", 1)[-1]
        return f"pt_{field_name}_{index}"


PointRows = formset_factory(PointRowForm, extra=0, max_num=MAX_POINTS, validate_max=True,
                            absolute_max=MAX_POINTS)


def point_rows(data: QueryDict | None, initial: list[dict[str, Any]] | None = None) -> Any:
    """The bound (or initial) formset of point rows. A post without the management form (an older page) counts its
    rows from the names it sent."""
    if data is None:
        return PointRows(prefix="pt", initial=initial)
    if "pt-TOTAL_FORMS" not in data:
        data = data.copy()
        n = 0
        while f"pt_code_{n}" in data and n < MAX_POINTS + 1:
            n += 1
        data["pt-TOTAL_FORMS"], data["pt-INITIAL_FORMS"] = str(n), "0"
    return PointRows(data, prefix="pt")


def _whole(lo: int, hi: int) -> forms.IntegerField:
    words = f"a whole number from {lo} to {hi} (digits 0-9)"
    return WholeNumberField(required=False, min_value=lo, max_value=hi,
                              error_messages={"invalid": words, "min_value": words, "max_value": words})


class ChartForm(forms.Form):
    date = CalendarDateField(required=False, error_messages={"invalid": "a date on the calendar, such as 2026-03-01"})
    red_flags_rechecked = forms.BooleanField(
        error_messages={"required": "re-check the red flags before charting the session"})
    recheck_flags = forms.MultipleChoiceField(required=False)
    leg_nrs = _whole(0, 10)
    back_nrs = _whole(0, 10)
    extra_points = forms.CharField(required=False, max_length=600)
    ea_pairs = forms.CharField(required=False, max_length=300)
    ea_frequency_hz = forms.CharField(required=False, max_length=20)
    ea_minutes = _whole(1, 60)
    ea_reason = forms.CharField(required=False, max_length=500)
    massage_done = forms.MultipleChoiceField(required=False)
    cupping_done = forms.BooleanField(required=False)
    # Face-to-face minutes by modality, for the CPT units (clinic/billing.py); needle dwell time is not counted.
    minutes_acupuncture = _whole(0, clinical.MAX_MINUTES)
    minutes_electroacupuncture = _whole(0, clinical.MAX_MINUTES)
    needle_reinsertions = _whole(0, clinical.MAX_REINSERTIONS)
    acupuncture_first = forms.ChoiceField(required=False, choices=[("", "—"), *FIRST_CHOICES],
                                          error_messages={"invalid_choice": "which came first: with or without "
                                                                            "e-stim"})
    minutes_massage = _whole(0, clinical.MAX_MINUTES)
    minutes_manual_therapy = _whole(0, clinical.MAX_MINUTES)
    adverse_events = forms.CharField(required=False, max_length=10000)
    subjective = forms.CharField(required=False, max_length=10000)
    objective = forms.CharField(required=False, max_length=10000)
    assessment = forms.CharField(required=False, max_length=10000)
    plan_notes = forms.CharField(required=False, max_length=10000)

    def __init__(self, data: QueryDict, *, episode: Episode, plan: PlanRevision | None,
                 today: dt.date | None = None) -> None:
        super().__init__(data)
        self.episode, self.revision = episode, plan
        self.plan = plan.typed if plan is not None else None
        self.today = today or timezone.localdate()
        self.fields["recheck_flags"].choices = [(f, f) for _, f, _ in clinical.recheck_questions()]
        self.fields["massage_done"].choices = [(t, t) for t in massage_known(plan)]
        self.rows = point_rows(data)
        #: codes that need an override reason to be stored: the plan's exclusions and whatever this post refused
        self.override_codes = [e.code for e in (self.plan.acupuncture.excluded if self.plan else [])]
        for key in data:
            if key.startswith(("ex_reason_", "ex_done_")):
                point = find_point(key.split("_", 2)[2])
                if point is not None and point.code not in self.override_codes:
                    self.override_codes.append(point.code)
        for code in self.override_codes:
            self.fields[f"ex_done_{code}"] = forms.BooleanField(required=False)
            self.fields[f"ex_side_{code}"] = forms.ChoiceField(choices=SIDE_CHOICES, required=False)
            self.fields[f"ex_reason_{code}"] = forms.CharField(required=False, max_length=500)
        refuse_control_characters(self)  # the notes, reasons and codes as the API takes them
        self.refused: dict[str, PointVerdict] = {}
        self.ea_refused: clinical.ModalityVerdict | None = None
        self.result: dict[str, Any] = {}

    def is_valid(self) -> bool:
        rows_ok = self.rows.is_valid()
        return super().is_valid() and rows_ok

    def clean_date(self) -> dt.date:
        day: dt.date | None = self.cleaned_data.get("date")
        if day is None:
            return self.today
        opened = self.episode.opened_on
        if day > self.today:
            raise forms.ValidationError(f"the session date cannot be after today ({self.today:%-d %b %Y})")
        if opened and day < opened:
            raise forms.ValidationError(f"the session date cannot be before the course opened "
                                        f"({opened:%-d %b %Y})")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            check = clinical.recheck(data.get("recheck_flags") or [])
        except InputRefused as exc:
            for p in exc.problems:
                self.add_error("recheck_flags", p.message)
            return data
        stopped = check.stop or (self.revision is not None and not self.revision.treatment_allowed)
        fields: dict[str, Any] = {
            "red_flags_rechecked": bool(data.get("red_flags_rechecked")),
            "red_flags_found": list(check.flags),
            "needling_stopped": stopped,
            "red_flag_advice": f"{check.timing} {check.advice}" if check.stop else "",
            "points": [], "overrides": [], "unplanned_points": [], "ea_pairs": [], "ea_frequency_hz": "",
            "ea_minutes": None, "ea_override": {}, "massage_done": [], "cupping_done": False,
            **{k: (data.get(k) or "").strip() for k in NOTE_FIELDS},
            "leg_nrs": data.get("leg_nrs"), "back_nrs": data.get("back_nrs"),
        }
        if "date" in data:
            fields["date"] = data["date"]
        fields.update({name: 0 for name in billing.MINUTE_FIELDS if name != "acupuncture_first"},
                      acupuncture_first="")
        if not stopped:
            self._treatment(data, fields)
            self._minutes(data, fields)
        self.result = fields
        return data

    def _minutes(self, data: dict[str, Any], fields: dict[str, Any]) -> None:
        """The face-to-face minutes, checked by the billing rules and against what was charted: no needling
        minutes without a point, no e-stim minutes without a pair, no massage minutes without a technique."""
        minutes = {name: data.get(name) or 0 for name in billing.MINUTE_FIELDS if name != "acupuncture_first"}
        minutes["acupuncture_first"] = data.get("acupuncture_first") or ""
        if minutes["acupuncture_first"] and not (minutes["minutes_acupuncture"]
                                                 and minutes["minutes_electroacupuncture"]):
            minutes["acupuncture_first"] = ""  # asked only when both were done
        fields.update(minutes)
        for problem in billing.minutes_problems(minutes):
            self.add_error(problem.path if problem.path in self.fields else None, problem.message)
        for name, needs, what in (("minutes_acupuncture", fields["points"], "point needled"),
                                  ("minutes_electroacupuncture", fields["ea_pairs"], "e-stim pair"),
                                  ("minutes_massage", fields["massage_done"], "massage technique")):
            if minutes[name] and not needs:
                self.add_error(name, f"{minutes[name]} minutes charted but no {what}: chart it, or clear the minutes")

    def _charted(self, data: dict[str, Any]) -> list[tuple[str, str, str]]:
        """(code as typed, side, where it was typed) for every point said to be needled."""
        charted: list[tuple[str, str, str]] = []
        if self.rows.is_valid():
            for row in self.rows.cleaned_data:
                if row.get("done"):
                    charted.append((row["code"], row.get("side") or "", "points"))
        for token in [t.strip() for t in (data.get("extra_points") or "").split(",") if t.strip()]:
            words = token.split()
            side = words[-1].lower() if len(words) > 1 and words[-1].lower() in SIDES else ""
            code = " ".join(words[:-1] if side else words)
            if find_point(code) is None:
                self.add_error("extra_points", f"{token!r}: no point has the code {code!r}; write a point as "
                                               "CODE side, e.g. “KI3 left”")
            elif not side:
                self.add_error("extra_points", f"{token!r}: give the side (left, right, both or midline)")
            else:
                charted.append((code, side, "extra_points"))
        for code in self.override_codes:
            if data.get(f"ex_done_{code}"):
                charted.append((code, data.get(f"ex_side_{code}") or "", f"ex_side_{code}"))
        return charted

    def _treatment(self, data: dict[str, Any], fields: dict[str, Any]) -> None:
        charted = self._charted(data)
        for code, side, where in charted:
            if side not in SIDES:
                self.add_error(where if where != "points" else None, f"{code}: choose the side it was needled on")
        pairs: list[list[str]] = []
        for chunk in [c.strip() for c in (data.get("ea_pairs") or "").split(",") if c.strip()]:
            ends = split_pair(chunk)
            if ends is None:
                self.add_error("ea_pairs", f"{chunk!r}: write a pair as GB30–BL40 (two known point codes)")
            else:
                pairs.append(ends)
        intake = self.revision.intake.data if self.revision is not None else None
        asked = [(code, side) for code, side, _ in charted]
        sides = {}
        for code, side in asked:
            point = find_point(code)
            if point is not None:
                sides.setdefault(point.code, side)
        ends = [(end, sides.get(end, "both")) for pair in pairs for end in pair if end not in sides]
        verdicts = clinical.check_points(intake, self.plan, asked + ends)
        seen: set[tuple[str, str]] = set()
        for (raw, _side, where), v in zip(charted, verdicts, strict=False):
            if v is None:
                self.add_error(where if where != "points" else None, f"{raw!r}: no point has that code")
                continue
            if (v.code, v.side) in seen:
                continue
            seen.add((v.code, v.side))
            fields["points"].append({"code": v.code, "side": v.side})
            self._overridden(v, fields)
            if not v.planned and not v.refused:
                fields["unplanned_points"].append({"code": v.code, "side": v.side})
        for v in verdicts[len(charted):]:
            if v is not None:
                self._overridden(v, fields)
        if pairs:
            self.ea_refused = clinical.check_electroacupuncture(self.plan)
            reason = (data.get("ea_reason") or "").strip()
            if self.ea_refused is not None and not reason:
                self.add_error("ea_reason", f"Electroacupuncture is not allowed by the plan "
                                            f"({self.ea_refused.rule}): {self.ea_refused.reason} — give the reason "
                                            "for overriding it, or clear the pairs.")
            elif self.ea_refused is not None:
                fields["ea_override"] = {"rule": self.ea_refused.rule, "refusal": self.ea_refused.reason,
                                         "reason": reason}
            fields.update(ea_pairs=pairs, ea_frequency_hz=(data.get("ea_frequency_hz") or "").strip(),
                          ea_minutes=data.get("ea_minutes"))
        fields["massage_done"] = list(data.get("massage_done") or []) if self.plan and self.plan.massage.allowed \
            else []
        fields["cupping_done"] = bool(data.get("cupping_done")) and bool(self.plan and self.plan.cupping.allowed)

    def _overridden(self, v: PointVerdict, fields: dict[str, Any]) -> None:
        """A refused point is stored only with the practitioner's reason; the refusal asks for it by name."""
        if not v.refused or v.refused_by is None:
            return
        if v.code in [o["code"] for o in fields["overrides"]]:
            return
        name = f"ex_reason_{v.code}"
        reason = (self.data.get(name) or "").strip()[:500]
        if not reason:
            self.refused[v.code] = v
            message = (f"{v.code} {v.side} {REFUSED_WORDS[v.refused_by]} ({v.rule}): {v.reason} "
                       "— give the reason for overriding it, or untick it.")
            if name in self.fields:
                self.add_error(name, message)
            else:
                self.add_error(None, message)
            return
        fields["overrides"].append({"code": v.code, "side": v.side, "rule": v.rule, "refused_by": v.refused_by,
                                    "refusal": v.reason, "reason": reason})

    def problems(self) -> list[Problem]:
        """Every error as the pages show them: the field's name and the message."""
        out = [Problem(name if name != "__all__" else "points", str(msg))
               for name, errs in self.errors.items() for msg in errs]
        for i, errs in enumerate(self.rows.errors if self.rows.is_bound else []):
            out += [Problem(f"pt_{name}_{i}", f"point row {i + 1}: {msg}") for name, msgs in errs.items()
                    for msg in msgs]
        out += [Problem("points", str(m)) for m in self.rows.non_form_errors()]
        return out


def massage_known(plan: PlanRevision | None) -> list[str]:
    p = plan.typed if plan is not None else None
    planned = list(p.massage.techniques) if p is not None and p.massage.allowed else []
    return list(dict.fromkeys(planned + vocab.MASSAGE_TECHNIQUES))


# --- what the page shows ----------------------------------------------------------------------------------------

def _options(plan: PlanRevision | None) -> dict[str, Any]:
    """What the plan allows, whatever the form holds."""
    p = plan.typed if plan is not None else None
    return {
        "massage_planned": list(p.massage.techniques) if p is not None and p.massage.allowed else [],
        "ea_allowed": p is not None and p.electroacupuncture.allowed,
        "massage_allowed": p is not None and p.massage.allowed,
        "cupping_allowed": p is not None and p.cupping.allowed,
    }


def _page(plan: PlanRevision | None, *, point_rows: list[dict[str, Any]], overrides: list[dict[str, Any]],
          ea: tuple[str, str, Any, str], massage_done: list[str], cupping_done: bool,
          rest: dict[str, Any]) -> dict[str, Any]:
    opts = _options(plan)
    pairs, freq, minutes, ea_reason = ea
    return {
        "point_rows": point_rows,
        "excluded": overrides,
        "ea_pairs": pairs,
        "ea_frequency_hz": freq or "",
        "ea_minutes": minutes if minutes is not None else "",
        "ea_reason": ea_reason,
        "ea_allowed": opts["ea_allowed"],
        "massage_options": [(t, vocab.label(t), t in massage_done) for t in massage_known(plan)],
        "massage_allowed": opts["massage_allowed"],
        "cupping_allowed": opts["cupping_allowed"],
        "cupping_done": cupping_done,
        "red_flag_groups": red_flag_groups(),
        "first_choices": FIRST_CHOICES,
        **rest,
    }


def _excluded_rows(plan: PlanRevision | None) -> list[dict[str, Any]]:
    p = plan.typed if plan is not None else None
    return [{"code": e.code, "rule": e.rule, "reason": e.reason, "done": False, "side": e.side or "", "why": "",
             "error": "", "planned_exclusion": True} for e in (p.acupuncture.excluded if p is not None else [])]


def initial(plan: PlanRevision | None, previous: Visit | None) -> dict[str, Any]:
    """Rows and values for a new form: the previous visit where there is one, the plan otherwise."""
    p = plan.typed if plan is not None else None
    planned = [(pt.code, pt.side) for pt in p.acupuncture.points] if p is not None else []
    before = [(pt["code"], pt.get("side", "")) for pt in (previous.points if previous else [])]
    rows, seen = [], set()
    for code, side in planned + before:
        if (code, side) in seen:
            continue
        seen.add((code, side))
        done = (code, side) in before if previous and not previous.needling_stopped else (code, side) in planned
        rows.append({"code": code, "side": side, "done": done, "planned": (code, side) in planned})
    ea = p.electroacupuncture if p is not None else None
    if previous and previous.ea_pairs and not previous.ea_override:
        pairs, freq, minutes = previous.ea_pairs, previous.ea_frequency_hz, previous.ea_minutes
    elif ea is not None and ea.allowed:
        pairs, freq, minutes = ea.pairs, ea.frequency_hz or "", ea.minutes
    else:
        pairs, freq, minutes = [], "", None
    massage_done = previous.massage_done if previous else _options(plan)["massage_planned"]
    return _page(plan, point_rows=rows, overrides=_excluded_rows(plan),
                 ea=(", ".join(PAIR_DASH.join(pair) for pair in pairs), freq, minutes, ""),
                 massage_done=massage_done, cupping_done=previous.cupping_done if previous else False,
                 rest={"date": timezone.localdate().isoformat(), "recheck_flags": [], "rechecked": False,
                       "leg_nrs": "", "back_nrs": "", "extra_points": "", "notes": dict.fromkeys(NOTE_FIELDS, ""),
                       "minutes": dict.fromkeys(billing.MINUTE_FIELDS, "")})


def from_post(form: ChartForm, problems: list[Problem]) -> dict[str, Any]:
    """The form again exactly as it was submitted — every tick, side and word — for a submission that failed
    validation: charting is re-done by nobody. A point refused in this post gets its own reason row."""
    post, plan = form.data, form.revision
    rows = [{"code": post.get(f"pt_code_{i}", ""), "side": post.get(f"pt_side_{i}", ""),
             "done": bool(post.get(f"pt_done_{i}")), "planned": bool(post.get(f"pt_planned_{i}"))}
            for i in range(form.rows.total_form_count())]
    errors = {p.path: p.message for p in problems}
    overrides = []
    for row in _excluded_rows(plan):
        code = row["code"]
        overrides.append({**row, "done": bool(post.get(f"ex_done_{code}")),
                          "side": post.get(f"ex_side_{code}", row["side"]), "why": post.get(f"ex_reason_{code}", ""),
                          "error": errors.get(f"ex_reason_{code}", "")})
    listed = {o["code"] for o in overrides}
    refused_here: list[dict[str, Any]] = []  # shown first: what this post was refused for
    for code in dict.fromkeys([*form.override_codes, *form.refused]):
        v = form.refused.get(code)
        if code in listed or (v is None and not post.get(f"ex_reason_{code}")):
            continue
        refused_here.append({"code": code, "rule": v.rule if v else "", "reason": v.reason if v else "",
                          "refused_by": v.refused_by if v else "", "done": False, "side": v.side if v else "",
                          "why": post.get(f"ex_reason_{code}", ""), "planned_exclusion": False,
                          "error": f"{code} {REFUSED_WORDS[v.refused_by]}: give the reason for overriding it"
                          if v and v.refused_by else ""})
    return _page(plan, point_rows=rows, overrides=refused_here + overrides,
                 ea=(post.get("ea_pairs", ""), post.get("ea_frequency_hz", ""), post.get("ea_minutes", ""),
                     post.get("ea_reason", "")),
                 massage_done=post.getlist("massage_done"), cupping_done=bool(post.get("cupping_done")),
                 rest={"date": post.get("date", ""), "recheck_flags": post.getlist("recheck_flags"),
                       "rechecked": bool(post.get("red_flags_rechecked")), "leg_nrs": post.get("leg_nrs", ""),
                       "back_nrs": post.get("back_nrs", ""), "extra_points": post.get("extra_points", ""),
                       "ea_refused": form.ea_refused, "notes": {k: post.get(k, "") for k in NOTE_FIELDS},
                       "minutes": {k: post.get(k, "") for k in billing.MINUTE_FIELDS}})


def read(post: QueryDict, episode: Episode, plan: PlanRevision | None) -> tuple[ChartForm, dict[str, Any],
                                                                               list[Problem]]:
    """The bound form, the visit's fields and every problem (the questionnaires: `questionnaires.py`)."""
    form = ChartForm(post, episode=episode, plan=plan)
    ok = form.is_valid()
    return form, form.result, ([] if ok else form.problems())
