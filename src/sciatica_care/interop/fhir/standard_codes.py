"""The standard codes FHIR resources carry beside the project's own, from the codes knowledge (`codes.yaml`): only
a code verified and marked for export is ever written (`knowledge.codes.usable_code`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sciatica_care.interop.fhir.canonical import coding
from sciatica_care.knowledge.codes import UnknownConcept, measure_for_instrument, usable_code

#: Our procedure codes and the concept of `codes.yaml` each is billed and exported as (its first 15 minutes: the
#: add-on codes count time, which a Procedure does not carry).
PROCEDURE_CONCEPTS = {"acupuncture": "acupuncture_initial", "electroacupuncture": "electroacupuncture_initial",
                      "massage": "massage", "cupping": "cupping"}
MEASURE_INSTRUMENTS = {"nrs_leg": "nrs", "nrs_back": "nrs", "odi": "odi", "rmdq": "rmdq", "sbi": "sbi",
                       "startback": "startback"}


def _exported(concept_id: str, system: str | None = None) -> tuple[dict[str, Any], ...]:
    try:
        code = usable_code(concept_id, "export", system)
    except UnknownConcept:
        return ()
    return (coding(code.system, code.code, code.display),) if code is not None else ()


@cache
def export_codes() -> dict[str, tuple[dict[str, Any], ...]]:
    """Standard codings by our procedure and measure codes (none where no verified code exists)."""
    out = {ours: _exported(concept) for ours, concept in PROCEDURE_CONCEPTS.items()}
    for measure, instrument in MEASURE_INSTRUMENTS.items():
        found = measure_for_instrument(instrument)
        out[measure] = _exported(found.id) if found is not None else ()
    return out


def diagnosis_codings(concept_ids: tuple[str, ...], system: str) -> tuple[dict[str, Any], ...]:
    """The exportable codes (in `system`) of the diagnoses recorded on a course, in their order."""
    return tuple(c for concept_id in concept_ids for c in _exported(concept_id, system))


def panel_codes(instrument_id: str) -> tuple[dict[str, Any], ...]:
    """The code of an instrument's whole questionnaire (LOINC's ODI panel), when one is verified for export."""
    return _exported(f"{instrument_id}_panel")
