"""The home programme's content, from the plan and the knowledge: one builder for the printed handout and the
patient's web page, so the two always say the same.

`build_programme(intake, plan, knowledge)` answers a `Programme`: heat or ice (with the warm-up before pressing only
when the plan's choice includes heat), each acupressure point the plan lists for home pressing with a close-up of
the body figure on each side to press, where it is and how to press it, how long and how often; each exercise
the plan gives with its picture and dosage; the exercises held back and why; the everyday advice. Every item
keeps the source ids it rests on.

Only the plan's own home-pressing list is shown, never its needling points: the engine already leaves out points
forbidden in pregnancy and the points a patient could mistake for one. The builder checks again and refuses
(`UnsafeProgramme`) rather than show a forbidden or confusable point whenever the patient is or may be pregnant.
A plan that is not for treatment gives an empty programme.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..engine.plan_model import Plan
from ..knowledge.model import Knowledge, Point
from .body import Side
from .body.figure import point_figure_svg
from .pictures import exercise_svg, thermal_svg

PLACE_WORDS = {
    "lumbar": "lower back", "sacral": "lower back", "gluteal": "buttock", "thigh": "thigh", "knee": "knee",
    "leg": "lower leg", "ankle": "ankle", "foot": "foot", "hand": "hand", "forearm": "forearm",
    "shoulder": "shoulder",
}
PLURAL = {"foot": "feet", "knee": "knees", "hand": "hands", "lower back": "lower back"}
THERMAL_WORDS = {"ice": "Cold (ice)", "heat": "Warmth (heat)", "ice_then_heat": "Cold for flare-ups, warmth for "
                 "stiffness", "none": "No heat or ice for now"}
#: The plan's heat-or-ice choices that include warmth: only these get the warm-up before pressing.
HEAT_CHOICES = ("heat", "ice_then_heat")
TIMES_WORDS = {1: "once", 2: "twice", 3: "three times"}
#: The pressing order for a point on both sides.
BOTH_SIDES: tuple[Side, ...] = ("right", "left")
PREGNANCY_NOTE = "Because you are pregnant, your programme leaves out the pressure points that are avoided in " \
                 "pregnancy."
FIRST_TRIMESTER_NOTE = ("Early in pregnancy (up to 12 weeks), about 1 in 6 known pregnancies end in miscarriage, "
                        "most of them by 12 weeks, whether or not there is any treatment. Many practitioners wait "
                        "until after 12 weeks before treating; you can choose to wait too.")
ADAPTED_NOTE = "This is the version that does not lie on your back."
NO_LYING_NOTE = "Do not lie on your back to press a point: use the way described for each point below."
#: For a point whose location the knowledge has not yet checked against the standard (`location_status`).
UNCHECKED_NOTE = ("Where exactly this point lies has not yet been checked against the international standard: ask "
                  "your practitioner to show you the spot before you press it.")
UNCHECKED_STATUSES = ("unverified", "derived")


class UnsafeProgramme(RuntimeError):
    """The programme would show a point forbidden in pregnancy (or one a patient could mistake for such a point)
    to a patient who is or may be pregnant."""


def _range(a: int, b: int) -> str:
    return str(a) if a == b else f"{a} to {b}"


def times_a_day(low: int, high: int) -> str:
    """'once or twice a day', 'twice a day', '2 to 4 times a day'."""
    if low == high:
        return f"{TIMES_WORDS.get(low, f'{low} times')} a day"
    if low in TIMES_WORDS and high in TIMES_WORDS and high == low + 1:
        return f"{TIMES_WORDS[low]} or {TIMES_WORDS[high]} a day"
    return f"{low} to {high} times a day"


@dataclass(frozen=True)
class SideFigure:
    """The close-up of the body figure with the point marked on one side."""

    side: Side
    svg: str


@dataclass(frozen=True)
class PressPoint:
    code: str
    name: str
    where: str
    side: str
    how: str
    tool: str | None
    hold_minutes: tuple[int, int]
    times_per_day: tuple[int, int]
    figures: tuple[SideFigure, ...]
    adapted: bool = False
    sources: tuple[str, ...] = ()
    location_checked: bool = True

    @property
    def figure(self) -> str:
        return self.figures[0].svg

    @property
    def sides(self) -> tuple[Side, ...]:
        """The sides to press, in order: one hold on each is one set."""
        return tuple(f.side for f in self.figures)

    @property
    def dose(self) -> str:
        (h0, h1), (t0, t1) = self.hold_minutes, self.times_per_day
        return f"Hold for {_range(h0, h1)} minutes, {_range(t0, t1)} times a day."

    @property
    def often(self) -> str:
        return times_a_day(*self.times_per_day)


@dataclass(frozen=True)
class ExerciseItem:
    id: str
    name: str
    instructions: str
    dosage: str
    figure: str
    adapted: bool = False
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Advice:
    """One piece of everyday advice (ergonomics), or an exercise held back with its reason."""

    name: str
    text: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class HeatFirst:
    """The warm-up before pressing, for a plan whose heat-or-ice choice includes heat."""

    minutes: tuple[int, int]
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Programme:
    thermal: str
    thermal_text: str | None
    thermal_figure: str | None
    press_how: str | None
    points: tuple[PressPoint, ...]
    exercises: tuple[ExerciseItem, ...]
    hold_off: tuple[Advice, ...]
    ergonomics: tuple[Advice, ...]
    heat_first: HeatFirst | None = None
    thermal_sources: tuple[str, ...] = ()
    press_sources: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    press_adapted: tuple[str, ...] = ()
    pregnant: bool = False
    first_trimester: bool = False

    @property
    def empty(self) -> bool:
        return not (self.points or self.exercises or self.ergonomics or self.thermal_text)


NO_PROGRAMME = Programme(thermal="none", thermal_text=None, thermal_figure=None, press_how=None, points=(),
                         exercises=(), hold_off=(), ergonomics=())


def where_words(point: Point, side: str) -> str:
    """Where the point is in plain words: 'your left buttock', 'both feet'."""
    place = PLACE_WORDS.get(point.region, point.region)
    if side == "both":
        return f"both {PLURAL.get(place, place + 's')}"
    if side == "midline":
        return f"the middle of your {place}"
    return f"your {side} {place}"


def pregnancy_possible(intake: Mapping[str, Any], plan: Plan) -> bool:
    """True when the patient is pregnant, or the plan shows a pregnancy rule at work (status not recorded)."""
    if (intake.get("patient") or {}).get("pregnant") is True:
        return True
    rules = [e.rule for e in plan.acupuncture.excluded] + [w.rule or "" for w in plan.warnings]
    return any(r.startswith("pregnancy") for r in rules)


def check_pregnancy(intake: Mapping[str, Any], plan: Plan, points: Mapping[str, Point]) -> None:
    """Refuse (`UnsafeProgramme`) a home-pressing list that holds a point forbidden in pregnancy, one a patient
    could mistake for such a point, or an unknown code, when the patient is or may be pregnant."""
    if not pregnancy_possible(intake, plan):
        return
    forbidden = {c for c, p in points.items() if p.forbidden_in_pregnancy}
    bad = [a.code for a in plan.self_care.acupressure
           if a.code not in points or a.code in forbidden or forbidden & set(points[a.code].confusable_with)]
    if bad:
        raise UnsafeProgramme(f"refusing to show a home programme for a patient who is or may be pregnant: it "
                              f"would show {', '.join(bad)}, forbidden in pregnancy, easily mistaken for a "
                              f"forbidden point, or unknown")


def _press_sides(side: str) -> tuple[Side, ...]:
    if side == "both":
        return BOTH_SIDES
    return ("left",) if side == "left" else ("right",)


def _heat_first(plan: Plan, k: Knowledge) -> HeatFirst | None:
    thermal = plan.self_care.thermal
    if thermal not in HEAT_CHOICES or not plan.self_care.acupressure:
        return None
    h = k.self_care.acupressure.heat_first
    text = h.text if thermal == "heat" else f"{h.text} {h.flare_note}"
    return HeatFirst((h.minutes[0], h.minutes[1]), text, tuple(h.sources))


def build_programme(intake: Mapping[str, Any], plan: Plan, k: Knowledge) -> Programme:
    """The home programme of a readable plan; `NO_PROGRAMME` when the plan is not for treatment. Raises
    `UnsafeProgramme` (see the module's docstring)."""
    if not plan.treatment_allowed:
        return NO_PROGRAMME
    points = {p.code: p for p in k.points}
    check_pregnancy(intake, plan, points)
    care = plan.self_care
    press: list[PressPoint] = []
    for i, a in enumerate(care.acupressure):
        p = points[a.code]
        side = a.side or "both"
        press.append(PressPoint(
            code=p.code, name=p.pinyin, where=where_words(p, side), side=side, how=a.how, tool=a.tool,
            hold_minutes=(a.hold_minutes[0], a.hold_minutes[1]),
            times_per_day=(a.times_per_day[0], a.times_per_day[1]),
            figures=tuple(SideFigure(s, point_figure_svg(p, s, uid=f"press{i}{s[0]}")) for s in _press_sides(side)),
            adapted=a.adapted is not None, sources=tuple(a.sources),
            location_checked=p.location_status not in UNCHECKED_STATUSES,
        ))
    exercises = tuple(
        ExerciseItem(e.id, e.name, e.instructions, e.dosage, exercise_svg(e.id, e.name, f"ex{i}"),
                     adapted=e.adapted is not None, sources=tuple(e.sources))
        for i, e in enumerate(care.exercise_details)
    )
    advice = care.thermal_advice
    return Programme(
        thermal=care.thermal,
        thermal_text=advice.advice if advice else None,
        thermal_figure=thermal_svg(care.thermal),
        thermal_sources=tuple(advice.sources) if advice else (),
        heat_first=_heat_first(plan, k),
        press_how=k.self_care.acupressure.how if press else None,
        press_sources=tuple(k.self_care.acupressure.sources) if press else (),
        points=tuple(press),
        exercises=exercises,
        hold_off=tuple(Advice(e.name, e.reason, tuple(e.sources)) for e in care.exercises_to_hold_off),
        ergonomics=tuple(Advice(g.name, g.advice, tuple(g.sources)) for g in care.ergonomic_details),
        reasons=tuple(care.reasons),
        press_adapted=tuple(a.code for a in care.acupressure if a.adapted is not None),
        pregnant=(intake.get("patient") or {}).get("pregnant") is True,
        first_trimester=any(w.id == "pregnancy-first-trimester" for w in plan.warnings),
    )
