"""Reading the documents people hand the program (intakes, answers, wording files): JSON or YAML, from a file,
stdin or a string. Every failure is an InputRefused naming the document and what is wrong, never a traceback."""

from __future__ import annotations

import json
import sys
from typing import Any

from .errors import InputRefused, Problem


def read_document(source: str) -> Any:
    """Parse a JSON or YAML document from a path, or `-` for stdin."""
    name = "stdin" if source == "-" else source
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as fh:
                text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputRefused([Problem(name, f"cannot read the file: {getattr(exc, 'strerror', None) or exc}")]) from None
    return parse_document(text, name)


def parse_document(text: str, name: str) -> Any:
    """Parse JSON (when the text starts with `{` or `[`) or else YAML with a safe loader."""
    if not text.strip():
        raise InputRefused([Problem(name, "the document is empty")])
    try:
        if text.lstrip().startswith(("{", "[")):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                where = f"line {exc.lineno} column {exc.colno}"
                raise InputRefused([Problem(name, f"invalid JSON at {where}: {exc.msg}")]) from None
        import yaml  # only for YAML documents: it is slower to import than the JSON path needs

        try:
            return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loader
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
            raise InputRefused([Problem(name, f"invalid YAML{at}: {getattr(exc, 'problem', None) or exc}")]) from None
    except RecursionError:
        raise InputRefused([Problem(name, "the document is nested too deeply")]) from None
