"""Reading a diary entry as it arrives — a JSON document from the page's script (or its offline queue), or the
page's plain form when there is no script — into one checked document, every problem named by its field.

The day itself (pain, sleep, sitting, walking, stress, activities, medications) is checked by the journal's own
rules (`clinical.validate_diary_day`); what only the portal has is checked here: the entry's id made on the phone
(`client_id`), the day's date window, flare-ups and the emergency questions.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from sciatica_care.clinic.clinical import ALARM_IDS, DiaryEntry, validate_diary_day
from sciatica_care.clinic.input_cleaning import text_problem
from sciatica_care.errors import InputRefused, Problem

DAY_FIELDS = ("date", "leg_nrs", "back_nrs", "sleep_hours", "sleep_quality", "sitting_hours", "walking_minutes",
              "stress", "activities", "medications")
PORTAL_FIELDS = ("client_id", "flare_up", "flare_trigger", "alarm_signs", "made_at")
NUMBER_FIELDS = ("leg_nrs", "back_nrs", "sleep_hours", "sleep_quality", "sitting_hours", "walking_minutes", "stress")
#: How far back a day may be entered (an entry made offline may arrive days later); and a day ahead, for a phone
#: whose date is past midnight before the server's.
DAYS_BACK = 14
FLARE_TRIGGER_LENGTH = 200
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)


@dataclass(frozen=True)
class CheckedEntry:
    client_id: uuid.UUID
    day: DiaryEntry
    flare_up: bool
    flare_trigger: str
    alarm_signs: tuple[str, ...]
    made_at: dt.datetime | None


def check(doc: object, today: dt.date | None = None) -> CheckedEntry:
    """The entry, or InputRefused naming every problem by field (`leg_nrs`, `client_id`, `alarm_signs[0]`)."""
    if not isinstance(doc, Mapping):
        raise InputRefused([Problem("(entry)", "must be an object (one day's entry)")])
    problems = [Problem(str(k), f"unknown field; expected one of: {', '.join(DAY_FIELDS + PORTAL_FIELDS)}")
                for k in doc if k not in DAY_FIELDS + PORTAL_FIELDS]
    client_id = _client_id(doc.get("client_id"), problems)
    flare_up = doc.get("flare_up", False)
    if not isinstance(flare_up, bool):
        problems.append(Problem("flare_up", "must be true or false"))
    trigger = doc.get("flare_trigger", "")
    if not isinstance(trigger, str):
        problems.append(Problem("flare_trigger", "must be text"))
        trigger = ""
    elif problem := text_problem(trigger.strip(), FLARE_TRIGGER_LENGTH, what="what set it off"):
        problems.append(Problem("flare_trigger", problem))
    signs = _signs(doc.get("alarm_signs", []), problems)
    made_at = _made_at(doc.get("made_at"), problems)
    day = None
    try:
        day = validate_diary_day({k: v for k, v in doc.items() if k in DAY_FIELDS})
    except InputRefused as refused:
        problems.extend(refused.problems)
    today = today or timezone.localdate()
    if day is not None and not today - dt.timedelta(days=DAYS_BACK) <= day.date <= today + dt.timedelta(days=1):
        problems.append(Problem("date", f"must be today or one of the last {DAYS_BACK} days"))
    if problems or day is None or client_id is None:
        raise InputRefused(problems or [Problem("(entry)", "cannot be read")])
    return CheckedEntry(client_id, day, bool(flare_up) or bool(trigger.strip()), trigger.strip(), signs, made_at)


def _client_id(value: object, problems: list[Problem]) -> uuid.UUID | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem("client_id", "is required (the entry's id, made on the phone)"))
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        problems.append(Problem("client_id", "must be a UUID such as 6f1c0c1e-8f7a-4e42-9a51-0b1a2b3c4d5e"))
        return None


def _signs(value: object, problems: list[Problem]) -> tuple[str, ...]:
    if not isinstance(value, list):
        problems.append(Problem("alarm_signs", "must be a list"))
        return ()
    out: list[str] = []
    for i, sign in enumerate(value):
        if not isinstance(sign, str) or sign not in ALARM_IDS:
            problems.append(Problem(f"alarm_signs[{i}]", f"must be one of: {', '.join(ALARM_IDS)}"))
        elif sign not in out:
            out.append(sign)
    return tuple(out)


def _made_at(value: object, problems: list[Problem]) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        made = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        made = None
    if made is None or made.tzinfo is None:
        problems.append(Problem("made_at", "must be a date and time with its time zone (ISO 8601)"))
        return None
    return made


# --- the plain form (no script) ------------------------------------------------------------------------------------

def from_form(post: QueryDict) -> dict[str, Any]:
    """The page's form as the same document the script sends: numbers read where they are numbers (anything else
    is passed on as typed, for the journal's rules to refuse by name), blanks left out, lists from tick boxes and
    the patient's own names (comma-separated)."""
    doc: dict[str, Any] = {"client_id": post.get("client_id", ""), "date": post.get("date", "").strip()}
    for name in NUMBER_FIELDS:
        raw = post.get(name, "").strip()
        if raw:
            doc[name] = _number(raw)
    for name in ("activities", "medications"):
        names = [*post.getlist(name), *post.get(f"{name}_other", "").split(",")]
        doc[name] = [n for n in (x.strip() for x in names) if n]
    doc["flare_up"] = post.get("flare_up") in ("on", "1", "true")
    doc["flare_trigger"] = post.get("flare_trigger", "")
    doc["alarm_signs"] = post.getlist("alarm_signs")
    return doc


def _number(raw: str) -> Any:
    if not _NUMBER.fullmatch(raw):
        return raw
    value = float(raw)
    return int(value) if value.is_integer() and "." not in raw else value
