"""The discharge summary's content for one episode, from its records (the layout is `reports.discharge_pdf`; the
progress and discharge letters read it too, through `letter_facts`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils import timezone

from sciatica_care.clinic import episode_progress
from sciatica_care.clinic.clinical import display_name
from sciatica_care.clinic.models import Episode
from sciatica_care.reports.letterhead import format_date

SUMMARY_MEASURES = ("nrs_leg", "nrs_back", "odi", "rmdq", "sbi")


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def summary(episode: Episode) -> dict[str, Any]:
    course = episode_progress.episode_progress(episode)
    visits = list(episode.visits.select_related("practitioner").order_by("date", "id"))
    measures = []
    for measure in SUMMARY_MEASURES:
        s = course.series.get(measure)
        if s is None:
            continue
        first, last = s.points[0], s.points[-1]
        change = ""
        latest = s.status.latest if s.status is not None else None
        if latest is not None:
            change = _number(latest.absolute) + (f" ({latest.percent:g} %)" if latest.percent is not None else "")
        measures.append({"name": s.name, "baseline": _number(first.value),
                         "discharge": _number(last.value) if len(s.points) > 1 else "—", "change": change,
                         "status": s.status.status if s.status else "baseline only",
                         # the values and the minimal-important-change verdict, for the letters
                         "first": first.value, "last": last.value if len(s.points) > 1 else None,
                         "percent": latest.percent if latest is not None else None,
                         "important_improvement": bool(latest and latest.important_improvement),
                         "important_worsening": bool(latest and latest.important_worsening),
                         "responder": bool(s.status and s.status.responder),
                         "rule": latest.rule_text if latest is not None else ""})
    points: Counter[str] = Counter()
    for v in visits:
        for code in dict.fromkeys(p["code"] for p in v.points):
            points[code] += 1
    done = []
    if points:
        done.append("Acupuncture points (sessions): " + ", ".join(f"{c} ({n})" for c, n in points.most_common()))
    ea = sum(1 for v in visits if v.ea_pairs)
    if ea:
        done.append(f"Electroacupuncture in {ea} session{'s' if ea != 1 else ''}")
    massage = Counter(t for v in visits for t in v.massage_done)
    if massage:
        done.append("Massage: " + ", ".join(f"{display_name(t, record=True)} ({n})" for t, n in massage.most_common()))
    cupping = sum(1 for v in visits if v.cupping_done)
    if cupping:
        done.append(f"Cupping in {cupping} session{'s' if cupping != 1 else ''}")
    def rule(name: object) -> str:
        return display_name(name, record=True)

    overridden = [f"{o['code']} {o.get('side', '')} on {format_date(v.date)} ({rule(o.get('rule', ''))}): "
                  f"{o['reason']}" for v in visits for o in v.overrides]
    overridden += [f"electroacupuncture on {format_date(v.date)} ({rule(v.ea_override.get('rule', ''))}): "
                   f"{v.ea_override.get('reason', '')}" for v in visits if v.ea_override]
    if overridden:
        done.append("Given despite a rule, with the practitioner's reason: " + "; ".join(overridden))
    stopped = sum(1 for v in visits if v.needling_stopped)
    if stopped:
        done.append(f"Needling stopped in {stopped} session{'s' if stopped != 1 else ''} (red flag on re-check)")
    adverse = [v for v in visits if v.adverse_events]
    if adverse:
        done.append(f"Adverse events recorded in {len(adverse)} session{'s' if len(adverse) != 1 else ''}")
    plan = episode.plans.order_by("-number").first()
    typed = plan.typed if plan is not None else None
    care = typed.self_care if typed is not None else None
    home = []  # what the patient was advised (the letters repeat it; the course advice is the practitioner's)
    if care is not None and care.exercises:
        home.append("Keep up the home programme: " + ", ".join(display_name(e, record=True) for e in care.exercises))
    if care is not None and care.ergonomics:
        home.append("Everyday habits: " + ", ".join(display_name(e, record=True) for e in care.ergonomics))
    home.append("Come back, or see a doctor, if the leg pain returns or gets worse; go to an emergency "
                "department at once with numbness around the back passage or genitals, or trouble passing urine.")
    advice = [*(a.text for a in course.advice if a.id != "red_flag_recheck_overdue"), *home]
    matched = course.matched_care
    patient = episode.patient
    opened = min([episode.opened_on, *(v.date for v in visits[:1])])
    ended = episode.closed_on or (visits[-1].date if visits else timezone.localdate())
    return {
        "patient": f"{patient.first_name} {patient.last_name}",
        "episode": episode.title,
        "opened": format_date(opened),
        "discharged": format_date(ended),
        "opened_on": opened,
        "last_visit_on": visits[-1].date if visits else None,
        "course_advice": [a.id for a in course.advice],
        "sessions": len(visits),
        "practitioners": list(dict.fromkeys(v.practitioner.display() for v in visits)),
        "measures": measures,
        "done": done,
        "advice": advice,
        "home_advice": home,
        "matched_care": matched.text if matched else None,
    }
