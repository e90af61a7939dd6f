"""Questionnaire wording: the project's own words by default, and a clinic's licensed wording validated against
the instrument's structure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from sciatica_care.errors import InputRefused
from sciatica_care.outcomes import INSTRUMENTS, default_wording, load_wording, parse_wording, wording_in_effect
from sciatica_care.outcomes.wording import ItemWording, Wording, wording_file_name


def odi_document() -> dict[str, Any]:
    """A valid ODI wording file (placeholder texts: the real wording is licensed)."""
    return {
        "schema_version": "1",
        "instrument": "odi",
        "licence": "ODI 2.1a used under licence no. TEST-1 for the test clinic",
        "language": "en-GB",
        "items": [
            {"prompt": f"Section {n}", "options": [f"section {n} answer {a}" for a in range(6)]} for n in range(1, 11)
        ],
    }


def startback_document() -> dict[str, Any]:
    """A valid STarT Back wording file: item texts, options only on the ninth item."""
    items: list[dict[str, Any]] = [{"prompt": f"Statement {n}"} for n in range(1, 9)]
    items.append({"prompt": "Overall bother", "options": ["none", "a little", "some", "a lot", "most"]})
    return {"schema_version": "1", "instrument": "startback", "licence": "Keele licence TEST-2", "items": items}


def problems(document: object) -> list[tuple[str, str]]:
    with pytest.raises(InputRefused) as refused:
        parse_wording(document)
    return [(p.path, p.message) for p in refused.value.problems]


@pytest.mark.parametrize(
    ("instrument", "origin", "items", "options"),
    [
        ("odi", "topics_only", 10, 0),
        ("startback", "topics_only", 9, 0),
        ("rmdq", "own_words", 24, 2),
        ("sbi", "own_words", 4, 0),
        ("nrs", "own_words", 1, 0),
    ],
)
def test_default_wording(instrument: str, origin: str, items: int, options: int) -> None:
    """Own words ship for RMDQ, SBI and NRS; ODI and STarT Back ship their section topics only."""
    wording = default_wording(instrument)
    assert (wording.origin, len(wording.items), wording.licence) == (origin, items, None)
    assert all(len(item.options) == options and item.prompt for item in wording.items)


@pytest.mark.parametrize("instrument", ["odi", "startback"])
def test_licensed_defaults_are_the_topics(instrument: str) -> None:
    """Without a clinic file, the licensed instruments show our own section topics, nothing more."""
    topics = [item.topic for item in INSTRUMENTS[instrument].items]
    assert [item.prompt for item in default_wording(instrument).items] == topics


def test_rmdq_own_words_do_not_copy_the_form() -> None:
    """Our RMDQ questions are second-person questions, not the form's first-person statements."""
    prompts = [item.prompt for item in default_wording("rmdq").items]
    assert all(p.endswith("?") and not p.startswith("I ") and "because of my back" not in p for p in prompts)


@pytest.mark.parametrize("instrument", ["rmdq", "sbi", "nrs"])
def test_default_own_words_pass_the_validator(instrument: str) -> None:
    """Our own wording, written out, is a valid wording file for its instrument."""
    wording = default_wording(instrument)
    assert parse_wording(wording.to_json()).items == wording.items


def test_valid_odi_file() -> None:
    """A complete ODI file loads as the clinic's wording, with its licence and language."""
    wording = parse_wording(odi_document())
    assert (wording.instrument, wording.origin, wording.language) == ("odi", "clinic", "en-GB")
    assert wording.licence is not None
    assert "TEST-1" in wording.licence
    assert wording.items[3] == ItemWording("Section 4", tuple(f"section 4 answer {a}" for a in range(6)))


def test_valid_startback_file() -> None:
    """STarT Back needs the item texts and the five labels of the ninth item; yes/no labels are optional."""
    document = startback_document()
    document["items"][0]["options"] = ["disagree", "agree"]
    wording = parse_wording(document)
    assert [len(item.options) for item in wording.items] == [2, 0, 0, 0, 0, 0, 0, 0, 5]


def test_texts_are_trimmed() -> None:
    """Surrounding spaces are dropped from every text."""
    document = odi_document()
    document["items"][0]["prompt"] = "  Pain  \n"
    document["licence"] = " licence "
    wording = parse_wording(document)
    assert (wording.items[0].prompt, wording.licence) == ("Pain", "licence")


def test_yaml_and_json_text() -> None:
    """The same wording reads from YAML or JSON text."""
    document = odi_document()
    assert load_wording(yaml.safe_dump(document)) == load_wording(json.dumps(document)) == parse_wording(document)


def test_schema_version_may_be_a_number() -> None:
    """A YAML author's bare 1 is taken as "1"."""
    document = odi_document() | {"schema_version": 1}
    assert parse_wording(document).instrument == "odi"


def test_licence_not_needed_for_own_words_instruments() -> None:
    """RMDQ, SBI and NRS wordings may come without a licence note."""
    document = {"schema_version": "1", "instrument": "nrs", "items": [{"prompt": "How bad is it, 0 to 10?"}]}
    assert parse_wording(document).licence is None


def _drop_options(document: dict[str, Any], index: int) -> dict[str, Any]:
    del document["items"][index]["options"]
    return document


def _set(document: dict[str, Any], path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


ODI_NAME = "Oswestry Disability Index 2.1a"
SIX = "one text for each answer 0 to 5 (6 options)"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(
            _set(odi_document(), ("items",), odi_document()["items"][:9]),
            [("items", "expected 10 sections for odi, got 9")],
            id="too-few-sections",
        ),
        pytest.param(
            _set(odi_document(), ("items",), [*odi_document()["items"], {"prompt": "extra"}]),
            [("items", "expected 10 sections for odi, got 11")],
            id="too-many-sections",
        ),
        pytest.param(
            _drop_options(odi_document(), 3), [("items[3].options", f"is required: {SIX}")], id="missing-options"
        ),
        pytest.param(
            _set(odi_document(), ("items", 2, "options"), ["a", "b", "c", "d", "e"]),
            [("items[2].options", f"expected {SIX}, got 5")],
            id="five-options",
        ),
        pytest.param(
            _set(odi_document(), ("items", 2, "options", 4), "  "),
            [("items[2].options[4]", 'must be a non-empty string, got "  "')],
            id="blank-option",
        ),
        pytest.param(
            _set(odi_document(), ("items", 2, "options", 0), 0),
            [("items[2].options[0]", "must be a non-empty string, got 0")],
            id="option-not-text",
        ),
        pytest.param(
            _set(odi_document(), ("items", 2, "options"), "a;b;c;d;e;f"),
            [("items[2].options", f'must be a list of {SIX}, got "a;b;c;d;e;f"')],
            id="options-not-a-list",
        ),
        pytest.param(
            _set(odi_document(), ("items", 0, "prompt"), ""),
            [("items[0].prompt", 'must be a non-empty string, got ""')],
            id="empty-prompt",
        ),
        pytest.param(
            _set(odi_document(), ("items", 1), "Section 2"),
            [("items[1]", 'must be a mapping with a prompt (and options), got "Section 2"')],
            id="item-not-a-mapping",
        ),
        pytest.param(
            _set(odi_document(), ("items", 1, "promt"), "x"),
            [("items[1].promt", "unknown field; allowed: prompt, options")],
            id="unknown-item-field",
        ),
        pytest.param(
            _set(odi_document(), ("items",), {"1": "x"}),
            [("items", "must be a list with one entry per item, got an object")],
            id="items-not-a-list",
        ),
        pytest.param(
            {k: v for k, v in odi_document().items() if k != "licence"},
            [("licence", f"is required: the {ODI_NAME} wording is licensed; say under what licence")],
            id="no-licence",
        ),
        pytest.param(
            _set(odi_document(), ("licence",), None),
            [("licence", "must be a non-empty string, got null")],
            id="null-licence",
        ),
        pytest.param(
            _set(odi_document(), ("instrument",), "vas"),
            [("instrument", 'unknown instrument "vas"; known: odi, rmdq, sbi, startback, nrs')],
            id="unknown-instrument",
        ),
        pytest.param(
            _set(odi_document(), ("schema_version",), "2"),
            [("schema_version", 'must be "1", got "2"')],
            id="schema-version",
        ),
        pytest.param(
            _set(odi_document(), ("licenze",), "x"),
            [("licenze", "unknown field; allowed: schema_version, instrument, licence, language, instructions, items")],
            id="unknown-field",
        ),
        pytest.param(
            _drop_options(startback_document(), 8),
            [("items[8].options", "is required: one text for each answer 0 to 4 (5 options)")],
            id="startback-ninth-without-labels",
        ),
        pytest.param(
            _set(startback_document(), ("items", 0, "options"), ["no", "maybe", "yes"]),
            [("items[0].options", "expected one text for each answer 0 to 1 (2 options), got 3")],
            id="startback-yes-no-with-three",
        ),
        pytest.param(
            ["instrument", "odi"],
            [("document", "must be a mapping of wording fields, got a list")],
            id="not-a-mapping",
        ),
    ],
)
def test_invalid_wording(document: object, expected: list[tuple[str, str]]) -> None:
    """Each structural problem is reported at its path."""
    assert problems(document) == expected


def test_every_problem_at_once() -> None:
    """A file with several problems gets them all in one refusal, in document order."""
    document = odi_document()
    document["items"] = document["items"][:2]
    document["items"][0]["options"] = ["x"]
    del document["items"][1]["prompt"]
    del document["licence"]
    assert [path for path, _ in problems(document)] == [
        "licence",
        "items",
        "items[0].options",
        "items[1].prompt",
    ]


def test_unknown_instrument_skips_the_item_checks() -> None:
    """Without a known instrument there is no structure to check the items against: one problem, not dozens."""
    assert [path for path, _ in problems(_set(odi_document(), ("instrument",), None))] == ["instrument"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "the document is empty", id="empty"),
        pytest.param("instrument: [odi", "invalid YAML at line 2 column 1: did not find expected", id="bad-yaml"),
        pytest.param('{"instrument": "odi",}', "invalid JSON at line 1 column 22: Expecting property", id="bad-json"),
        pytest.param("[" * 100_000, "the document is nested too deeply", id="too-deep"),
    ],
)
def test_unreadable_text(text: str, message: str) -> None:
    """Text that is not a document is refused with where it broke."""
    with pytest.raises(InputRefused) as refused:
        load_wording(text)
    [problem] = refused.value.problems
    assert problem.path == "document"
    assert problem.message.startswith(message)


def test_load_from_a_path(tmp_path: Path) -> None:
    """A Path is read as a file."""
    path = tmp_path / "odi.yaml"
    path.write_text(yaml.safe_dump(odi_document()), encoding="utf-8")
    assert load_wording(path) == parse_wording(odi_document())


def test_missing_file_is_refused_by_name(tmp_path: Path) -> None:
    """A file that cannot be read is refused under its own name."""
    with pytest.raises(InputRefused) as refused:
        load_wording(tmp_path / "nope.yaml")
    [problem] = refused.value.problems
    assert problem.path == str(tmp_path / "nope.yaml")
    assert problem.message == "cannot read the file: No such file or directory"


def test_normalised_form_round_trips() -> None:
    """The normalised JSON reads back as the same wording, header fields before the items."""
    wording = parse_wording(odi_document())
    written = wording.to_json()
    assert list(written) == ["schema_version", "instrument", "licence", "language", "items"]
    assert parse_wording(json.loads(json.dumps(written))) == wording


texts = st.text(min_size=1, max_size=12).filter(lambda t: t.strip() == t and t.strip() != "")


@st.composite
def valid_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Any well-formed wording file for any instrument."""
    instrument = draw(st.sampled_from(list(INSTRUMENTS.values())))
    items = []
    for item in instrument.items:
        entry: dict[str, Any] = {"prompt": draw(texts)}
        if item.labelled_answers or draw(st.booleans()):
            entry["options"] = draw(st.lists(texts, min_size=item.high + 1, max_size=item.high + 1))
        items.append(entry)
    document: dict[str, Any] = {"schema_version": "1", "instrument": instrument.id, "items": items}
    if instrument.licence is not None or draw(st.booleans()):
        document["licence"] = draw(texts)
    return document


@given(valid_documents())
def test_valid_documents_round_trip(document: dict[str, Any]) -> None:
    """Any well-formed file loads, and its normalised form is the same document."""
    wording = parse_wording(document)
    assert wording.to_json() == document
    assert parse_wording(wording.to_json()) == wording


@given(valid_documents(), st.data())
def test_dropping_an_item_is_always_caught(document: dict[str, Any], data: st.DataObject) -> None:
    """Removing any one item is refused as a wrong item count."""
    index = data.draw(st.integers(0, len(document["items"]) - 1))
    del document["items"][index]
    assert ("items" in [path for path, _ in problems(document)])


def test_wording_in_effect(tmp_path: Path) -> None:
    """A loaded file in the folder wins over the default; without one (or a folder) the default stands."""
    assert wording_in_effect("odi", None) == default_wording("odi")
    assert wording_in_effect("odi", tmp_path) == default_wording("odi")
    (tmp_path / wording_file_name("odi")).write_text(json.dumps(odi_document()), encoding="utf-8")
    assert wording_in_effect("odi", tmp_path).origin == "clinic"
    assert wording_in_effect("sbi", tmp_path) == default_wording("sbi")


def test_broken_loaded_file_is_not_silently_replaced(tmp_path: Path) -> None:
    """A broken file in the folder is refused rather than quietly falling back to the default."""
    (tmp_path / wording_file_name("odi")).write_text("{}", encoding="utf-8")
    with pytest.raises(InputRefused):
        wording_in_effect("odi", tmp_path)


def test_default_wording_unknown_instrument() -> None:
    """There is no default wording for an unknown instrument."""
    with pytest.raises(InputRefused) as refused:
        default_wording("vas")
    assert [p.path for p in refused.value.problems] == ["instrument"]


def test_wording_is_frozen() -> None:
    """A wording cannot be changed after loading."""
    with pytest.raises(AttributeError):
        default_wording("nrs").origin = "clinic"  # type: ignore[misc]
    assert isinstance(default_wording("nrs"), Wording)
