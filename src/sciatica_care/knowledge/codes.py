"""Look up the standard codes of a concept (a diagnosis, procedure or measure id of `codes.yaml`), pure and cached.

`code_for("sciatica_right")` is the concept's ICD-10-CM, CPT or LOINC code (the first it lists);
`code_for("sciatica_right", SNOMED)` asks for one system; `usable_code(...)` answers only a verified code that may
go where it is asked for (a bill or an export), so a caller can never put an unverified code there by accident.
"""

from __future__ import annotations

from functools import cache

from .load import load_knowledge
from .model import Code, Codes, CodeUse, Concept, Diagnosis, Measure, Procedure


class UnknownConcept(KeyError):
    """No diagnosis, procedure or measure has this id."""


def codes() -> Codes:
    return load_knowledge().codes


@cache
def _concepts() -> dict[str, Concept]:
    return {c.id: c for _, group in codes().groups() for c in group}


def concept(concept_id: str) -> Concept:
    """The diagnosis, procedure or measure with this id; raises UnknownConcept."""
    try:
        return _concepts()[concept_id]
    except KeyError:
        raise UnknownConcept(concept_id) from None


def concept_ids() -> tuple[str, ...]:
    return tuple(_concepts())


def code_for(concept_id: str, system: str | None = None) -> Code | None:
    """The concept's code in `system` (its first code when no system is given); None when it has none."""
    for code in concept(concept_id).codes:
        if system is None or code.system == system:
            return code
    return None


def usable_code(concept_id: str, use: CodeUse, system: str | None = None) -> Code | None:
    """The concept's code that may go on a bill or in an export (verified and marked for that use), or None."""
    for code in concept(concept_id).codes:
        if (system is None or code.system == system) and code.verified and use in code.used_in:
            return code
    return None


def concept_for_code(system: str, code: str) -> Concept | None:
    """The first concept carrying this code (SNOMED CT sciatica is shared by the sciatica sides)."""
    for c in _concepts().values():
        if any(x.system == system and x.code == code for x in c.codes):
            return c
    return None


def diagnosis(concept_id: str) -> Diagnosis:
    """A diagnosis by id; raises UnknownConcept for an unknown id or one that is not a diagnosis."""
    found = concept(concept_id)
    if not isinstance(found, Diagnosis):
        raise UnknownConcept(concept_id)
    return found


def procedure(concept_id: str) -> Procedure:
    found = concept(concept_id)
    if not isinstance(found, Procedure):
        raise UnknownConcept(concept_id)
    return found


def measure_for_instrument(instrument: str) -> Measure | None:
    """The scored measure of an instrument (the ODI's score, not its panel), or None."""
    for m in codes().measures:
        if m.instrument == instrument:
            return m
    return None
