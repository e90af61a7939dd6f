"""`{% submission_token "intake" %}`: the hidden one-time token of a write form (`clinic/submission.py`), and a
note when this session stored the same form at the same page a short while ago (Back to the form, shown afresh:
sending it again would store a second record, so the person is told, with a link to what the first one stored).

A builtin (settings.TEMPLATES `builtins`): a form template needs this one line, no `{% load %}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html

from sciatica_care.clinic import submission

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_token(context: Any, form: str) -> str:
    request = context.get("request")
    if request is None:
        return ""
    field = format_html('<input type="hidden" name="{}" value="{}">', submission.FIELD,
                        submission.issue(request, form))
    earlier = submission.recent(request, form) if request.method == "GET" else None
    if earlier is None:
        return field
    at = timezone.localtime(earlier.created_at)
    return format_html(
        '<p class="warning" role="status" data-submitted-before>This form was already saved from here at {} '
        '(<a href="{}">see what it stored</a>). Sending it again saves it again, as a new record.</p>{}',
        f"{at:%H:%M}", earlier.result_url, field)
