from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from sciatica_care.clinic import vocab

register = template.Library()


@register.filter
def label(value: Any) -> str:
    return vocab.label(str(value)) if value is not None else ""


@register.filter
def named(value: Any) -> Any:
    """A knowledge id (a rule, a cause, a flag …) as its name, also inside a list or a mapping; any other value as
    it is (an audit detail)."""
    from sciatica_care.clinic.clinical import display_name

    if isinstance(value, str):
        return display_name(value, otherwise=value)
    if isinstance(value, list | tuple):
        return [named(v) for v in value]
    if isinstance(value, dict):
        return {k: named(v) for k, v in value.items()}
    return value


@register.filter
def headed(text: Any, name: Any) -> str:
    """`text` headed by `name` in bold ("**Bleeding risk**: …"); when the text already opens with the name, its
    opening is the heading, so the name is not said twice."""
    text, name = str(text or ""), str(name or "")
    if name and text.lower().startswith(name.lower()):
        return format_html("<strong>{}</strong>{}", text[:len(name)], text[len(name):])
    return format_html("<strong>{}</strong>: {}", name, text)


@register.filter
def unless_led_by(text: Any, lead: Any) -> str:
    """The text without an opening that the heading beside it already says (capitalised where it now starts)."""
    text, lead = str(text or ""), str(lead or "")
    if lead and text.startswith(lead):
        rest = text[len(lead):]
        return rest[:1].upper() + rest[1:]
    return text


@register.filter
def percent(value: Any) -> str:
    try:
        return f"{float(value) * 100:.0f}%"
    except (TypeError, ValueError):
        return ""


WHEN = {"now": "Now — emergency department within hours", "same_day": "Same day", "two_weeks": "Within two weeks",
        "none": "No referral"}


@register.filter
def when(value: Any) -> str:
    """A referral timing (`see_within`) in words."""
    return WHEN.get(str(value), vocab.label(str(value))) if value else ""


@register.filter
def timely(value: Any, plan_see_within: Any) -> bool:
    """True when a finding's or sign's timing is no slower than the plan's own `see_within`: only then is its
    timing (and its advice, which states it) shown, so the page never states a slower timing than the plan."""
    from sciatica_care.clinic.clinical import timing_no_slower

    if not value:
        return False
    return timing_no_slower(str(value), str(plan_see_within or "none"))


@register.filter
def besides(warnings: Any, advice: Any) -> list[Any]:
    """The plan's warnings other than the one that repeats the triage advice (the timing banner shows it)."""
    return [w for w in warnings or [] if w.text != advice]


@register.filter
def codes(points: Any) -> list[str]:
    """The point codes of a list of planned points."""
    return [p.code for p in points or []]


@register.filter
def cun(value: Any) -> str:
    """A needling depth from the plan's `depth_cun` ([min, max] in cun) as “1.5–3 cun”."""
    if not isinstance(value, list | tuple) or not value:
        return "—"
    try:
        low, high = float(value[0]), float(value[-1])
    except (TypeError, ValueError):
        return "—"
    return f"{low:g} cun" if low == high else f"{low:g}–{high:g} cun"


def _part(value: Any) -> str:
    if isinstance(value, list):
        items = [(v.get("text") or v.get("name") or v.get("id") or "",) if isinstance(v, dict) else (v,)
                 for v in value]
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", items))
    if isinstance(value, dict):
        return format_html("<dl class='facts'>{}</dl>", format_html_join(
            "", "<dt>{}</dt><dd>{}</dd>", ((vocab.label(str(k)), _part(v)) for k, v in value.items())))
    return format_html("{}", value)


@register.simple_tag
def guideline(value: Any) -> str:
    """The engine's guideline field, whatever its shape: its position first, then its named parts (escaped)."""
    if isinstance(value, msgspec.Struct):
        value = msgspec.to_builtins(value)
    if not isinstance(value, dict):
        return format_html("<div>{}</div>", _part(value))
    position = value.get("position")
    # The consent note is shown by the template as written; the planned modalities are in the plan's sections.
    rest = {k: v for k, v in value.items() if k not in ("position", "id", "consent_note", "planned_modalities")}
    head = format_html("<p class='position'>{}</p>", position) if position else ""
    details = format_html("<details><summary>What the guideline recommends, and the evidence</summary>{}</details>",
                          _part(rest)) if rest else ""
    return format_html("{}{}", head, details)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`mapping[key]` in a template, or "" when it is absent."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def day(value: Any) -> str:
    """A date in the house format, "4 Dec 2026" (a date-time shows its local date)."""
    from sciatica_care.reports.letterhead import format_date

    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_date(value) if isinstance(value, dt.date) else ""


@register.filter
def moment(value: Any) -> str:
    """A date-time in the house format with the local time, "4 Dec 2026, 14:05"."""
    from sciatica_care.reports.letterhead import format_datetime

    if not isinstance(value, dt.datetime):
        return day(value)
    return format_datetime(timezone.localtime(value) if timezone.is_aware(value) else value)


@register.filter
def pointer(number: int) -> str:
    """A superbill's diagnosis pointer: 1 → A, 2 → B …"""
    return "ABCDEFGHIJKL"[int(number) - 1] if 1 <= int(number) <= 12 else ""
