"""The `instruments` command group for `sciatica-care` (loaded lazily by main.py): load a clinic's licensed wording
for a questionnaire, or show an instrument's structure with the wording in effect.

Only click is imported at module level; everything else inside the command bodies. Bad input exits 2 with one
`error: <path>: <message>` line per problem on stderr, like `plan` and `score`.

Loaded wordings live in a folder: `--into`/`--from DIR`, else `wording/` in the user's data folder
(`$SCIATICA_CARE_DATA_DIR`, else the platform's per-user data location) — the folder the clinic reads too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from pathlib import Path

    from sciatica_care.outcomes.instruments import Instrument
    from sciatica_care.outcomes.wording import Wording


def _folder(given: str | None) -> Path:
    from pathlib import Path

    if given is not None:
        return Path(given)
    from sciatica_care.site.paths import default_data_dir

    return default_data_dir() / "wording"


@click.group()
def instruments() -> None:
    """Outcome questionnaires: load a clinic's licensed wording, show an instrument."""


@instruments.command("load")
@click.argument("file")
@click.option("--into", "into", default=None, metavar="DIR",
              help="Folder for loaded wordings (default: wording/ in the user's data folder).")
def load(file: str, into: str | None) -> None:
    """Validate a wording FILE (YAML or JSON) against its instrument and keep a normalised copy."""
    import json
    import os
    import tempfile
    from pathlib import Path

    from sciatica_care.cli._io import refuse
    from sciatica_care.errors import InputRefused
    from sciatica_care.outcomes.instruments import INSTRUMENTS
    from sciatica_care.outcomes.wording import load_wording, wording_file_name

    try:
        wording = load_wording(Path(file))
    except InputRefused as refused:
        refuse(refused.problems, as_json=False)
    folder = _folder(into)
    target = folder / wording_file_name(wording.instrument)
    text = json.dumps(wording.to_json(), ensure_ascii=False, indent=2) + "\n"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename, so a reader never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".wording-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except OSError as exc:
        raise click.ClickException(f"cannot write {target}: {exc.strerror or exc}") from None
    found = INSTRUMENTS[wording.instrument]
    items = f"{len(wording.items)} {found.item_word}s"
    click.echo(f"{found.name}: wording for {items} loaded; licence: {wording.licence or 'not stated'}")
    click.echo(f"wrote {target}")


@instruments.command("show")
@click.argument("instrument")
@click.option("--from", "source", default=None, metavar="DIR",
              help="Folder of loaded wordings (default: wording/ in the user's data folder).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="text or json.")
def show(instrument: str, source: str | None, fmt: str) -> None:
    """Print INSTRUMENT's structure (items, answers, scoring) and the wording in effect."""
    import json

    from sciatica_care.cli._io import refuse
    from sciatica_care.errors import InputRefused
    from sciatica_care.outcomes.instruments import INSTRUMENTS
    from sciatica_care.outcomes.wording import wording_in_effect

    try:
        wording = wording_in_effect(instrument, _folder(source))
    except InputRefused as refused:
        refuse(refused.problems, as_json=False)
    found = INSTRUMENTS[wording.instrument]
    if fmt == "json":
        click.echo(json.dumps(_as_json(found, wording), ensure_ascii=False, indent=2))
    else:
        click.echo(_as_text(found, wording))


_ORIGINS = {
    "clinic": "the clinic's licensed wording",
    "own_words": "the project's own words",
    "topics_only": "section topics only, in the project's words (load the licensed wording to ask the items)",
}


def _as_text(instrument: Instrument, wording: Wording) -> str:
    lines = [
        f"{instrument.name} ({instrument.id})",
        f"Score: {instrument.score_low}–{instrument.score_high}, higher is worse; "
        f"{len(instrument.items)} {instrument.item_word}s",
        f"Wording: {_ORIGINS[wording.origin]}",
    ]
    if wording.licence:
        lines.append(f"Licence: {wording.licence}")
    if wording.instructions:
        lines.append(f"Instructions: {wording.instructions}")
    lines.append("")
    for number, (item, words) in enumerate(zip(instrument.items, wording.items, strict=True), start=1):
        flag = " [unverified]" if item.unverified else ""
        topic = "" if words.prompt.lower() == item.topic.lower() else f"; topic: {item.topic}"
        lines.append(f"{number:2}. {words.prompt}{flag}  (answers {item.low}–{item.high}{topic})")
        for answer, option in enumerate(words.options, start=item.low):
            lines.append(f"      {answer}: {option}")
    return "\n".join(lines)


def _as_json(instrument: Instrument, wording: Wording) -> dict[str, object]:
    return {
        "instrument": instrument.id,
        "name": instrument.name,
        "score_range": [instrument.score_low, instrument.score_high],
        "origin": wording.origin,
        "wording": wording.to_json(),
        "items": [
            {"topic": item.topic, "answers": [item.low, item.high], "unverified": item.unverified}
            for item in instrument.items
        ],
    }
