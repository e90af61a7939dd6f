"""The words a questionnaire is asked in: ours by default, or the licensed wording a clinic loads from a file.

The ODI (Mapi Research Trust) and STarT Back (Keele University) wording is copyrighted: the project ships only
their section topics, in its own words, and a clinic supplies the wording its licence allows. RMDQ, SBI and NRS
come with questions in the project's own words.

A wording file (YAML or JSON; the normalised copy the `instruments load` command writes is JSON):

    schema_version: "1"
    instrument: odi                 # odi, rmdq, sbi, startback or nrs
    licence: "ODI 2.1a, used under licence … for …"   # required for odi and startback
    language: en-GB                 # optional
    instructions: "…"               # optional: what the patient reads before the items
    items:                          # one per item or section, in the form's order
      - prompt: "…"                 # the question or section heading
        options: ["…", "…"]         # one text per answer, lowest answer first

`options` is required where the form labels every answer — each ODI section (six, for answers 0–5) and STarT
Back's ninth item (five, for 0–4) — and otherwise optional, but when given it has one text per answer. Every
text is a non-empty string; unknown fields are refused, so that a misspelt key is not silently dropped.

Reading a file is the only I/O here (`load_wording` with a path, `wording_in_effect`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal, NotRequired, TypedDict

from sciatica_care.documents import parse_document
from sciatica_care.errors import InputRefused, Problem, join_path
from sciatica_care.outcomes._checks import describe, find_instrument, is_int
from sciatica_care.outcomes.instruments import INSTRUMENTS, Instrument, Item

Origin = Literal["clinic", "own_words", "topics_only"]

SCHEMA_VERSION = "1"
_FIELDS = ("schema_version", "instrument", "licence", "language", "instructions", "items")
_ITEM_FIELDS = ("prompt", "options")


class ItemWordingJson(TypedDict):
    prompt: str
    options: NotRequired[list[str]]


class WordingJson(TypedDict):
    schema_version: str
    instrument: str
    licence: NotRequired[str]
    language: NotRequired[str]
    instructions: NotRequired[str]
    items: list[ItemWordingJson]


@dataclass(frozen=True, slots=True)
class ItemWording:
    """The words of one item: its prompt and, where given, one text per answer (lowest answer first)."""

    prompt: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Wording:
    """The wording of one instrument. `origin`: a clinic's licensed file, the project's own words, or (ODI and
    STarT Back without a clinic file) the section topics only, with answers recorded as numbers."""

    instrument: str
    origin: Origin
    items: tuple[ItemWording, ...]
    licence: str | None = None
    language: str | None = None
    instructions: str | None = None

    def to_json(self) -> WordingJson:
        """The normalised file form (what `instruments load` writes)."""
        # `items` goes in last, so that the file reads header first.
        out: WordingJson = {"schema_version": SCHEMA_VERSION, "instrument": self.instrument}  # type: ignore[typeddict-item]
        if self.licence is not None:
            out["licence"] = self.licence
        if self.language is not None:
            out["language"] = self.language
        if self.instructions is not None:
            out["instructions"] = self.instructions
        out["items"] = []
        for item in self.items:
            entry: ItemWordingJson = {"prompt": item.prompt}
            if item.options:
                entry["options"] = list(item.options)
            out["items"].append(entry)
        return out


def wording_file_name(instrument: str) -> str:
    """The name a loaded wording is kept under in the clinic's wording folder."""
    return f"{instrument}.wording.json"


def load_wording(source: str | os.PathLike[str]) -> Wording:
    """Validate a wording file against its instrument's structure. A path (`pathlib.Path`) is read as a file;
    a str is the document's text (YAML or JSON). InputRefused names every problem with its path."""
    if isinstance(source, str):
        return parse_wording(parse_document(source, "document"))
    name = os.fspath(source)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputRefused([Problem(name, f"cannot read the file: {reason}")]) from None
    return parse_wording(parse_document(text, name))


def parse_wording(document: object) -> Wording:
    """Validate an already-parsed wording document (see the module's format); InputRefused lists every problem."""
    problems: list[Problem] = []
    if not isinstance(document, dict):
        raise InputRefused([Problem("document", f"must be a mapping of wording fields, got {describe(document)}")])
    for key in document:
        if key not in _FIELDS:
            problems.append(Problem(str(key), f"unknown field; allowed: {', '.join(_FIELDS)}"))
    version = document.get("schema_version")
    if version != SCHEMA_VERSION and not (is_int(version) and str(version) == SCHEMA_VERSION):
        problems.append(Problem("schema_version", f'must be "{SCHEMA_VERSION}", got {describe(version)}'))
    instrument = find_instrument(document.get("instrument"), problems)
    licence = _optional_text(document, "licence", problems)
    if instrument is not None and instrument.licence is not None and licence is None and "licence" not in document:
        problems.append(
            Problem("licence", f"is required: the {instrument.name} wording is licensed; say under what licence")
        )
    language = _optional_text(document, "language", problems)
    instructions = _optional_text(document, "instructions", problems)
    items = _items(instrument, document.get("items"), problems)
    if problems or instrument is None:
        raise InputRefused(problems)
    return Wording(instrument.id, "clinic", items, licence, language, instructions)


def _items(instrument: Instrument | None, value: object, problems: list[Problem]) -> tuple[ItemWording, ...]:
    if not isinstance(value, list):
        problems.append(Problem("items", f"must be a list with one entry per item, got {describe(value)}"))
        return ()
    if instrument is None:
        return ()
    expected = len(instrument.items)
    if len(value) != expected:
        word = instrument.item_word if expected == 1 else f"{instrument.item_word}s"
        problems.append(Problem("items", f"expected {expected} {word} for {instrument.id}, got {len(value)}"))
    return tuple(
        _item(item, entry, join_path("items", index), problems)
        for index, (item, entry) in enumerate(zip(instrument.items, value, strict=False))
    )


def _item(item: Item, entry: object, path: str, problems: list[Problem]) -> ItemWording:
    if not isinstance(entry, dict):
        problems.append(Problem(path, f"must be a mapping with a prompt (and options), got {describe(entry)}"))
        return ItemWording("")
    for key in entry:
        if key not in _ITEM_FIELDS:
            problems.append(Problem(join_path(path, str(key)), f"unknown field; allowed: {', '.join(_ITEM_FIELDS)}"))
    prompt = _text(entry.get("prompt"), join_path(path, "prompt"), problems)
    count = item.high - item.low + 1
    answers = f"one text for each answer {item.low} to {item.high} ({count} options)"
    options_path = join_path(path, "options")
    options = entry.get("options")
    if options is None:
        if item.labelled_answers:
            problems.append(Problem(options_path, f"is required: {answers}"))
        return ItemWording(prompt or "")
    if not isinstance(options, list):
        problems.append(Problem(options_path, f"must be a list of {answers}, got {describe(options)}"))
        return ItemWording(prompt or "")
    if len(options) != count:
        problems.append(Problem(options_path, f"expected {answers}, got {len(options)}"))
    texts = [_text(option, join_path(options_path, i), problems) for i, option in enumerate(options)]
    return ItemWording(prompt or "", tuple(t or "" for t in texts))


def _text(value: object, path: str, problems: list[Problem]) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    problems.append(Problem(path, f"must be a non-empty string, got {describe(value)}"))
    return None


def _optional_text(document: Mapping[object, object], key: str, problems: list[Problem]) -> str | None:
    return None if document.get(key) is None and key not in document else _text(document.get(key), key, problems)


def default_wording(instrument: str) -> Wording:
    """The wording shipped with the project: own words for RMDQ, SBI and NRS; topics only for ODI, STarT Back."""
    problems: list[Problem] = []
    found = find_instrument(instrument, problems)
    if found is None:
        raise InputRefused(problems)
    return DEFAULT_WORDINGS[found.id]


def wording_in_effect(instrument: str, folder: str | os.PathLike[str] | None) -> Wording:
    """The clinic's loaded wording for `instrument` if `folder` holds one, else the project's default. A broken
    file in the folder is refused, never silently replaced by the default."""
    default = default_wording(instrument)
    if folder is None:
        return default
    path = Path(folder) / wording_file_name(default.instrument)
    return load_wording(path) if path.is_file() else default


_RMDQ_QUESTIONS = (
    "Are you staying at home most of the time?",
    "Do you keep shifting position to get comfortable?",
    "Are you walking more slowly than usual?",
    "Have you stopped doing the jobs you usually do around the house?",
    "Do you need the handrail to get up the stairs?",
    "Are you lying down to rest more often?",
    "Do you have to hold on to something to get up from a soft chair?",
    "Are you asking other people to do things for you?",
    "Are you getting dressed more slowly than usual?",
    "Are you only standing for short periods?",
    "Are you avoiding bending down or kneeling?",
    "Is it hard to get up from a chair?",
    "Is the pain there almost all the time?",
    "Is it hard to turn over in bed?",
    "Is your appetite poor?",
    "Is it hard to put on socks, tights or stockings?",
    "Are you only walking short distances?",
    "Are you sleeping less well?",
    "Do you need someone to help you get dressed?",
    "Are you sitting down for most of the day?",
    "Are you avoiding heavy jobs around the house?",
    "Are you more irritable or short-tempered with people than usual?",
    "Are you going up stairs more slowly than usual?",
    "Are you staying in bed most of the time?",
)

_SBI_PROMPTS = (
    "Leg pain",
    "Numbness or tingling in the leg, foot or groin",
    "Weakness in the leg or foot",
    "Leg or back pain while sitting",
)


def _topics_only(instrument: Instrument) -> Wording:
    return Wording(instrument.id, "topics_only", tuple(ItemWording(item.topic) for item in instrument.items))


DEFAULT_WORDINGS: Mapping[str, Wording] = MappingProxyType(
    {
        "odi": _topics_only(INSTRUMENTS["odi"]),
        "startback": _topics_only(INSTRUMENTS["startback"]),
        "rmdq": Wording(
            "rmdq",
            "own_words",
            tuple(ItemWording(question, ("no", "yes")) for question in _RMDQ_QUESTIONS),
            language="en",
            instructions=(
                "Think about today. For each question, answer yes if your back or leg pain makes it true for you "
                "today, otherwise no."
            ),
        ),
        "sbi": Wording(
            "sbi",
            "own_words",
            tuple(ItemWording(prompt) for prompt in _SBI_PROMPTS),
            language="en",
            instructions=(
                "Over the last week, how much has each of these bothered you? Choose a number from 0 (not at all) "
                "to 6 (extremely)."
            ),
        ),
        "nrs": Wording(
            "nrs",
            "own_words",
            (ItemWording("How strong is the pain, from 0 (no pain at all) to 10 (the worst pain you can imagine)?"),),
            language="en",
            instructions="Choose the one number that best describes the pain over the last 24 hours.",
        ),
    }
)
