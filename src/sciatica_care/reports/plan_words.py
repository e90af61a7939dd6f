"""The words the practitioner outputs share: the referral timing said first, cause weights said as weights, the
body region a point lies in, and whether pregnancy applies to the patient at all.

The text plan, the one-page print and the chart's tooltips all read these, so the three never disagree.
"""

from __future__ import annotations

from ..engine.plan_model import Acupuncture, Cause, Plan, Triage
from ..knowledge.model import Region
from ..knowledge.timing import SeeWithin, is_slower

#: The first words of every practitioner output, by referral timing (said in plain words, never "urgent" for a
#: same-day referral: NICE's "urgent" means within two weeks).
HEADLINE: dict[SeeWithin, str] = {
    "now": "SEND NOW: EMERGENCY DEPARTMENT WITHIN HOURS",
    "same_day": "SEE A DOCTOR TODAY",
    "two_weeks": "REFER: GP WITHIN TWO WEEKS",
    "none": "Routine: no referral needed",
}
#: A sign's or flag's timing in a few words.
WHEN: dict[SeeWithin, str] = {
    "now": "now",
    "same_day": "today",
    "two_weeks": "within two weeks",
    "none": "no referral",
}

#: The summary's body regions, in the order a practitioner works down the body, from the knowledge's `region`.
REGION_GROUP: dict[Region, str] = {
    "lumbar": "Back", "sacral": "Back",
    "gluteal": "Buttock/hip",
    "thigh": "Thigh",
    "knee": "Knee/leg", "leg": "Knee/leg",
    "ankle": "Ankle/foot", "foot": "Ankle/foot",
    "hand": "Hand/arm", "forearm": "Hand/arm", "shoulder": "Hand/arm",
}
GROUP_ORDER: tuple[str, ...] = ("Back", "Buttock/hip", "Thigh", "Knee/leg", "Ankle/foot", "Hand/arm", "Other")

def see_within(t: Triage) -> SeeWithin:
    """The plan's referral timing (from the level, read cautiously, for a plan stored without one)."""
    return t.referral


def headline(plan: Plan) -> str:
    """The first line: how soon, and whether treatment goes ahead."""
    when = see_within(plan.triage)
    if not plan.treatment_allowed:
        return f"{HEADLINE[when]} — NO TREATMENT TODAY"
    if when == "none":
        return f"{HEADLINE[when]} — treatment may go ahead as planned"
    return f"{HEADLINE[when]} — treatment may go ahead meanwhile"


def level_word(t: Triage) -> str:
    """The triage level as a heading word; a same-day or sooner referral is never called 'urgent' (which reads as
    two weeks)."""
    when = see_within(t)
    if t.level == "urgent" and is_slower("two_weeks", when):
        return "SAME DAY" if when == "same_day" else "NOW"
    return t.level.upper()


def slower(value: str | None, than: SeeWithin) -> bool:
    """Whether a flag's or sign's timing is slower than the plan's."""
    return value is not None and is_slower(value, than)


def cause_line(cause: Cause, position: int) -> str:
    """"1. Disc herniation — weight 0.96 of 1 (strongest)": a rank and a relative weight, never a percentage."""
    rank = cause.rank or position
    strongest = " (strongest weight)" if rank == 1 else ""
    return f"{rank}. {cause.name or cause.id} — weight {cause.likelihood:.2f} of 1{strongest}"


WEIGHTS_NOTE = ("Each weight is scored from 0 to 1 on its own findings; the weights are a ranking, not "
                "probabilities, and do not add up to 100%.")


def weights_note(plan: Plan) -> str:
    return plan.assessment.weights_note or WEIGHTS_NOTE


def pregnancy_possible(plan: Plan) -> bool:
    """Whether the plan shows that pregnancy applies to this patient: a pregnancy rule fired (an excluded point, a
    warning) or a point caution the engine kept for her mentions it. A man's plan never does."""
    if any("pregnan" in e.rule for e in plan.acupuncture.excluded):
        return True
    if any("pregnan" in w.id or "pregnan" in (w.rule or "") for w in plan.warnings):
        return True
    return any("pregnan" in c.lower() for p in plan.acupuncture.points for c in p.cautions)


def needle_line(acu: Acupuncture) -> str:
    """"16 needles of a cap of 16 — first treatment …"."""
    count = acu.needles or sum(2 if p.side == "both" else 1 for p in acu.points)
    noun = "needle" if count == 1 else "needles"
    if acu.needle_cap is None:
        return f"{count} {noun} ({len(acu.points)} points)"
    why = f" — {acu.needle_cap_reason}" if acu.needle_cap_reason else ""
    return f"{count} {noun} of a cap of {acu.needle_cap}{why}"


def when_words(value: str | None, plan_when: SeeWithin) -> str:
    """A finding's own timing; one slower than the plan's is not repeated (the plan's referral covers it)."""
    if value is None:
        return ""
    if slower(value, plan_when):
        return " — covered by the referral above"
    return f" — {WHEN[value]}"  # type: ignore[index]
