"""Reading what people type: numbers, dates and text, one way for every page and the API.

Python's own parsers are generous where the clinic must not be: `"²".isdigit()` is true but `int("²")` fails;
`int("٣")` is 3; `parse_date("2024-02-30")` raises instead of answering "no date". Every reader here answers a
value or a refusal in words a person can act on, never an exception, and keeps within what every database the
clinic runs on can store (PostgreSQL refuses NUL in text and over-long text; SQLite's integers stop at 2**63).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from sciatica_care.errors import Problem

#: The largest record number or count a filter or form accepts (PostgreSQL's `integer`).
MAX_INT = 2**31 - 1
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


class Unreadable(ValueError):
    """What was typed cannot be read as the value asked for; the message says what to type instead."""


def whole_number(raw: Any, low: int = 0, high: int = MAX_INT, *, what: str = "this") -> int:
    """A whole number from `low` to `high` typed with the digits 0-9 (a minus sign allowed when `low` < 0)."""
    text = str(raw).strip()
    sign, digits = (text[0], text[1:]) if text[:1] in "+-" and low < 0 else ("", text)
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise Unreadable(f"{what}: type a whole number with the digits 0-9 (from {low} to {high})")
    if len(digits) > len(str(max(abs(low), abs(high)))) + 1:
        raise Unreadable(f"{what}: a whole number from {low} to {high}")
    value = int(sign + digits)
    if not low <= value <= high:
        raise Unreadable(f"{what}: a whole number from {low} to {high}")
    return value


def optional_whole_number(raw: Any, low: int = 0, high: int = MAX_INT) -> int | None:
    """A filter's number: None when it is empty or cannot be read (a filter that cannot apply is no filter)."""
    try:
        return whole_number(raw, low, high) if str(raw).strip() else None
    except Unreadable:
        return None


def iso_date(raw: Any, *, what: str = "the date") -> dt.date:
    """A calendar date written YYYY-MM-DD that exists (2024-02-30 does not)."""
    text = str(raw).strip()
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        raise Unreadable(f"{what}: give a date as year-month-day, such as 2026-05-31")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise Unreadable(f"{what}: {text} is not a date on the calendar") from None


def optional_date(raw: Any) -> dt.date | None:
    """A filter's date: None when it is empty or is no calendar date."""
    try:
        return iso_date(raw) if str(raw).strip() else None
    except Unreadable:
        return None


def text_problem(value: str, max_length: int | None = None, *, what: str = "this") -> str:
    """Why `value` cannot be stored as text ("" when it can): control characters (NUL above all, which
    PostgreSQL cannot store) or more characters than the field holds. Tabs and line breaks are text."""
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in value):
        return f"{what}: contains a control character (such as NUL) that cannot be stored; retype it"
    if max_length is not None and len(value) > max_length:
        return f"{what}: at most {max_length} characters (this has {len(value)})"
    return ""


def search_text(raw: Any, max_length: int = 100) -> str:
    """Text to search or filter by: control characters dropped, cut to `max_length`."""
    text = "".join(c for c in str(raw) if unicodedata.category(c) != "Cc")
    return text.strip()[:max_length]


def document_problems(doc: Any, path: str = "") -> list[Problem]:
    """Every string (key or value) of a JSON document that holds a NUL or another control character, and every
    number that is not finite: neither can be stored as JSON on PostgreSQL."""
    from sciatica_care.errors import join_path

    problems: list[Problem] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            sub = join_path(path, str(key))
            if isinstance(key, str) and text_problem(key):
                problems.append(Problem(sub, "a field name with a control character"))
            problems += document_problems(value, sub)
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            problems += document_problems(value, join_path(path, i))
    elif isinstance(doc, str):
        problem = text_problem(doc, what="text")
        if problem:
            problems.append(Problem(path, problem))
    elif isinstance(doc, float) and (doc != doc or doc in (float("inf"), float("-inf"))):
        problems.append(Problem(path, "must be a finite number"))
    return problems


def scrub(value: Any) -> Any:
    """A copy of a JSON value with control characters in its strings replaced by U+FFFD, for records that must
    be written whatever they quote (the audit log keeps what was typed, readably)."""
    if isinstance(value, str):
        return "".join("\ufffd" if unicodedata.category(c) == "Cc" and c not in "\t\n\r" else c for c in value)
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


# --- the same rules for Django's form fields ---------------------------------------------------------------------
# Django's own fields are as generous as Python: IntegerField and FloatField take "٣" as 3, "１２" as 12 and
# "1_000" as 1000; DateField reads the digits of any script; CharField refuses NUL but keeps every other control
# character. The clinic's forms use these instead, so the page, the API (which binds the same forms) and the
# readers above agree.

_WHOLE = re.compile(r"[+-]?\d+", re.ASCII)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def _typed(value: Any) -> str | None:
    """What was typed, stripped, when it is text to be read (None for an empty value or one already read)."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


class WholeNumberField(forms.IntegerField):
    """A whole number typed with the digits 0-9 (an optional sign); anything else is the field's `invalid`."""

    def to_python(self, value: Any) -> int | None:
        text = _typed(value)
        if text is not None and not _WHOLE.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)  # type: ignore[no-any-return]


class NumberField(forms.FloatField):
    """A finite number typed with the digits 0-9, a decimal point and an exponent (as JSON writes numbers)."""

    def to_python(self, value: Any) -> float | None:
        text = _typed(value)
        if text is not None and not _NUMBER.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)  # type: ignore[no-any-return]


class CalendarDateField(forms.DateField):
    """A date typed with the digits 0-9 that is on the calendar (Django refuses 2024-02-30 itself)."""

    def to_python(self, value: Any) -> dt.date | None:
        text = _typed(value)
        if text is not None and not text.isascii():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)  # type: ignore[no-any-return]


def refuse_control_characters(form: forms.BaseForm) -> None:
    """Every text field of `form` refuses control characters (NUL and the rest; tabs and line breaks are text),
    in its own words: `label: contains a control character …`."""
    for name, field in form.fields.items():
        if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
            field.validators = [*field.validators, _no_control_characters(str(field.label or name))]


def _no_control_characters(label: str) -> Any:
    what = label.replace("_", " ").capitalize()

    def check(value: str) -> None:
        if "\x00" in str(value):
            return  # NUL: Django's own validator on every CharField says so already
        problem = text_problem(str(value), what=what)
        if problem:
            raise ValidationError(problem, code="control_character")

    return check
