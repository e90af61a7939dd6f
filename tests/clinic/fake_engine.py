"""A small, deterministic stand-in for the engine, shaped exactly like the contract's Plan (every plan it gives
decodes to the typed `Plan` record: test_clinic_plan_typed checks it).

The clinic's tests use it so that they test the clinic, not the clinical rules (which have their own tests).
"""

from __future__ import annotations

from typing import Any

from sciatica_care.errors import InputRefused, Problem

EMERGENCY = {"bladder_dysfunction", "bowel_dysfunction", "saddle_anaesthesia", "sexual_dysfunction",
             "bilateral_sudden"}
PREGNANCY_EXCLUDED = ["SP6", "LI4", "BL60"]


def plan_for(intake: dict[str, Any]) -> dict[str, Any]:
    problems = []
    patient = intake.get("patient") or {}
    age = patient.get("age")
    if not isinstance(age, int):
        problems.append(Problem("patient.age", "required, an integer"))
    elif age < 16:
        problems.append(Problem("patient.age", "under 16 is outside the scope of this guidance"))
    episode = intake.get("episode") or {}
    if episode.get("side") not in ("left", "right", "both"):
        problems.append(Problem("episode.side", "required: left, right or both"))
    if "duration_weeks" not in episode:
        problems.append(Problem("episode.duration_weeks", "required"))
    pain = intake.get("pain") or {}
    if not isinstance(pain.get("leg_nrs"), int):
        problems.append(Problem("pain.leg_nrs", "required, an integer 0 to 10"))
    if not pain.get("areas"):
        problems.append(Problem("pain.areas", "at least one area"))
    if "red_flags" not in intake:
        problems.append(Problem("red_flags", "required (may be empty)"))
    if problems:
        raise InputRefused(problems)

    flags = list(intake["red_flags"])
    level = "emergency" if EMERGENCY & set(flags) else ("urgent" if flags else "routine")
    allowed = level == "routine"
    side = episode["side"]
    pregnant = bool(patient.get("pregnant"))
    candidates = [("GB30", "local"), ("BL40", "distal"), ("BL25", "local"), ("SP6", "systemic"), ("LI4", "balance")]
    excluded = [{"code": c, "side": side, "rule": "pregnancy", "reason": "forbidden in pregnancy"}
                for c, _ in candidates if pregnant and c in PREGNANCY_EXCLUDED]
    points = [] if not allowed else [
        {"code": c, "side": side, "role": r, "reason": f"{c} for the {r} effect", "sources": ["fake-source"],
         "rule": f"fake-{c.lower()}", "rules": [f"fake-{c.lower()}"], "name": f"Name of {c}",
         "location": f"Where {c} is: a landmark, then a cun offset.", "depth_cun": [0.5, 1.5 if c != "GB30" else 3.0],
         "cautions": [f"{c}: go slowly near the nerve"] if c == "GB30" else []}
        for c, r in candidates if not (pregnant and c in PREGNANCY_EXCLUDED)]
    warnings = [{"id": m, "text": f"{m}: take care"} for m in intake.get("medical", [])]
    if pregnant:
        warnings.append({"id": "pregnancy", "text": "Pregnant: forbidden points removed, no electroacupuncture."})
    return {
        "schema_version": "1",
        "triage": {"level": level, "red_flags": flags,
                   "advice": "Same-day emergency assessment." if level == "emergency" else
                   ("Medical assessment before any treatment." if level == "urgent" else "Treat as planned."),
                   "patient_advice": "Go to an emergency department today." if level == "emergency" else
                   ("See your doctor before any treatment." if level == "urgent" else "You may be treated.")},
        "treatment_allowed": allowed,
        "assessment": {"causes": [{"id": "disc_herniation", "name": "Disc herniation", "likelihood": 0.7,
                                   "reasons": ["leg pain > back"]}],
                       "nerve_roots": ["S1"], "channels": ["bladder"],
                       "phase": "acute" if episode["duration_weeks"] < 6 else "chronic",
                       "tcm_patterns": ["qi_blood_stagnation"]},
        "acupuncture": {"points": points, "excluded": excluded,
                        "reasons": [] if allowed else ["Treatment withheld: red flags."]},
        "electroacupuncture": {"allowed": allowed and not pregnant, "reasons": [],
                               "pairs": [["GB30", "BL40"]] if allowed and not pregnant else [],
                               "pair_details": [{"points": ["GB30", "BL40"], "side": side, "rule": "fake-ea",
                                                 "reason": "along the sciatic pathway"}]
                               if allowed and not pregnant else [],
                               "frequency_hz": "2/100", "minutes": 20},
        "massage": {"allowed": allowed, "techniques": ["trigger_point_release"], "cautions": [],
                    "reasons": [] if allowed else ["Treatment withheld."],
                    "details": [{"id": "trigger_point_release", "name": "Trigger point release", "gentle": False,
                                 "description": "Sustained pressure on the trigger point."}] if allowed else []},
        "cupping": {"allowed": allowed, "reasons": [] if allowed else ["Treatment withheld."],
                    "description": "Stationary cups over the gluteal muscles."},
        "self_care": {"thermal": "ice", "exercises": ["neural_flossing"], "acupressure": [],
                      "thermal_advice": {"rule": "fake-thermal", "advice": "Ice for 10 minutes, three times a day."},
                      "exercise_details": [{"id": "neural_flossing", "name": "Nerve gliding",
                                            "instructions": "Sit tall, straighten the knee, lift the head.",
                                            "dosage": "10 times, twice a day"}],
                      "ergonomics": ["lumbar_support"],
                      "ergonomic_details": [{"id": "lumbar_support", "name": "Support your lower back",
                                             "advice": "Use a rolled towel when sitting."}]},
        "schedule": {"sessions_per_week": 2, "course_sessions": [8, 10], "review_after_sessions": 4,
                     "phases": [{"weeks": "1-3", "goal": "settle the pain"}]},
        "warnings": warnings,
        "engine_version": "fake-1",
        "knowledge_version": "fake-k1",
        "guideline": {"id": "nice-ng59", "position": "Acupuncture is not recommended by NICE NG59 for sciatica.",
                      "evidence_grade": "low"},
    }


def score(instrument: str, answers: list[Any]) -> dict[str, Any]:
    if instrument in ("rmdq", "sbi", "startback"):  # the real scorer: pure and fast
        from sciatica_care import score as real_score

        return real_score(instrument, answers)
    if instrument != "odi" and instrument != "nrs":
        raise InputRefused([Problem("instrument", f"unknown instrument {instrument!r}")])
    if instrument == "nrs":
        if len(answers) != 1 or not isinstance(answers[0], int) or not 0 <= answers[0] <= 10:
            raise InputRefused([Problem("answers", "one answer 0 to 10")])
        return {"instrument": "nrs", "score": answers[0], "band": None, "answered": 1}
    if len(answers) != 10:
        raise InputRefused([Problem("answers", "ODI has 10 sections")])
    answered = [a for a in answers if a is not None]
    for i, a in enumerate(answers):
        if a is not None and (not isinstance(a, int) or not 0 <= a <= 5):
            raise InputRefused([Problem(f"answers[{i}]", "0 to 5")])
    if len(answered) < 8:
        raise InputRefused([Problem("answers", "at most 2 unanswered")])
    value = round(sum(answered) / (5 * len(answered)) * 100, 1)
    band = next(b for limit, b in [(20, "minimal"), (40, "moderate"), (60, "severe"), (80, "crippled"),
                                   (101, "bed_bound")] if value <= limit)
    return {"instrument": "odi", "score": value, "band": band, "answered": len(answered)}
