"""CPT units for one day's treatment, from the face-to-face minutes charted per modality.

Acupuncture (AAAOM; facts.md §8, §15): the first 15 minutes of personal one-on-one contact is the initial code,
97810 without electrical stimulation or 97813 with it, and each further 15 minutes *with re-insertion of needles*
is an add-on, +97811 or +97814. One initial code a day, never both: it belongs to the modality of the first 15
minutes, and each further 15-minute period is coded by the modality that filled most of it. Needle dwell time is
not face-to-face time and is never charted here. A period counts once past its mid-point (CPT's time rule, AAPC):
8 minutes for a unit. Whether a payer applies the 8-minute rule to acupuncture is payer-specific (unverified).

Massage 97124 and manual therapy 97140 follow CMS's 8-minute rule (Claims Processing Manual ch. 5 §20.2): the
total timed minutes of the day set the units (under 8 none, 8–22 one, 23–37 two, …); each code first gets its
whole 15-minute units, and the units left go to the codes with the most minutes left over.
"""

from __future__ import annotations

from typing import Literal

from msgspec import Struct
from msgspec.structs import replace

from ..knowledge.load import load_knowledge
from ..knowledge.model import CPT, Codes, Procedure

Acupuncture = Literal["acupuncture", "electroacupuncture"]
UNIT_MINUTES = 15
#: The most minutes of one modality on one day the chart accepts (a longer figure is a typing error).
MAX_MINUTES = 240
MAX_REINSERTIONS = 16
#: The procedures of `codes.yaml` these rules bill, by what they are.
INITIAL: dict[Acupuncture, str] = {"acupuncture": "acupuncture_initial",
                                   "electroacupuncture": "electroacupuncture_initial"}
ADD_ON: dict[Acupuncture, str] = {"acupuncture": "acupuncture_additional",
                                  "electroacupuncture": "electroacupuncture_additional"}
TIMED = ("massage", "manual_therapy")
ACUPUNCTURE_SOURCES = ("aaaom-codes", "aapc-time", "ama-cpt")
TIMED_SOURCES = ("cms-claims-ch5", "ama-cpt")


class DayMinutes(Struct, frozen=True, kw_only=True):
    """Face-to-face minutes of one day by modality, the needle re-insertions, and which acupuncture came first
    (needed only when both were given)."""

    acupuncture: int = 0
    electroacupuncture: int = 0
    reinsertions: int = 0
    first: Acupuncture | None = None
    massage: int = 0
    manual_therapy: int = 0


class BillingLine(Struct, frozen=True, kw_only=True):
    """One CPT line: the procedure (a `codes.yaml` id), its code, units, modifiers, and why."""

    procedure: str
    code: str
    display: str
    units: int
    add_on: bool = False
    modifiers: tuple[str, ...] = ()
    minutes: int
    reason: str
    sources: tuple[str, ...]


class DayBill(Struct, frozen=True, kw_only=True):
    lines: tuple[BillingLine, ...]
    notes: tuple[str, ...] = ()


class MinutesError(ValueError):
    """The minutes cannot be billed as given; `field` names the one at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def midpoint_units(minutes: int) -> int:
    """15-minute units once each period's mid-point is passed: under 8 none, 8–22 one, 23–37 two, 38–52 three."""
    return (max(minutes, 0) + UNIT_MINUTES // 2) // UNIT_MINUTES


def check_minutes(day: DayMinutes) -> None:
    """Raise MinutesError for a negative or implausible figure, or two acupuncture modalities without an order."""
    for field in ("acupuncture", "electroacupuncture", "massage", "manual_therapy"):
        value = getattr(day, field)
        if not 0 <= value <= MAX_MINUTES:
            raise MinutesError(field, f"minutes must be between 0 and {MAX_MINUTES}, not {value}")
    if not 0 <= day.reinsertions <= MAX_REINSERTIONS:
        raise MinutesError("reinsertions", f"must be between 0 and {MAX_REINSERTIONS}, not {day.reinsertions}")
    if day.acupuncture and day.electroacupuncture and day.first is None:
        raise MinutesError("first", "acupuncture with and without electrical stimulation on one day: say which "
                                    "came first (it takes the day's one initial code)")
    if day.first is not None and not getattr(day, day.first):
        raise MinutesError("first", f"{day.first} came first, but it has no minutes")


def acupuncture_periods(day: DayMinutes) -> list[Acupuncture]:
    """The modality of each billable 15-minute period of the day's acupuncture, in order."""
    order: list[Acupuncture] = ["acupuncture", "electroacupuncture"]
    if day.first == "electroacupuncture" or (day.first is None and not day.acupuncture):
        order.reverse()
    spans = [(m, getattr(day, m)) for m in order if getattr(day, m)]
    total = sum(minutes for _, minutes in spans)
    periods: list[Acupuncture] = []
    for i in range(midpoint_units(total)):
        start, end = i * UNIT_MINUTES, min((i + 1) * UNIT_MINUTES, total)
        best: tuple[int, Acupuncture] | None = None
        at = 0
        for modality, minutes in spans:
            overlap = max(0, min(end, at + minutes) - max(start, at))
            if overlap and (best is None or overlap > best[0]):
                best = (overlap, modality)
            at += minutes
        if best is not None:
            periods.append(best[1])
    return periods


def timed_units(minutes: dict[str, int]) -> dict[str, int]:
    """CMS's 8-minute rule over several timed codes: units by the day's total, shared by whole units first, then
    by the most minutes left over (a tie goes to the code listed first)."""
    units = {name: m // UNIT_MINUTES for name, m in minutes.items()}
    left = midpoint_units(sum(minutes.values())) - sum(units.values())
    remainders = sorted(minutes, key=lambda name: -(minutes[name] % UNIT_MINUTES))
    for name in remainders[:max(left, 0)]:
        units[name] += 1
    return {name: n for name, n in units.items() if n}


def day_bill(day: DayMinutes, codes: Codes | None = None) -> DayBill:
    """The CPT lines of one day's treatment; raises MinutesError for minutes that cannot be billed."""
    check_minutes(day)
    book = codes or load_knowledge().codes
    procedures = {p.id: p for p in book.procedures}
    lines: list[BillingLine] = []
    notes: list[str] = []
    periods = acupuncture_periods(day)
    if periods:
        first = periods[0]
        lines.append(_line(procedures[INITIAL[first]], 1, getattr(day, first), "The day's one initial code: the "
                           "first 15 minutes of one-on-one contact.", ACUPUNCTURE_SOURCES))
        further = periods[1:]
        if len(further) > day.reinsertions:
            notes.append(f"{len(further)} further 15-minute periods of acupuncture but {day.reinsertions} "
                         f"re-insertion(s) charted: an add-on code needs a re-insertion, so "
                         f"{day.reinsertions} add-on unit(s) are billed.")
            further = further[:day.reinsertions]
        for modality, add_on in ADD_ON.items():
            if n := further.count(modality):
                lines.append(_line(procedures[add_on], n, getattr(day, modality),
                                   "Each further 15 minutes with re-insertion of needles.", ACUPUNCTURE_SOURCES))
    elif day.acupuncture or day.electroacupuncture:
        notes.append("Acupuncture under 8 minutes of one-on-one contact is not billed.")
    timed = {name: getattr(day, name) for name in TIMED if getattr(day, name)}
    units = timed_units(timed)
    for name, minutes in timed.items():
        if name in units:
            lines.append(_line(procedures[name], units[name], minutes, "CMS 8-minute rule over the day's total "
                               f"timed minutes ({sum(timed.values())}).", TIMED_SOURCES))
        else:
            notes.append(f"{procedures[name].name}: {minutes} minute(s) add no unit under the 8-minute rule.")
    return DayBill(lines=tuple(_with_modifiers(lines, procedures)), notes=tuple(notes))


def _line(p: Procedure, units: int, minutes: int, reason: str, sources: tuple[str, ...]) -> BillingLine:
    code = next(c for c in p.codes if c.system == CPT)
    return BillingLine(procedure=p.id, code=code.code, display=code.display, units=units, add_on=p.add_on,
                       minutes=minutes, reason=reason, sources=sources)


def _with_modifiers(lines: list[BillingLine], procedures: dict[str, Procedure]) -> list[BillingLine]:
    billed = {procedures[x.procedure].modality for x in lines}
    out = []
    for line in lines:
        same_day = procedures[line.procedure].same_day_modifier
        if same_day is not None and billed & set(same_day.with_modalities):
            line = replace(line, modifiers=(*line.modifiers, same_day.modifier))
        out.append(line)
    return out
