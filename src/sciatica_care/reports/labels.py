"""Names a person reads for the ids a plan carries: red flags, escalations, safety rules and their warnings, TCM
patterns, channels, causes, massage techniques, exercises and everyday habits, each from its knowledge record. An
id the knowledge does not name is turned into words ("lower_back" → "Lower back"); no page or print shows a raw id.
"""

from __future__ import annotations

from ..knowledge.model import Knowledge


def humanise(value: str) -> str:
    """`posterior_thigh` → `Posterior thigh`; `pregnancy-not-recorded` → `Pregnancy not recorded`."""
    words = value.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


_TABLES: dict[int, tuple[Knowledge, dict[str, str]]] = {}


def _table(k: Knowledge) -> dict[str, str]:
    held = _TABLES.get(id(k))
    if held is not None and held[0] is k:
        return held[1]
    names: dict[str, str] = {}
    for t in k.protocol.massage:
        names[t.id] = t.name
    for c in k.assessment.causes:
        names[c.id] = c.name
    for ch in k.assessment.channels:
        names[ch.channel] = ch.name
    for p in k.assessment.patterns:
        names[p.id] = p.name
    for ex in k.self_care.exercises:
        names[ex.id] = ex.name
    for habit in k.self_care.ergonomics:
        names[habit.id] = habit.name
    for esc in k.triage.escalations:
        names[esc.id] = esc.name
    for f in k.triage.flags:
        names[f.id] = f.name
    for d in k.triage.derived:
        if d.flag in names:
            names[d.id] = names[d.flag]
    for r in k.safety:
        names[r.id] = r.name
        if r.warning_id:  # a warning raised by a medical item carries the item's id
            names.setdefault(r.warning_id, r.name)
    _TABLES[id(k)] = (k, names)
    return names


def name_of(value: str, knowledge: Knowledge) -> str | None:
    """The knowledge's name for an id, or None when the knowledge names no such id."""
    return _table(knowledge).get(value)


def label(value: object, knowledge: Knowledge | None = None) -> str:
    """The name of an id from the knowledge, else the id in words; "" for None."""
    if value is None:
        return ""
    if knowledge is None:
        from ..knowledge.load import load_knowledge

        knowledge = load_knowledge()
    text = str(value)
    return _table(knowledge).get(text) or humanise(text)


def headed(name: str, text: str) -> str:
    """`text` headed by `name` ("Bleeding risk: …"), unless the text already opens with it."""
    return text if text.lower().startswith(name.lower()) else f"{name}: {text}"
