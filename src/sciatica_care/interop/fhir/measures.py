"""The outcome questionnaires as FHIR: a Questionnaire per instrument, and per score a QuestionnaireResponse (the
answers) and an Observation (the score).

Licensed wording never leaves: the ODI's and STarT Back's items are named by the project's own topic words (the
same words the app shows without a licence file), and a clinic's loaded wording is never read here. The
standard codes come from the codes knowledge: LOINC's where LOINC has the measure (pain NRS, ODI); the others
are coded in the project's own system (every measure carries its own code too).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sciatica_care.interop.fhir.canonical import (
    MEASURE,
    OBSERVATION_CATEGORY,
    QUESTIONNAIRE,
    UCUM,
    coding,
    concept,
    ref,
)
from sciatica_care.interop.fhir.people import instant
from sciatica_care.interop.fhir.rows import ExtraCodes, ScoreRow
from sciatica_care.interop.fhir.standard_codes import panel_codes
from sciatica_care.outcomes.instruments import INSTRUMENTS, Instrument

QUESTIONNAIRE_VERSION = "1"
MEASURES = {
    "nrs_leg": ("nrs", "Leg pain (NRS 0–10)", "Leg"),
    "nrs_back": ("nrs", "Back pain (NRS 0–10)", "Lower back"),
    "odi": ("odi", "Oswestry Disability Index", None),
    "rmdq": ("rmdq", "Roland-Morris Disability Questionnaire", None),
    "sbi": ("sbi", "Sciatica Bothersomeness Index", None),
    "startback": ("startback", "STarT Back Screening Tool", None),
}
#: Who filled the questionnaire in, by the score's `source`: the practitioner on the charting form, or the
#: patient on the clinic's tablet or through a one-time link.
BY_PATIENT = frozenset({"tablet", "link"})


def questionnaire_url(instrument_id: str) -> str:
    return f"{QUESTIONNAIRE}/{instrument_id}"


def _name(instrument: Instrument) -> str:
    return "".join(w[:1].upper() + w[1:] for w in instrument.id.replace("_", " ").split()) or "Questionnaire"


def questionnaire(instrument: Instrument) -> dict[str, Any]:
    """One instrument's structure: its items by our own topic words, each answered by a number in its range."""
    out: dict[str, Any] = {
        "resourceType": "Questionnaire", "id": instrument.id, "url": questionnaire_url(instrument.id),
        "version": QUESTIONNAIRE_VERSION, "name": _name(instrument), "title": instrument.name, "status": "active",
        "subjectType": ["Patient"],
        "description": (f"The {instrument.name}: each {instrument.item_word} by its topic in Sciatica Care's own "
                        "words, answered by a number."),
    }
    panel = panel_codes(instrument.id)
    if panel:
        out["code"] = list(panel)
    if instrument.licence:
        out["copyright"] = (f"{instrument.licence}. The items carry Sciatica Care's own topic words, never the "
                            "licensed wording.")
    out["item"] = [{"linkId": str(n), "text": item.topic, "type": "choice", "required": False,
                    "answerOption": [{"valueInteger": v} for v in range(item.low, item.high + 1)]}
                   for n, item in enumerate(instrument.items, start=1)]
    return out


def questionnaires() -> Iterator[dict[str, Any]]:
    for instrument in INSTRUMENTS.values():
        yield questionnaire(instrument)


def response_id(score_id: int) -> str:
    return str(score_id)


def _who_filled(row: ScoreRow) -> dict[str, Any]:
    return ref("Patient", row.patient_id) if row.source in BY_PATIENT else ref("Practitioner", row.recorded_by)


def response(row: ScoreRow) -> dict[str, Any]:
    """The answers as given (an unanswered item is left out, as FHIR asks)."""
    instrument = INSTRUMENTS.get(row.instrument)
    items = []
    for n, answer in enumerate(row.answers, start=1):
        if answer is None:
            continue
        item: dict[str, Any] = {"linkId": str(n)}
        if instrument is not None and n <= len(instrument.items):
            item["text"] = instrument.items[n - 1].topic
        item["answer"] = [{"valueInteger": int(answer)}]
        items.append(item)
    out: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse", "id": response_id(row.id),
        "meta": {"lastUpdated": instant(row.recorded_at)},
        "questionnaire": f"{questionnaire_url(row.instrument)}|{QUESTIONNAIRE_VERSION}",
        "status": "completed", "subject": ref("Patient", row.patient_id),
    }
    if row.visit_id is not None:
        out["encounter"] = ref("Encounter", row.visit_id)
    out["authored"] = instant(row.recorded_at)
    out["author"] = ref("Practitioner", row.recorded_by)
    out["source"] = _who_filled(row)
    if items:
        out["item"] = items
    return out


def _code(row: ScoreRow, extra: ExtraCodes) -> dict[str, Any]:
    _, label, _ = MEASURES.get(row.measure, (row.instrument, row.measure or row.instrument, None))
    ours = row.measure or row.instrument
    return concept(*extra.get(ours, ()), coding(MEASURE, ours, label), text=label)


def observation(row: ScoreRow, extra: ExtraCodes) -> dict[str, Any]:
    """The score, derived from the response; the band in words as its interpretation."""
    instrument = INSTRUMENTS.get(row.instrument)
    out: dict[str, Any] = {
        "resourceType": "Observation", "id": str(row.id), "meta": {"lastUpdated": instant(row.recorded_at)},
        "status": "final",
        "category": [concept(coding(OBSERVATION_CATEGORY, "survey", "Survey"))],
        "code": _code(row, extra), "subject": ref("Patient", row.patient_id),
    }
    if row.visit_id is not None:
        out["encounter"] = ref("Encounter", row.visit_id)
    out["effectiveDateTime"] = instant(row.recorded_at)
    out["issued"] = instant(row.recorded_at)
    out["performer"] = [_who_filled(row)]
    if row.score is None:
        out["dataAbsentReason"] = concept(text="Not scored")
    elif instrument is not None and instrument.method == "percent":
        out["valueQuantity"] = {"value": row.score, "unit": "%", "system": UCUM, "code": "%"}
    else:
        out["valueInteger"] = int(row.score)
    if row.band and instrument is not None:
        label = next((b.label for b in instrument.bands if b.id == row.band), row.band)
        out["interpretation"] = [concept(text=label)]
    site = MEASURES.get(row.measure, (None, None, None))[2]
    if site:
        out["bodySite"] = concept(text=site)
    out["derivedFrom"] = [ref("QuestionnaireResponse", response_id(row.id))]
    if row.subscale is not None:
        out["component"] = [{"code": concept(coding(MEASURE, f"{row.instrument}_subscale",
                                                    "Psychosocial subscale"), text="Psychosocial subscale"),
                             "valueInteger": row.subscale}]
    return out
