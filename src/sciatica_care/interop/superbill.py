"""A superbill's content: who billed whom for what, with ICD-10-CM pointers, CPT units, fees and totals.

Pure: the clinic hands in what it holds (identifiers, the patient, each visit's date, practitioner, minutes and
its course's confirmed diagnoses, the fee schedule); this module applies the rules and answers a `Superbill`, or
refuses with every missing or wrong item named (`SuperbillRefused`), never a partial bill. Visits on one day are
billed together (one initial acupuncture code a day). Diagnoses are lettered A, B, C… in the order first met;
each line points at its course's diagnoses, at most four (the claim form's limit), primary first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from msgspec import Struct

from ..knowledge.codes import concept_for_code, usable_code
from ..knowledge.model import ICD10CM, Codes
from .billing_units import Acupuncture, DayMinutes, MinutesError, day_bill
from .diagnosis import combination_problems
from .identifiers import normal_ein, npi_problem

LETTERS = "ABCDEFGHIJKL"  # the claim form's twelve diagnosis pointers
POINTERS_PER_LINE = 4


class Provider(Struct, frozen=True, kw_only=True):
    name: str
    npi: str


class Billing(Struct, frozen=True, kw_only=True):
    """The clinic as the billing provider."""

    name: str
    npi: str
    tax_id: str
    address: str = ""
    phone: str = ""
    place_of_service: str


class Insured(Struct, frozen=True, kw_only=True):
    name: str
    date_of_birth: dt.date
    number: str
    address: str = ""
    sex: str = ""


class VisitCharge(Struct, frozen=True, kw_only=True):
    """One charted visit: its day, who treated, the minutes, and its course's confirmed ICD-10-CM codes."""

    date: dt.date
    practitioner: Provider
    minutes: DayMinutes
    diagnoses: tuple[str, ...]
    course: str = ""


class DiagnosisLine(Struct, frozen=True, kw_only=True):
    pointer: str
    code: str
    display: str


class ServiceLine(Struct, frozen=True, kw_only=True):
    date: dt.date
    place_of_service: str
    code: str
    display: str
    modifiers: tuple[str, ...]
    units: int
    pointers: str
    fee: Decimal
    charge: Decimal
    rendering: Provider


class Superbill(Struct, frozen=True, kw_only=True):
    billing: Billing
    patient: Insured
    providers: tuple[Provider, ...]
    diagnoses: tuple[DiagnosisLine, ...]
    lines: tuple[ServiceLine, ...]
    total: Decimal
    first_date: dt.date
    last_date: dt.date
    notes: tuple[str, ...] = ()


class Missing(Struct, frozen=True):
    """One reason a superbill cannot be made: what (`field`) and why."""

    field: str
    message: str


class SuperbillRefused(ValueError):
    def __init__(self, missing: Sequence[Missing]) -> None:
        self.missing = tuple(missing)
        super().__init__("; ".join(f"{m.field}: {m.message}" for m in self.missing))


def parse_fee(text: object) -> Decimal | None:
    """A fee as a non-negative amount with at most two decimals, or None when it is not one."""
    try:
        amount = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


def build_superbill(billing: Billing, patient: Insured, visits: Sequence[VisitCharge], fees: Mapping[str, object],
                    codes: Codes | None = None) -> Superbill:
    """The superbill for these visits; raises SuperbillRefused naming everything missing or wrong."""
    missing = _identifiers(billing, visits)
    letters = _diagnoses(visits, missing)
    days = _days(visits)
    lines: list[ServiceLine] = []
    notes: list[str] = []
    for day, group in days:
        try:
            bill = day_bill(_merged(group), codes)
        except MinutesError as exc:
            missing.append(Missing(f"visit {day.isoformat()}: {exc.field}", exc.message))
            continue
        notes += [f"{day.isoformat()}: {note}" for note in bill.notes]
        pointers = "".join(dict.fromkeys(letters[c] for v in group for c in v.diagnoses if c in letters))
        for line in bill.lines:
            fee = parse_fee(fees.get(line.code)) if line.code in fees else None
            if fee is None:
                missing.append(Missing(f"fee {line.code}", f"no fee for CPT {line.code} in the clinic's fee "
                                                            "schedule: set it on the Clinic settings page"))
                fee = Decimal("0.00")
            lines.append(ServiceLine(date=day, place_of_service=billing.place_of_service, code=line.code,
                                     display=line.display, modifiers=line.modifiers, units=line.units,
                                     pointers=pointers[:POINTERS_PER_LINE], fee=fee, charge=fee * line.units,
                                     rendering=group[0].practitioner))
    if visits and not lines and not missing:
        missing.append(Missing("minutes", "no billable time: chart the face-to-face minutes of each modality on "
                                          "the visits (8 minutes or more)"))
    if not visits:
        missing.append(Missing("visits", "no charted visit in this period"))
    if missing:
        raise SuperbillRefused(list(dict.fromkeys(missing)))
    providers = tuple(dict.fromkeys(v.practitioner for v in visits))
    return Superbill(billing=billing, patient=patient, providers=providers,
                     diagnoses=tuple(DiagnosisLine(pointer=p, code=c, display=_display(c)) for c, p in letters.items()),
                     lines=tuple(lines), total=sum((x.charge for x in lines), Decimal("0.00")),
                     first_date=days[0][0], last_date=days[-1][0], notes=tuple(notes))


def _identifiers(billing: Billing, visits: Sequence[VisitCharge]) -> list[Missing]:
    missing = []
    if not billing.npi:
        missing.append(Missing("clinic NPI", "not set: enter it on the Clinic settings page"))
    elif problem := npi_problem(billing.npi):
        missing.append(Missing("clinic NPI", problem))
    if not billing.tax_id:
        missing.append(Missing("clinic tax id", "not set: enter the clinic's EIN on the Clinic settings page"))
    elif normal_ein(billing.tax_id) is None:
        missing.append(Missing("clinic tax id", f"{billing.tax_id!r} is not an EIN (nine digits, 12-3456789)"))
    for provider in dict.fromkeys(v.practitioner for v in visits):
        if not provider.npi:
            missing.append(Missing(f"NPI of {provider.name}", "not set: the clinic admin enters it on the Staff page"))
        elif problem := npi_problem(provider.npi):
            missing.append(Missing(f"NPI of {provider.name}", problem))
    return missing


def _diagnoses(visits: Sequence[VisitCharge], missing: list[Missing]) -> dict[str, str]:
    """Each code's pointer letter, in the order first met; problems with a course's diagnoses go into `missing`."""
    letters: dict[str, str] = {}
    for course in dict.fromkeys(v.diagnoses for v in visits):
        ids = [c.id for c in (concept_for_code(ICD10CM, code) for code in course) if c is not None]
        missing += [Missing("diagnoses", problem) for problem in combination_problems(ids)]
    for v in visits:
        if not v.diagnoses:
            missing.append(Missing(f"diagnosis of {v.course or 'the course'}", "no confirmed ICD-10-CM diagnosis: "
                                   "the practitioner confirms it on the course's page"))
        for code in v.diagnoses:
            concept = concept_for_code(ICD10CM, code)
            if concept is None:
                missing.append(Missing(f"diagnosis {code}", "not an ICD-10-CM code of the knowledge base"))
            elif usable_code(concept.id, "bill", ICD10CM) is None:
                missing.append(Missing(f"diagnosis {code}", "unverified: it cannot go on a bill until it is checked; "
                                                            "confirm a verified diagnosis instead"))
            elif code not in letters:
                if len(letters) == len(LETTERS):
                    missing.append(Missing("diagnoses", f"more than {len(LETTERS)} diagnoses: bill a shorter period"))
                    continue
                letters[code] = LETTERS[len(letters)]
    return letters


def _days(visits: Sequence[VisitCharge]) -> list[tuple[dt.date, list[VisitCharge]]]:
    by_day: dict[dt.date, list[VisitCharge]] = {}
    for v in visits:
        by_day.setdefault(v.date, []).append(v)
    return sorted(by_day.items())


def _merged(group: Sequence[VisitCharge]) -> DayMinutes:
    """One day's visits as one day's minutes: one initial code a day, whoever charted it."""
    first = next((v.minutes.first or _only(v.minutes) for v in group if v.minutes.first or _only(v.minutes)), None)
    total = {name: sum(getattr(v.minutes, name) for v in group)
             for name in ("acupuncture", "electroacupuncture", "reinsertions", "massage", "manual_therapy")}
    both = total["acupuncture"] and total["electroacupuncture"]
    return DayMinutes(**total, first=first if both else None)


def _only(m: DayMinutes) -> Acupuncture | None:
    if m.acupuncture and not m.electroacupuncture:
        return "acupuncture"
    if m.electroacupuncture and not m.acupuncture:
        return "electroacupuncture"
    return None


def _display(code: str) -> str:
    concept = concept_for_code(ICD10CM, code)
    found = next((c for c in concept.codes if c.system == ICD10CM), None) if concept is not None else None
    return found.display if found is not None else code
