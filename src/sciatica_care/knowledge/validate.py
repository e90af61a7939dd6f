"""Validate the knowledge base and report every error at once, each as `file: path: message`.

First pydantic checks every file against models derived from the record types in `model.py` (types, required
fields, vocabularies, no unknown keys). Then the checks no type can express: duplicate ids, references to
unknown sources, points, landmarks and red flags, conditions naming unknown facts or impossible values, and
rules that can never fire.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ForwardRef, Literal, Union, get_args, get_origin

import msgspec

from . import model
from .code_checks import code_errors
from .facts import CAUSES, FactSpec, fact_catalogue, intake_fact_paths
from .load import build, read_raw
from .model import (
    Assessment,
    Caution,
    Codes,
    Condition,
    Escalation,
    Guideline,
    Knowledge,
    Labels,
    Landmark,
    Point,
    Protocol,
    RedFlag,
    SafetyRule,
    Schedule,
    SelfCare,
    Source,
    Triage,
)
from .timing import SEE_WITHIN, clause_timings, is_slower

FILE_TYPES: dict[str, Any] = {
    "sources": list[Source], "landmarks": list[Landmark], "points": list[Point], "triage": Triage,
    "assessment": Assessment, "protocol": Protocol, "self_care": SelfCare, "safety": list[SafetyRule],
    "schedule": Schedule, "guideline": Guideline, "labels": Labels, "codes": Codes,
}
_MODEL_PREFIX = "Checked"
#: Words that put the patient on their back: an instruction using them must list the `supine` position.
_SUPINE_WORDS = re.compile(r"face[- ]up|on (?:your|the) back|lying flat|lie flat", re.IGNORECASE)
#: AACP lists BL31–34 (the sacral foramina) among the points forbidden in pregnancy.
_FORBIDDEN_BY_CODE = frozenset({"BL31", "BL32", "BL33", "BL34"})


def validate_all(directory: Path | None = None) -> list[str]:
    """Every error in the knowledge files under `directory` (the packaged data by default)."""
    import yaml

    try:
        raw = read_raw(directory)
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        return [f"(files): cannot read the knowledge files: {exc}"]
    return validate_raw(raw)


def validate_raw(raw: dict[str, Any]) -> list[str]:
    errors = _type_errors(raw)
    if errors:
        return errors
    return _Semantics(build(raw)).run()


def _pydantic_type(tp: Any, namespace: dict[str, Any] | None) -> Any:
    """The same type with every record type replaced by its pydantic model (or a forward reference to it)."""
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        ref = _MODEL_PREFIX + tp.__name__  # a name no module defines, so it resolves only to our models
        return namespace[ref] if namespace is not None else ForwardRef(ref)
    origin, args = get_origin(tp), get_args(tp)
    if origin is None or origin is Literal:
        return tp
    mapped = tuple(a if a is Ellipsis else _pydantic_type(a, namespace) for a in args)
    if origin in (Union, types.UnionType):
        return Union[mapped]  # noqa: UP007 - built from a runtime tuple of types
    return origin[mapped]


def pydantic_models() -> dict[str, Any]:
    """A pydantic model for every record type of `model.py`, refusing unknown keys."""
    from pydantic import ConfigDict, Field, create_model

    structs = [v for v in vars(model).values()
               if isinstance(v, type) and issubclass(v, msgspec.Struct) and v is not msgspec.Struct]
    models: dict[str, Any] = {}
    for cls in structs:
        fields: dict[str, Any] = {}
        for f in msgspec.structs.fields(cls):
            kind = _pydantic_type(f.type, None)
            if f.required:
                fields[f.name] = (kind, ...)
            elif f.default_factory is not msgspec.NODEFAULT:
                fields[f.name] = (kind, Field(default_factory=f.default_factory))
            else:
                fields[f.name] = (kind, f.default)
        models[_MODEL_PREFIX + cls.__name__] = create_model(
            cls.__name__, __config__=ConfigDict(extra="forbid", defer_build=True), **fields)
    for m in models.values():
        m.model_rebuild(_types_namespace=models)
    return models


def _type_errors(raw: dict[str, Any]) -> list[str]:
    from pydantic import TypeAdapter, ValidationError

    models = pydantic_models()
    errors = []
    if not isinstance(raw.get("version"), str):
        errors.append("version.yaml: version: must be a string")
    for name, kind in FILE_TYPES.items():
        try:
            TypeAdapter(_pydantic_type(kind, models)).validate_python(raw.get(name))
        except ValidationError as exc:
            for e in exc.errors():
                errors.append(f"{name}.yaml: {_loc(e['loc'])}: {e['msg']}")
    return errors


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "tuple[", "list[", "Condition")):
            out += f".{part}" if out else str(part)
    return out or "(file)"


def _walk(node: object, path: str) -> Iterator[tuple[str, object]]:
    """Every record under `node`, with its path."""
    if isinstance(node, msgspec.Struct):
        yield path, node
        for name in node.__struct_fields__:
            yield from _walk(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, tuple | list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{path}[{i}]")


class _Semantics:
    def __init__(self, k: Knowledge) -> None:
        self.k = k
        self.errors: list[str] = []
        self.sources = {s.id for s in k.sources}
        self.codes = {p.code for p in k.points}
        self.catalogue = fact_catalogue(tuple(p.id for p in k.assessment.patterns))
        self.intake_facts = {path for path, _ in intake_fact_paths()}
        self.areas = self.catalogue["pain.areas"].values or frozenset()
        self.medical = self.catalogue["medical"].values or frozenset()

    def error(self, file: str, path: str, message: str) -> None:
        self.errors.append(f"{file}.yaml: {path}: {message}")

    def run(self) -> list[str]:
        for field in FILE_TYPES:
            self.check_sources(field, getattr(self.k, field))
            self.check_conditions(field, getattr(self.k, field))
        self.check_duplicates()
        self.check_points()
        self.check_triage()
        self.check_assessment()
        self.check_protocol()
        self.check_first_match_lists()
        self.check_safety()
        self.check_positions()
        self.check_only_what_applies()
        self.check_wording()
        self.check_labels()
        self.check_names()
        for path, message in code_errors(self.k.codes):
            self.error("codes", path, message)
        return self.errors

    def check_names(self) -> None:
        """Every record shown to a person by name has a readable one, not an id (snake_case or kebab-case)."""
        named: tuple[tuple[str, str, tuple[RedFlag | Escalation | SafetyRule, ...]], ...] = (
            ("triage", "flags", self.k.triage.flags), ("triage", "escalations", self.k.triage.escalations),
                 ("safety", "", self.k.safety))
        for file, part, records in named:
            for i, record in enumerate(records):
                where = f"{part}[{i}] {record.id}".lstrip()
                if not record.name.strip() or _ID_LIKE.search(record.name) or record.name == record.id:
                    self.error(file, f"{where}.name", f"{record.name!r} reads as an id: give a name a person reads")

    # -- references ------------------------------------------------------------------------------------------
    def check_sources(self, file: str, node: object) -> None:
        for path, item in _walk(node, ""):
            for sid in getattr(item, "sources", ()) if not isinstance(item, Source) else ():
                if sid not in self.sources:
                    self.error(file, f"{path}.sources" if path else "sources", f"unknown source id {sid!r}")

    def check_duplicates(self) -> None:
        k = self.k
        groups: list[tuple[str, str, list[str]]] = [
            ("sources", "id", [s.id for s in k.sources]),
            ("landmarks", "id", [x.id for x in k.landmarks]),
            ("triage", "flags.id", [f.id for f in k.triage.flags]),
            ("triage", "derived.id", [d.id for d in k.triage.derived]),
            ("triage", "escalations.id", [e.id for e in k.triage.escalations]),
            ("assessment", "causes.id", [c.id for c in k.assessment.causes]),
            ("assessment", "patterns.id", [p.id for p in k.assessment.patterns]),
            ("assessment", "findings.id", [f.id for c in k.assessment.causes for f in c.findings]
             + [f.id for p in k.assessment.patterns for f in p.signs]
             + [f.id for r in k.assessment.roots for f in r.findings]),
            ("protocol", "point_rules.id", [r.id for r in k.protocol.point_rules]),
            ("protocol", "pair_rules.id", [r.id for r in k.protocol.pair_rules]),
            ("protocol", "frequency_rules.id", [r.id for r in k.protocol.frequency_rules]),
            ("protocol", "massage.id", [m.id for m in k.protocol.massage]),
            ("self_care", "exercises.id", [e.id for e in k.self_care.exercises]),
            ("self_care", "ergonomics.id", [e.id for e in k.self_care.ergonomics]),
            ("self_care", "thermal_rules.id", [t.id for t in k.self_care.thermal_rules]),
            ("safety", "id", [s.id for s in k.safety]),
            ("schedule", "bands.id", [b.id for b in k.schedule.bands]),
            ("guideline", "statements.id", [s.id for s in k.guideline.statements]),
        ]
        names: dict[str, str] = {}
        named: set[tuple[str, str]] = set()
        for p in k.points:
            for name in (p.code, *p.aliases):
                # Charting finds a point by any of its names whatever the case, spaces, hyphens or underscores
                # (LI-4, li 4): two points must not meet under that looser key either.
                key = "".join(c for c in name.upper() if c not in " -_")
                if key in names and names[key] != p.code:
                    self.error("points", p.code, f"code or alias {name!r} is also used by {names[key]}")
                elif (p.code, name.upper()) in named:
                    self.error("points", p.code, f"code or alias {name!r} is listed twice")
                named.add((p.code, name.upper()))
                names[key] = p.code
        for file, field, ids in groups:
            seen: set[str] = set()
            for i in ids:
                if i in seen:
                    self.error(file, field, f"duplicate id {i!r}")
                seen.add(i)

    def check_points(self) -> None:
        landmarks = {x.id: x for x in self.k.landmarks}
        for i, p in enumerate(self.k.points):
            where = f"[{i}] {p.code}"
            for area in p.areas:
                if area not in self.areas:
                    self.error("points", f"{where}.areas", f"unknown pain area {area!r}")
            if p.depth.min_cun > p.depth.max_cun:
                self.error("points", f"{where}.depth", "min_cun is greater than max_cun")
            pl = p.placement
            if pl is None:
                if p.code != "ASHI":
                    self.error("points", f"{where}.placement", "every point but ASHI needs a placement")
                continue
            for name in (pl.landmark, pl.toward):
                if name is None:
                    continue
                mark = landmarks.get(name)
                if mark is None:
                    self.error("points", f"{where}.placement", f"unknown landmark {name!r}")
                elif pl.view not in mark.views:
                    self.error("points", f"{where}.placement", f"landmark {name!r} is not drawn in the {pl.view} view")
            if (pl.toward is None) != (pl.fraction is None):
                self.error("points", f"{where}.placement", "toward and fraction go together")
            if pl.fraction is not None and not 0 < pl.fraction < 1:
                self.error("points", f"{where}.placement.fraction", "must lie between 0 and 1")
        for i, p in enumerate(self.k.points):
            where = f"[{i}] {p.code}"
            for code in p.confusable_with:
                if code not in self.codes or code == p.code:
                    self.error("points", f"{where}.confusable_with", f"unknown or own point code {code!r}")
            if p.code in _FORBIDDEN_BY_CODE and not p.forbidden_in_pregnancy:
                self.error("points", f"{where}.forbidden_in_pregnancy", "BL31–34 are forbidden in pregnancy (AACP)")

    def check_triage(self) -> None:
        flags = self.catalogue["red_flags"].values or frozenset()
        given = {f.id for f in self.k.triage.flags}
        for missing in sorted(flags - given, key=str):
            self.error("triage", "flags", f"no entry for the contract's red flag {missing!r}")
        for extra in sorted(given - flags):
            self.error("triage", "flags", f"{extra!r} is not a red flag of the contract")
        for i, d in enumerate(self.k.triage.derived):
            if d.flag not in flags:
                self.error("triage", f"derived[{i}].flag", f"unknown red flag {d.flag!r}")
        self.check_referral_timing()

    def check_labels(self) -> None:
        """Every choice of the intake schema has a label and nothing is labelled that the schema lacks; every
        labelled field is a field of the schema; every flag group is named; every item a safety rule's `site`
        guards has its site question (and only medical items have one); the regions hold every body area once;
        the MRC grades are the power scale's."""
        from ..contract import intake_schema

        labels = self.k.labels
        schema = intake_schema()
        values = set(schema_choices(schema))
        for missing in sorted(values - set(labels.choices)):
            self.error("labels", "choices", f"no label for the intake schema's choice {missing!r}")
        for extra in sorted(set(labels.choices) - values):
            self.error("labels", f"choices.{extra}", "not a choice of the intake schema")
        paths = set(schema_field_paths(schema))
        for path in labels.fields:
            if path not in paths:
                self.error("labels", f"fields.{path}", "not a field of the intake schema")
        groups = {f.group for f in self.k.triage.flags}
        for group in sorted(groups - set(labels.flag_groups)):
            self.error("labels", "flag_groups", f"no heading for the red-flag group {group!r}")
        bound = {r.site.item for r in self.k.safety if r.site is not None}
        for item in sorted(bound - set(labels.site_questions)):
            self.error("labels", "site_questions", f"no question for the site-bound item {item!r}")
        for item in sorted(set(labels.site_questions) - set(self.medical), key=str):
            self.error("labels", f"site_questions.{item}", "not a medical item of the intake schema")
        placed = [a for region in labels.area_regions for a in region.areas]
        for area in sorted(set(self.areas) - set(placed), key=str):
            self.error("labels", "area_regions", f"the body area {area!r} is in no region")
        for i, area in enumerate(placed):
            if area not in self.areas or placed.index(area) != i:
                self.error("labels", "area_regions", f"{area!r} is not a body area or is placed twice")
        power = schema["properties"]["examination"]["properties"]["power"]["additionalProperties"]
        if set(labels.mrc_grades) != set(range(power["minimum"], power["maximum"] + 1)):
            self.error("labels", "mrc_grades", f"the grades must be {power['minimum']} to {power['maximum']}")

    def check_referral_timing(self) -> None:
        """Every timing has its words and a fallback advice; a same-day-or-sooner item stops treatment (level at
        least urgent), a routine level has no referral; no advice text states a slower timing than its own."""
        t = self.k.triage
        for sw in SEE_WITHIN:
            if sw not in {w.see_within for w in t.timing}:
                self.error("triage", "timing", f"no words for see_within {sw!r}")
            if (sw, None) not in {(a.see_within, a.level) for a in t.advice}:
                self.error("triage", "advice", f"no advice for see_within {sw!r} (an entry without a level)")
        seen: set[tuple[str, str | None]] = set()
        for i, a in enumerate(t.advice):
            if (a.see_within, a.level) in seen:
                self.error("triage", f"advice[{i}]", f"a second entry for {a.see_within!r} at level {a.level!r}")
            seen.add((a.see_within, a.level))
            self._timing_text("triage", f"advice[{i}]", a.see_within, a.advice, a.patient_text)
        items = [(f"flags[{i}] {f.id}", f.level, f.see_within, (f.practitioner_advice, f.patient_text))
                 for i, f in enumerate(t.flags)]
        items += [(f"escalations[{i}] {e.id}", e.level, e.see_within, (e.advice or "", e.patient_text or ""))
                  for i, e in enumerate(t.escalations)]
        for path, level, see_within, texts in items:
            if see_within in ("now", "same_day") and level == "routine":
                self.error("triage", path, f"see_within {see_within!r} stops treatment, so the level cannot be routine")
            if level != "routine" and see_within == "none":
                self.error("triage", path, f"level {level!r} needs a doctor: see_within cannot be 'none'")
            self._timing_text("triage", path, see_within, *texts)

    def _timing_text(self, file: str, path: str, see_within: str, *texts: str) -> None:
        for text in texts:
            for clause, stated in clause_timings(text):
                if is_slower(stated, see_within):
                    self.error(file, path, f"states a slower timing ({stated}) than its see_within {see_within!r}: "
                                           f"{clause!r}")

    def check_assessment(self) -> None:
        a = self.k.assessment
        ids = [c.id for c in a.causes]
        for missing in sorted(set(CAUSES) - set(ids)):
            self.error("assessment", "causes", f"no entry for the contract's cause {missing!r}")
        for extra in sorted(set(ids) - set(CAUSES)):
            self.error("assessment", "causes", f"{extra!r} is not a cause of the contract")
        channels = self.catalogue["assessment.channels"].values or frozenset()
        for i, cmap in enumerate(a.channels):
            if cmap.channel not in channels:
                self.error("assessment", f"channels[{i}].channel", f"{cmap.channel!r} is not a channel of the contract")
            for area in cmap.areas:
                if area not in self.areas:
                    self.error("assessment", f"channels[{i}].areas", f"unknown pain area {area!r}")
        for i, cause in enumerate(a.causes):
            if not any(f.weight > 0 for f in cause.findings):
                self.error("assessment", f"causes[{i}] {cause.id}", "no finding can raise this cause")
        for i, pattern in enumerate(a.patterns):
            if sum(f.weight for f in pattern.signs if f.weight > 0) < pattern.threshold:
                self.error("assessment", f"patterns[{i}] {pattern.id}", "its signs can never reach its threshold")
        for i, roots in enumerate(a.roots):
            if sum(f.weight for f in roots.findings if f.weight > 0) < a.root_threshold:
                self.error("assessment", f"roots[{i}] {roots.root}", "its findings can never reach the threshold")

    def check_protocol(self) -> None:
        p = self.k.protocol
        for i, rule in enumerate(p.point_rules):
            for pick in rule.points:
                if pick.code not in self.codes:
                    self.error("protocol", f"point_rules[{i}] {rule.id}", f"unknown point code {pick.code!r}")
        for i, pair_rule in enumerate(p.pair_rules):
            for a, b in pair_rule.pairs:
                for code in (a, b):
                    if code not in self.codes:
                        self.error("protocol", f"pair_rules[{i}] {pair_rule.id}", f"unknown point code {code!r}")
                if a == b:
                    self.error("protocol", f"pair_rules[{i}] {pair_rule.id}", f"pair {a}–{b} joins a point to itself")
        for i, cap in enumerate(p.needle_caps):
            if cap.needles < 1:
                self.error("protocol", f"needle_caps[{i}] {cap.id}", "a needle cap must be at least 1")
        if not p.needle_caps:
            self.error("protocol", "needle_caps", "no needle cap: every session needs one")
        for area in p.cupping.areas:
            if area not in self.areas:
                self.error("protocol", "cupping.areas", f"unknown pain area {area!r}")
        for area in self.k.self_care.thermal_areas:
            if area not in self.areas:
                self.error("self_care", "thermal_areas", f"unknown pain area {area!r}")

    def check_safety(self) -> None:
        for i, rule in enumerate(self.k.safety):
            where = f"[{i}] {rule.id}"
            if rule.exclude is not None:
                for code in rule.exclude.codes:
                    if code not in self.codes:
                        self.error("safety", f"{where}.exclude", f"unknown point code {code!r}")
            if rule.warning_id is not None:
                if rule.warning_id not in self.medical:
                    self.error("safety", f"{where}.warning_id",
                               f"{rule.warning_id!r} is not a medical item; other warnings carry the rule id")
                elif rule.warning_id not in _values_tested(rule.when, "medical"):
                    self.error("safety", f"{where}.warning_id", "the rule's condition does not test that medical item")
            if rule.no_pairs_in_areas_of is not None:
                spec = self.catalogue.get(rule.no_pairs_in_areas_of)
                if spec is None or spec.values != self.areas:
                    self.error("safety", f"{where}.no_pairs_in_areas_of", "must name a fact listing pain areas")
            techniques = {t.id for t in self.k.protocol.massage}
            for tech in rule.omit_techniques:
                if tech not in techniques:
                    self.error("safety", f"{where}.omit_techniques", f"unknown massage technique {tech!r}")
            for name, lowest in (("max_depth_cun", 0.1), ("max_pairs", 0), ("needle_cap", 1)):
                value = getattr(rule, name)
                if value is not None and value < lowest:
                    self.error("safety", f"{where}.{name}", f"must be at least {lowest}")
            if rule.site is not None:
                if rule.site.item not in _values_tested(rule.when, "medical"):
                    self.error("safety", f"{where}.site.item", "the rule's condition does not test that medical item")
                if rule.site.unrecorded and rule.site.unrecorded_reason is None:
                    self.error("safety", f"{where}.site", "say why the unrecorded site holds treatment back")
            if rule.signs and not rule.warning:
                self.error("safety", f"{where}.signs", "warning signs need a warning to carry them")
            effects = (rule.warning, rule.exclude, rule.disallow, rule.no_pairs_in_areas_of, rule.omit_techniques,
                       rule.max_depth_cun, rule.max_pairs, rule.needle_cap, rule.no_supine, rule.site)
            if not any(e for e in effects if e is not None):
                self.error("safety", where, "the rule has no effect")

    def check_positions(self) -> None:
        """Position tags match the text: an instruction lying on the back says `supine`, its other version not."""
        texts: list[tuple[str, str, str, tuple[str, ...], str | None]] = [
            ("self_care", f"exercises[{i}] {e.id}", e.instructions, e.positions, e.instructions_no_supine)
            for i, e in enumerate(self.k.self_care.exercises)]
        texts += [("points", f"{p.code}.self_pressure", p.self_pressure.how, p.self_pressure.positions,
                   p.self_pressure.how_no_supine) for p in self.k.points if p.self_pressure is not None]
        for file, where, text, positions, other in texts:
            if _SUPINE_WORDS.search(text) and "supine" not in positions:
                self.error(file, f"{where}.positions", "the text lies on the back: list `supine`")
            if other is not None and _SUPINE_WORDS.search(other):
                self.error(file, where, "the version without lying on the back still lies on the back")
            if other is not None and "supine" not in positions:
                self.error(file, where, "a version without lying on the back, but `supine` is not listed")

    def check_first_match_lists(self) -> None:
        lists: list[tuple[str, str, tuple[Any, ...]]] = [
            ("assessment", "phases", self.k.assessment.phases),
            ("self_care", "thermal_rules", self.k.self_care.thermal_rules),
            ("schedule", "bands", self.k.schedule.bands),
            ("protocol", "frequency_rules", self.k.protocol.frequency_rules),
            ("protocol", "needle_caps", self.k.protocol.needle_caps),
        ]
        for file, field, items in lists:
            for i, item in enumerate(items):
                if _always(item.when) and i < len(items) - 1:
                    self.error(file, f"{field}[{i + 1}]", "can never fire: an earlier entry always matches")
            if field != "bands" and items and not _always(items[-1].when):
                self.error(file, field, "the last entry must always match, so every case gets an answer")

    # -- only what applies -----------------------------------------------------------------------------------
    def check_only_what_applies(self) -> None:
        """Text shown to every patient never mentions pregnancy; a pregnancy caution or note tests pregnancy."""
        k = self.k
        everyone: list[tuple[str, str, str | None]] = []
        for i, p in enumerate(k.points):
            where = f"[{i}] {p.code}"
            everyone += [("points", f"{where}.location", p.location), ("points", f"{where}.depth.note", p.depth.note)]
            everyone += [("points", f"{where}.cautions[{j}]", c) for j, c in enumerate(p.cautions)]
            if p.self_pressure is not None:
                everyone.append(("points", f"{where}.self_pressure.how", p.self_pressure.how))
        for i, e in enumerate(k.self_care.exercises):
            everyone += [("self_care", f"exercises[{i}].instructions", e.instructions),
                         ("self_care", f"exercises[{i}].dosage", e.dosage)]
        for i, g in enumerate(k.self_care.ergonomics):
            everyone.append(("self_care", f"ergonomics[{i}].advice", g.advice))
        gl = k.guideline
        everyone += [("guideline", "position", gl.position), ("guideline", "consent_note", gl.consent_note),
                     ("guideline", "consent_nothing_planned", gl.consent_nothing_planned)]
        everyone += [("guideline", f"recommends[{i}]", r) for i, r in enumerate(gl.recommends)]
        everyone += [("guideline", f"consent_modalities.{m}", t) for m, t in gl.consent_modalities.items()]
        everyone += [("guideline", f"statements[{i}].text", st.text)
                     for i, st in enumerate(gl.statements) if st.applies_when is None]
        everyone += [("assessment", f"causes[{i}].name", c.name)
                     for i, c in enumerate(k.assessment.causes) if c.applies_when is None]
        everyone.append(("assessment", "weights_note", k.assessment.weights_note))
        for file, path, text in everyone:
            if _mentions_pregnancy(text):
                self.error(file, path, "mentions pregnancy in text shown to every patient: move it into a "
                                       "caution or note whose `when` tests pregnancy")
        for file, node in (("points", k.points), ("self_care", k.self_care), ("guideline", k.guideline),
                           ("assessment", k.assessment)):
            for path, item in _walk(node, ""):
                if isinstance(item, Caution) and _mentions_pregnancy(item.text) \
                        and not _facts_tested(item.when) & PREGNANCY_FACTS:
                    self.error(file, path, "a pregnancy caution whose `when` does not test pregnancy or sex")
        if gl.consent_note.count("{involves}") != 1:
            self.error("guideline", "consent_note", "needs exactly one {involves} for the planned modalities")

    def check_wording(self) -> None:
        """Reasons and evidence statements say what was reported, not absolute claims ("releases", "cures")."""
        for file in ("protocol", "guideline", "safety", "self_care", "assessment", "points", "triage"):
            for path, item in _walk(getattr(self.k, file), ""):
                for name in ("reason", "text", "description", "evidence", "advice", "actions"):
                    value = getattr(item, name, None)
                    for text in (value if isinstance(value, tuple) else (value,)):
                        if isinstance(text, str) and (words := overstated(text)):
                            self.error(file, f"{path}.{name}" if path else name,
                                       f"absolute wording {', '.join(words)!r}: say what was reported and how "
                                       "strong the evidence is, or quote it")

    # -- conditions ------------------------------------------------------------------------------------------
    def check_conditions(self, file: str, node: object) -> None:
        for path, item in _walk(node, ""):
            if isinstance(item, Condition):
                intake_only = file == "triage"
                self._condition(file, path, item, intake_only)

    def _condition(self, file: str, path: str, c: Condition, intake_only: bool) -> None:
        branches = [b for b in (c.all, c.any, c.none_of) if b is not None]
        if c.fact is None:
            if _has_tests(c):
                self.error(file, path, "a test without a fact")
            if c.any is not None and not c.any:
                self.error(file, path, "can never fire: `any` of nothing")
            if c.all is not None:
                self._contradictions(file, path, c.all)
            return
        if branches:
            self.error(file, path, "a condition is either a leaf (fact + test) or a branch, not both")
        spec = self.catalogue.get(c.fact)
        if spec is None:
            self.error(file, path, f"unknown fact {c.fact!r}")
            return
        if intake_only and c.fact not in self.intake_facts:
            self.error(file, path, f"triage may only test intake facts, not {c.fact!r}")
        if not _has_tests(c):
            self.error(file, path, f"fact {c.fact!r} has no test")
        self._leaf_values(file, path, c, spec)

    def _leaf_values(self, file: str, path: str, c: Condition, spec: FactSpec) -> None:
        numeric = (c.at_least, c.above, c.at_most, c.below)
        if any(v is not None for v in numeric) and spec.kind != "number":
            self.error(file, path, f"numeric test on the non-numeric fact {c.fact!r}")
        if (c.all_of is not None) and spec.kind != "set":
            self.error(file, path, f"all_of needs a list fact; {c.fact!r} is not one")
        if c.equals is not None and spec.kind == "set":
            self.error(file, path, f"equals cannot test the list fact {c.fact!r}; use any_of or all_of")
        if c.equals is not None and spec.kind == "bool" and not isinstance(c.equals, bool):
            self.error(file, path, f"{c.fact!r} is true or false")
        values = [*(c.any_of or ()), *(c.all_of or ()), *(() if c.equals is None else (c.equals,))]
        if spec.values is not None:
            for v in values:
                if v not in spec.values:
                    self.error(file, path, f"can never fire: {v!r} is not a value of {c.fact!r}")
        if c.any_of is not None and not c.any_of:
            self.error(file, path, "can never fire: any_of an empty list")
        low = max((v for v in (c.at_least, c.above) if v is not None), default=None)
        high = min((v for v in (c.at_most, c.below) if v is not None), default=None)
        strict = c.above is not None or c.below is not None
        if low is not None and high is not None and (low > high or (low == high and strict)):
            self.error(file, path, "can never fire: its numeric bounds do not overlap")

    def _contradictions(self, file: str, path: str, parts: tuple[Condition, ...]) -> None:
        equals: dict[str, set[object]] = {}
        for part in parts:
            if part.fact is not None and part.equals is not None:
                equals.setdefault(part.fact, set()).add(part.equals)
        for fact, vals in equals.items():
            if len(vals) > 1:
                self.error(file, path, f"can never fire: {fact!r} cannot equal {sorted(map(str, vals))} at once")


def schema_choices(node: object) -> Iterator[str]:
    """Every value of every `enum` in a JSON Schema (choices of fields, items and keys), in order, with repeats."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "enum" and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from schema_choices(value)
    elif isinstance(node, list):
        for item in node:
            yield from schema_choices(item)


def schema_field_paths(schema: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """Every named property of a JSON Schema, as a dotted path (`examination.reflexes.knee`)."""
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        yield path
        if isinstance(sub, dict):
            yield from schema_field_paths(sub, path)


PREGNANCY_FACTS = frozenset({"patient.pregnant", "patient.sex", "patient.pregnancy_weeks"})
#: Absolute wording that overstates evidence; allowed only inside a quotation ("..." or “...”).
ABSOLUTE_WORDS = re.compile(r"\b(releases|cures?|proven|proves|guarantees?|eliminates)\b", re.IGNORECASE)
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")


_ID_LIKE = re.compile(r"[a-z0-9]+(?:[_][a-z0-9]+)+|[a-z]+(?:-[a-z0-9]+){2,}")


def overstated(text: str) -> list[str]:
    """The absolute words in `text` outside quotations."""
    return [m.group(0) for m in ABSOLUTE_WORDS.finditer(_QUOTED.sub("", text))]


def _facts_tested(c: Condition) -> set[str]:
    found = {c.fact} if c.fact else set()
    for branch in (c.all, c.any, c.none_of):
        for sub in branch or ():
            found |= _facts_tested(sub)
    return found


def _mentions_pregnancy(text: str | None) -> bool:
    return text is not None and "pregnan" in text.lower()


def _has_tests(c: Condition) -> bool:
    return any(v is not None for v in (c.equals, c.any_of, c.all_of, c.at_least, c.above, c.at_most, c.below,
                                       c.recorded))


def _always(c: Condition) -> bool:
    return c.fact is None and c.any is None and c.none_of is None and (c.all is None or not c.all)


def _values_tested(c: Condition, fact: str) -> set[object]:
    found: set[object] = set()
    if c.fact == fact:
        found.update(c.any_of or (), c.all_of or ())
    for branch in (c.all, c.any, c.none_of):
        for sub in branch or ():
            found |= _values_tested(sub, fact)
    return found
