"""The checks of `codes.yaml` no type can express, each error as (path, message) under the file `codes`.

Every code is well formed for its system; a code put on a bill or in an export is verified; only ICD-10-CM and CPT
codes go on a bill, and never a category that has more specific codes listed; every contract cause is coded once;
every family a cause or the fallback names exists, and a family told apart by side has the right, left and
unspecified members that coding a side (or both sides) needs; a procedure or measure has codes or says why not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .code_formats import code_format_error
from .facts import CAUSES, ROOTS
from .model import CPT, ICD10CM, Code, Codes, Measure, Procedure

_BILLED_SYSTEMS = frozenset({ICD10CM, CPT})


def code_errors(codes: Codes) -> Iterator[tuple[str, str]]:
    yield from _each_code(codes)
    yield from _concept_ids(codes)
    yield from _families(codes)
    yield from _causes(codes)
    yield from _uncoded(codes)
    for root in ROOTS:
        if root not in codes.root_regions:
            yield "root_regions", f"no region for the nerve root {root!r}"


def _all_codes(codes: Codes) -> Iterator[tuple[str, Code]]:
    for group, concepts in codes.groups():
        for i, concept in enumerate(concepts):
            for j, code in enumerate(concept.codes):
                yield f"{group}[{i}] {concept.id}.codes[{j}]", code


def _each_code(codes: Codes) -> Iterator[tuple[str, str]]:
    billed_icd = {c.code for _, c in _all_codes(codes) if c.system == ICD10CM and "bill" in c.used_in}
    displays: dict[tuple[str, str], str] = {}
    for path, code in _all_codes(codes):
        if (problem := code_format_error(code.system, code.code)) is not None:
            yield path, problem
        if code.used_in and not code.verified:
            yield path, (f"the unverified code {code.code!r} cannot be used in {' or '.join(code.used_in)}: verify "
                         "it against the checked facts or leave used_in empty")
        if "bill" in code.used_in and code.system not in _BILLED_SYSTEMS:
            yield path, f"only ICD-10-CM and CPT codes go on a bill, not {code.system}"
        if code.system == ICD10CM and "bill" in code.used_in:
            finer = sorted(c for c in billed_icd if c != code.code and c.startswith(code.code))
            if finer:
                yield path, f"{code.code!r} is a category with more specific codes ({', '.join(finer)}): not billable"
        seen = displays.setdefault((code.system, code.code), code.display)
        if seen != code.display:
            yield path, f"{code.code!r} is displayed as {seen!r} elsewhere: one code, one display"


def _concept_ids(codes: Codes) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for group, concepts in codes.groups():
        for i, concept in enumerate(concepts):
            if concept.id in seen:
                yield f"{group}[{i}]", f"duplicate concept id {concept.id!r}"
            seen.add(concept.id)
            systems: list[str] = [c.system for c in concept.codes]
            for system in sorted({s for s in systems if systems.count(s) > 1}):
                yield f"{group}[{i}] {concept.id}.codes", f"two codes of {system}: one a system per concept"


def _families(codes: Codes) -> Iterator[tuple[str, str]]:
    for i, d in enumerate(codes.diagnoses):
        if sum(c.system == ICD10CM for c in d.codes) != 1:
            yield f"diagnoses[{i}] {d.id}.codes", "a diagnosis needs its ICD-10-CM code"
    families: dict[str, list[int]] = {}
    for i, d in enumerate(codes.diagnoses):
        families.setdefault(d.family, []).append(i)
    for family, members in families.items():
        sides = [codes.diagnoses[i].side for i in members]
        if any(s is not None for s in sides):
            if None in sides:
                yield f"diagnoses[{members[0]}]", f"family {family!r}: every member or none has a side"
            for needed in ("right", "left", "unspecified"):
                if needed not in sides:
                    yield (f"diagnoses[{members[0]}]",
                           f"family {family!r} is told apart by side but has no {needed!r} member")
            for side in {s for s in sides if sides.count(s) > 1 and s is not None}:
                yield f"diagnoses[{members[0]}]", f"family {family!r} has two {side!r} members"
    named = [(f"causes[{i}] {c.cause}.family", c.family) for i, c in enumerate(codes.causes) if c.family]
    named += [(f"excludes[{i}].family", x.family) for i, x in enumerate(codes.excludes)]
    named += [(f"excludes[{i}].not_with", f) for i, x in enumerate(codes.excludes) for f in x.not_with]
    fallback = codes.fallback
    named += [("fallback.family", fallback.family), ("fallback.back_pain_family", fallback.back_pain_family)]
    for path, family in named:
        if family not in families:
            yield path, f"unknown diagnosis family {family!r}"
    for path, family in named[-2:]:  # the fallback's two families, added last
        if family in families and not any(codes.diagnoses[i].side for i in families[family]):
            yield path, f"the fallback family {family!r} must be told apart by side"


def _causes(codes: Codes) -> Iterator[tuple[str, str]]:
    given = [c.cause for c in codes.causes]
    for missing in sorted(set(CAUSES) - set(given)):
        yield "causes", f"no coding for the contract's cause {missing!r}"
    for i, cause in enumerate(given):
        if cause not in CAUSES:
            yield f"causes[{i}]", f"{cause!r} is not a cause of the contract"
        elif given.index(cause) != i:
            yield f"causes[{i}]", f"the cause {cause!r} is coded twice"


def _uncoded(codes: Codes) -> Iterator[tuple[str, str]]:
    uncodable: tuple[tuple[str, tuple[Procedure | Measure, ...]], ...] = (
        ("procedures", codes.procedures), ("measures", codes.measures))
    for group, concepts in uncodable:
        for i, concept in enumerate(concepts):
            if bool(concept.codes) == bool(concept.uncoded):
                yield f"{group}[{i}] {concept.id}", "give codes, or say in `uncoded` why there is none (not both)"
    for i, p in enumerate(codes.procedures):
        same_day = p.same_day_modifier
        if same_day is not None and not re.fullmatch(r"[0-9A-Z]{2}", same_day.modifier):
            yield (f"procedures[{i}] {p.id}.same_day_modifier",
                   f"{same_day.modifier!r} is not a CPT modifier (2 characters)")
    initial = {p.modality for p in codes.procedures if not p.add_on and p.codes}
    for i, p in enumerate(codes.procedures):
        if p.add_on and p.modality not in initial:
            yield f"procedures[{i}] {p.id}", f"an add-on code needs an initial code for {p.modality!r}"
