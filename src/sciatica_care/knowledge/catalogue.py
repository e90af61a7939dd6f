"""The knowledge catalogue as Markdown (docs/knowledge.md): every rule, point and source, generated from the data
so that it cannot drift; a test fails when the committed file is stale."""

from __future__ import annotations

from .load import load_knowledge
from .model import CPT, ICD10CM, LOINC, SNOMED, Code, Condition, Knowledge, SameDayModifier

HEADER = (
    "# Knowledge catalogue\n\n"
    "Generated from `src/sciatica_care/knowledge/data/*.yaml` by `sciatica-care knowledge catalogue`; "
    "do not edit by hand.\n"
)


def describe(c: Condition) -> str:
    """A condition in words: `pain.areas has any of posterior_calf, sole`."""
    parts = []
    if c.fact is not None:
        tests = []
        if c.recorded is not None:
            tests.append("is recorded" if c.recorded else "is not recorded")
        if c.equals is not None:
            tests.append(f"= {c.equals}")
        if c.any_of is not None:
            tests.append(f"has any of {', '.join(map(str, c.any_of))}")
        if c.all_of is not None:
            tests.append(f"has all of {', '.join(map(str, c.all_of))}")
        for word, bound in (("≥", c.at_least), (">", c.above), ("≤", c.at_most), ("<", c.below)):
            if bound is not None:
                tests.append(f"{word} {bound:g}")
        parts.append(f"`{c.fact}` {' and '.join(tests)}")
    if c.all is not None:
        parts.append("always" if not c.all else "(" + " AND ".join(describe(x) for x in c.all) + ")")
    if c.any is not None:
        parts.append("(" + " OR ".join(describe(x) for x in c.any) + ")")
    if c.none_of is not None:
        parts.append("NOT (" + " OR ".join(describe(x) for x in c.none_of) + ")")
    return " AND ".join(parts) if parts else "always"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def _src(ids: tuple[str, ...]) -> str:
    return ", ".join(ids)


def render_catalogue(k: Knowledge | None = None) -> str:
    k = k or load_knowledge()
    out = [HEADER, f"Knowledge version **{k.version}**: {len(k.points)} points, {len(k.safety)} safety rules, "
           f"{len(k.protocol.point_rules)} point rules, {len(k.sources)} sources.\n"]
    out += _triage(k) + _assessment(k) + _protocol(k) + _safety(k) + _self_care(k) + _schedule(k)
    out += _guideline(k) + _codes(k) + _points(k) + _sources(k)
    return "\n".join(out).rstrip() + "\n"


def _triage(k: Knowledge) -> list[str]:
    out = ["## Red flags and triage\n"]
    out += _table(["id", "group", "level", "question", "sources"],
                  [[f.id, f.group, f.level, f.question, _src(f.sources)] for f in k.triage.flags])
    out += ["### Derived flags\n"]
    out += _table(["id", "raises", "when", "reason", "sources"],
                  [[d.id, d.flag, describe(d.when), d.reason, _src(d.sources)] for d in k.triage.derived])
    out += ["### Escalations\n"]
    out += _table(["id", "level", "when", "reason", "sources"],
                  [[e.id, e.level, describe(e.when), e.reason, _src(e.sources)] for e in k.triage.escalations])
    return out


def _assessment(k: Knowledge) -> list[str]:
    a = k.assessment
    out = ["## Assessment\n", "### Phases (first match)\n"]
    out += _table(["phase", "when", "sources"], [[p.phase, describe(p.when), _src(p.sources)] for p in a.phases])
    out += [f"### Nerve roots (named when the weights reach {a.root_threshold:g})\n"]
    out += _table(["root", "finding", "when", "weight", "sources"],
                  [[r.root, f.reason, describe(f.when), f"{f.weight:g}", _src(f.sources)]
                   for r in a.roots for f in r.findings])
    out += [f"### Channels (named when the area weights reach {a.channel_threshold:g})\n"]
    out += _table(["channel", "areas and weights", "sources"],
                  [[c.channel, ", ".join(f"{area} {w:g}" for area, w in c.areas.items()), _src(c.sources)]
                   for c in a.channels])
    out += ["### Likely causes (likelihood = logistic of prior + weights)\n"]
    for c in a.causes:
        out += [f"**{c.id}** — {c.description} Prior {c.prior:g}. Sources: {_src(c.sources)}.\n"]
        out += _table(["finding", "when", "weight", "sources"],
                      [[f.reason, describe(f.when), f"{f.weight:+g}", _src(f.sources)] for f in c.findings])
    out += ["### TCM patterns\n"]
    out += _table(["pattern", "threshold", "signs", "principle"],
                  [[p.id, f"{p.threshold:g}", "; ".join(f"{s.reason} ({s.weight:g})" for s in p.signs), p.principle]
                   for p in a.patterns])
    return out


def _protocol(k: Knowledge) -> list[str]:
    p = k.protocol
    out = [f"## Protocol (at most {p.max_points} points and {p.max_pairs} electroacupuncture pairs)\n",
           "### Point rules (by priority)\n"]
    out += _table(["priority", "id", "when", "points (role)", "side", "reason", "sources"],
                  [[str(r.priority), r.id, describe(r.when), ", ".join(f"{c.code} ({c.role})" for c in r.points),
                    r.side, r.reason, _src(r.sources)] for r in sorted(p.point_rules, key=lambda r: r.priority)])
    out += ["### Electroacupuncture pairs\n"]
    out += _table(["priority", "id", "when", "pairs", "reason", "sources"],
                  [[str(r.priority), r.id, describe(r.when), "; ".join("–".join(x) for x in r.pairs), r.reason,
                    _src(r.sources)] for r in sorted(p.pair_rules, key=lambda r: r.priority)])
    out += ["### Electroacupuncture frequency (first match)\n"]
    out += _table(["id", "when", "Hz", "minutes", "reason", "sources"],
                  [[r.id, describe(r.when), r.frequency_hz, str(r.minutes), r.reason, _src(r.sources)]
                   for r in p.frequency_rules])
    out += [f"### Massage ({p.massage_frequency})\n"]
    out += _table(["id", "technique", "when", "acute phase", "targets", "sources"],
                  [[m.id, m.description, describe(m.when), m.acute, ", ".join(m.targets), _src(m.sources)]
                   for m in p.massage])
    out += [f"### Cupping\n\n{p.cupping.description} Sites: {', '.join(p.cupping.sites)}. "
            f"When: {describe(p.cupping.when)}. Sources: {_src(p.cupping.sources)}.\n"]
    return out


def _safety(k: Knowledge) -> list[str]:
    out = ["## Safety rules (applied last)\n"]
    rows = []
    for r in k.safety:
        effects = []
        if r.exclude is not None:
            e = r.exclude
            what = [*e.codes, *(f"region {x}" for x in e.regions)]
            if e.forbidden_in_pregnancy:
                what.append("points forbidden in pregnancy")
            effects.append(f"excludes {', '.join(what)}" + (" on the painful side" if e.side == "affected" else ""))
        if r.disallow:
            effects.append(f"disallows {', '.join(r.disallow)}")
        if r.no_pairs_in_areas_of:
            effects.append(f"no EA pair in areas of `{r.no_pairs_in_areas_of}`")
        if r.warning:
            effects.append(f"warns [{r.warning_id or r.id}]")
        rows.append([r.id, describe(r.when), "; ".join(effects), r.reason + (f" Evidence: {r.evidence}" if r.evidence
                                                                            else ""), _src(r.sources)])
    return out + _table(["id", "when", "effect", "reason", "sources"], rows)


def _self_care(k: Knowledge) -> list[str]:
    s = k.self_care
    out = ["## Self-care\n", "### Heat or ice (first match)\n"]
    out += _table(["id", "when", "thermal", "advice", "sources"],
                  [[t.id, describe(t.when), t.thermal, t.advice, _src(t.sources)] for t in s.thermal_rules])
    out += ["### Exercises\n"]
    out += _table(["id", "name", "when", "hold off when", "dosage", "sources"],
                  [[e.id, e.name, describe(e.when),
                    "; ".join(f"{describe(h.when)}: {h.text}" for h in e.hold_off) or "—", e.dosage,
                    _src(e.sources)] for e in s.exercises])
    out += ["### Ergonomics\n"]
    out += _table(["id", "when", "advice", "sources"],
                  [[e.id, describe(e.when), e.advice, _src(e.sources)] for e in s.ergonomics])
    d = s.acupressure
    out += [f"### Acupressure\n\nHold {d.hold_minutes[0]}–{d.hold_minutes[1]} minutes, "
            f"{d.times_per_day[0]}–{d.times_per_day[1]} times a day, at most {d.max_points} points. {d.how} "
            f"Sources: {_src(d.sources)}.\n",
            f"Heat first (only when the plan's heat or ice includes heat): {d.heat_first.text} With cold for "
            f"flare-ups and warmth for stiffness: {d.heat_first.flare_note} Sources: {_src(d.heat_first.sources)}.\n"]
    return out


def _schedule(k: Knowledge) -> list[str]:
    s = k.schedule
    out = ["## Schedule\n"]
    out += _table(["id", "when", "sessions a week", "course", "reason", "sources"],
                  [[b.id, describe(b.when), str(b.sessions_per_week), f"{b.course_sessions[0]}–{b.course_sessions[1]}",
                    b.reason, _src(b.sources)] for b in s.bands])
    out += [f"Review after {s.review_after_sessions} sessions without important improvement; suggest referral "
            f"after {s.refer_after_sessions}. Retention {s.retention_minutes[0]}–{s.retention_minutes[1]} minutes. "
            f"Taper: {s.taper}\n"]
    out += _table(["weeks", "goal", "sources"], [[p.weeks, p.goal, _src(p.sources)] for p in s.phases])
    return out


def _guideline(k: Knowledge) -> list[str]:
    g = k.guideline
    out = [f"## Guideline position ({g.id}, evidence {g.evidence_grade})\n", g.position + "\n",
           "Recommends: " + "; ".join(g.recommends) + "\n"]
    out += _table(["statement", "grade", "stated when", "sources"],
                  [[s.text, s.grade, describe(s.applies_when) if s.applies_when else "always", _src(s.sources)]
                   for s in g.statements])
    out += ["Consent note (" + "{involves}" + " names only the planned modalities): " + g.consent_note + "\n"]
    return out


def _code_cell(codes: tuple[Code, ...]) -> str:
    """Each code with its system's short name, whether it is verified, and where it is used."""
    short = {ICD10CM: "ICD-10-CM", SNOMED: "SNOMED CT", LOINC: "LOINC", CPT: "CPT"}
    return "; ".join(f"{short[c.system]} {c.code} {c.display} ({'verified' if c.verified else 'UNVERIFIED'}"
                     f"{', ' + '+'.join(c.used_in) if c.used_in else ', not used'})" for c in codes)


def _modifier_cell(m: SameDayModifier | None) -> str:
    if m is None:
        return ""
    return (f"{m.modifier} with {', '.join(m.with_modalities)} ({'verified' if m.verified else 'UNVERIFIED'}): "
            f"{m.note} Sources: {_src(m.sources)}")


def _codes(k: Knowledge) -> list[str]:
    c = k.codes
    out = ["## Standard codes\n",
           "Verified codes are the ones the checked facts list; only they go on a superbill (bill) or into an "
           "export (export).\n", "### Diagnoses\n"]
    out += _table(["id", "family", "name", "side", "region", "when", "codes", "sources"],
                  [[d.id, d.family, d.name, d.side or "", d.region or "", describe(d.when) if d.when else "",
                    _code_cell(d.codes) + (f" {d.note}" if d.note else ""), _src(d.sources)] for d in c.diagnoses])
    out += ["### Never recorded together (ICD-10-CM Excludes1)\n"]
    out += _table(["family", "not with", "note", "sources"],
                  [[x.family, ", ".join(x.not_with), x.note, _src(x.sources)] for x in c.excludes])
    out += ["### How a likely cause is coded\n"]
    out += _table(["cause", "diagnosis family", "note", "sources"],
                  [[x.cause, x.family or c.fallback.family, x.note, _src(x.sources)] for x in c.causes])
    f = c.fallback
    out += [f"Otherwise **{f.family}**, or **{f.back_pain_family}** when {describe(f.back_pain)}. {f.note} "
            f"Sources: {_src(f.sources)}.\n",
            "Disc region by nerve root: " + ", ".join(f"{r} {region}" for r, region in c.root_regions.items())
            + f". {c.root_regions_note}\n", "### Procedures\n"]
    out += _table(["id", "name", "modality", "add-on", "codes", "same-day modifier", "sources"],
                  [[p.id, p.name, p.modality, "yes" if p.add_on else "", _code_cell(p.codes) or (p.uncoded or ""),
                    _modifier_cell(p.same_day_modifier), _src(p.sources)] for p in c.procedures])
    out += ["### Measures\n"]
    out += _table(["id", "instrument", "name", "codes", "sources"],
                  [[m.id, m.instrument, m.name, _code_cell(m.codes) or (m.uncoded or ""), _src(m.sources)]
                   for m in c.measures])
    return out


def _points(k: Knowledge) -> list[str]:
    out = ["## Points\n"]
    rows = []
    for p in k.points:
        depth = f"{p.depth.min_cun:g}–{p.depth.max_cun:g} cun {p.depth.angle}"
        flags = "forbidden in pregnancy" if p.forbidden_in_pregnancy else ""
        rows.append([p.code, ", ".join(p.aliases), f"{p.pinyin} ({p.english})", p.channel, p.region,
                     p.location, p.location_status, depth,
                     "; ".join([*p.cautions, *(f"{c.text} (when {describe(c.when)})" for c in p.cautions_if),
                                *([flags] if flags else [])]),
                     _src(p.sources)])
    return out + _table(["code", "aliases", "name", "channel", "region", "location", "status", "depth", "cautions",
                         "sources"], rows)


def _sources(k: Knowledge) -> list[str]:
    out = ["## Sources\n"]
    return out + _table(["id", "kind", "title", "citation"], [[s.id, s.kind, s.title, s.citation] for s in k.sources])
