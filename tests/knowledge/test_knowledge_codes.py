"""Standard codes: the format of each system (table tests), the check digits, and the pure lookup API."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciatica_care.knowledge import codes as lookup
from sciatica_care.knowledge.code_formats import code_format_error, luhn_check_digit, verhoeff_valid
from sciatica_care.knowledge.model import CPT, ICD10CM, LOINC, SNOMED


@pytest.mark.parametrize(("system", "code"), [
    (ICD10CM, "M54.31"), (ICD10CM, "M54.32"), (ICD10CM, "M51.16"), (ICD10CM, "M48.062"), (ICD10CM, "G57.03"),
    (ICD10CM, "M54"), (ICD10CM, "S32.009A"),
    (SNOMED, "23056005"), (SNOMED, "22298006"), (SNOMED, "404684003"),
    (LOINC, "72514-3"), (LOINC, "97909-6"), (LOINC, "97908-8"), (LOINC, "8480-6"),
    (CPT, "97810"), (CPT, "97811"), (CPT, "97124"), (CPT, "0001F"), (CPT, "0042T"),
])
def test_well_formed_codes_pass(system: str, code: str) -> None:
    """Real codes of each system have the right shape and check digit."""
    assert code_format_error(system, code) is None


@pytest.mark.parametrize(("system", "code", "why"), [
    (ICD10CM, "M5431", "not an ICD-10-CM code"),
    (ICD10CM, "m54.31", "not an ICD-10-CM code"),
    (ICD10CM, "M54.31234", "not an ICD-10-CM code"),
    (ICD10CM, "5M4.31", "not an ICD-10-CM code"),
    (ICD10CM, "M54.", "not an ICD-10-CM code"),
    (SNOMED, "23056006", "Verhoeff"),
    (SNOMED, "02305600", "not a SNOMED CT id"),
    (SNOMED, "12345", "not a SNOMED CT id"),
    (SNOMED, "102018", "not a SNOMED CT concept id"),
    (LOINC, "72514-4", "expected 72514-3"),
    (LOINC, "72514", "not a LOINC code"),
    (LOINC, "12345678-9", "not a LOINC code"),
    (CPT, "+97811", "not a CPT code"),
    (CPT, "9781", "not a CPT code"),
    (CPT, "97810A", "not a CPT code"),
    (CPT, "9781X", "not a CPT code"),
    ("http://example.org/codes", "A1", "unknown code system"),
])
def test_malformed_codes_are_refused_with_the_reason(system: str, code: str, why: str) -> None:
    """A mistyped code is refused, saying what is wrong with it."""
    problem = code_format_error(system, code)
    assert problem is not None
    assert why in problem


@pytest.mark.parametrize(("digits", "check"), [("12345", 5), ("72514", 3), ("97909", 6), ("8480", 6), ("0", 0)])
def test_luhn_check_digit_table(digits: str, check: int) -> None:
    """The mod-10 check digit LOINC publishes (LOINC's own worked example is 12345 → 5)."""
    assert luhn_check_digit(digits) == check


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # generating from a regex, on a busy machine
@given(st.from_regex(r"[1-9][0-9]{5,12}", fullmatch=True), st.integers(0, 9))
def test_verhoeff_catches_every_single_digit_change(code: str, digit: int) -> None:
    """Changing one digit of a valid SNOMED CT id always breaks its check digit."""
    valid = next(code + str(d) for d in range(10) if verhoeff_valid(code + str(d)))
    pos = digit % len(valid)
    changed = valid[:pos] + str((int(valid[pos]) + 1 + digit % 9) % 10) + valid[pos + 1:]
    assert changed == valid or not verhoeff_valid(changed)


@pytest.mark.parametrize(("concept_id", "system", "code"), [
    ("sciatica_right", ICD10CM, "M54.31"), ("sciatica_left", ICD10CM, "M54.32"),
    ("disc_radiculopathy_lumbar", ICD10CM, "M51.16"), ("disc_radiculopathy_lumbosacral", ICD10CM, "M51.17"),
    ("lumbar_stenosis_with_claudication", ICD10CM, "M48.062"), ("sciatic_nerve_lesion_right", ICD10CM, "G57.01"),
    ("sciatic_nerve_lesion_left", ICD10CM, "G57.02"), ("sciatic_nerve_lesion_bilateral", ICD10CM, "G57.03"),
    ("acupuncture_initial", CPT, "97810"), ("acupuncture_additional", CPT, "97811"),
    ("electroacupuncture_initial", CPT, "97813"), ("electroacupuncture_additional", CPT, "97814"),
    ("massage", CPT, "97124"), ("manual_therapy", CPT, "97140"),
    ("nrs", LOINC, "72514-3"), ("odi", LOINC, "97909-6"), ("odi_panel", LOINC, "97908-8"),
])
def test_code_for_answers_the_checked_code(concept_id: str, system: str, code: str) -> None:
    """`code_for` gives each concept its code as facts.md §7 and §8 list it, verified."""
    found = lookup.code_for(concept_id)
    assert found is not None
    assert (found.system, found.code, found.verified) == (system, code, True)


def test_code_for_a_system_the_concept_lacks_is_none() -> None:
    """Asking for a system the concept has no code in answers None, not another system's code."""
    assert lookup.code_for("massage", SNOMED) is None


def test_usable_code_never_answers_an_unverified_code() -> None:
    """The SNOMED CT sciatica code awaits confirmation and M43.16 is unverified: neither is usable anywhere."""
    assert lookup.code_for("sciatica_right", SNOMED) is not None
    assert lookup.usable_code("sciatica_right", "export", SNOMED) is None
    assert lookup.usable_code("spondylolisthesis_lumbar", "bill") is None
    assert lookup.usable_code("sciatica_right", "bill").code == "M54.31"  # type: ignore[union-attr]


def test_an_unknown_concept_raises() -> None:
    """An id no concept has raises UnknownConcept (a KeyError), never a silent None."""
    with pytest.raises(lookup.UnknownConcept):
        lookup.code_for("no_such_concept")


def test_uncoded_concepts_say_why() -> None:
    """Cupping and the RMDQ have no checked code: they carry the reason instead."""
    assert lookup.code_for("cupping") is None
    assert "cupping" in (lookup.procedure("cupping").uncoded or "").lower()
    assert lookup.measure_for_instrument("rmdq") is not None


def test_concept_for_code_reverses_the_lookup() -> None:
    """A code leads back to its concept."""
    found = lookup.concept_for_code(CPT, "97813")
    assert found is not None
    assert found.id == "electroacupuncture_initial"


def test_every_measure_names_an_instrument_of_the_outcomes_package() -> None:
    """A measure's instrument id is one the scorer knows."""
    from sciatica_care.outcomes.instruments import INSTRUMENTS

    for m in lookup.codes().measures:
        assert m.instrument in INSTRUMENTS
