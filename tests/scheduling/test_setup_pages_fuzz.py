"""The setup pages' forms under hostile and boundary input: never a server error; a refusal is shown naming the
field and writes nothing; what is accepted is within the model's limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciatica_care.clinic.models import Role, Staff
from sciatica_care.scheduling.models import BookingRules, Location, Service, Shift, ShiftException
from sciatica_care.scheduling.setup_forms import LONGEST_REMINDER, parse_offsets

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

hostile = st.one_of(
    st.sampled_from(["", " ", "0", "-1", "²", "٣", "1e9", "nan", "inf", "99999999999999999999", "2024-02-30",
                     "25:61", "09:00", "23:59", "Europe/London", "Mars/Base", "a" * 300, "\x00", "on", "off",
                     "<script>", "48, 2", "1,,2", "12.5", "0x10", "—", "9" * 40]),
    st.text(max_size=30))

FORMS = {
    "setup_locations": ["name", "address", "phone", "time_zone", "active"],
    "setup_services": ["name", "kind", "duration_minutes", "buffer_before_minutes", "buffer_after_minutes", "price",
                       "online_bookable", "new_patients_allowed", "room_needed", "by_phone", "active"],
    "setup_shifts": ["practitioner", "location", "weekday", "start_time", "end_time", "valid_from", "valid_until"],
    "setup_exceptions": ["kind", "practitioner", "location", "first_day", "start_time", "last_day", "end_time",
                         "reason"],
    "setup_rules": ["version", "minimum_notice_hours", "horizon_days", "late_cancel_hours", "slot_step_minutes",
                    "waitlist_offer_minutes", "reminders", "practitioners_see_colleagues", "front_desk_email",
                    "online_booking", "public_slug", "approve_new_patients"],
}


def _rows() -> list[Any]:
    return [list(m.objects.order_by("pk").values()) for m in (Location, Service, Shift, ShiftException,
                                                                BookingRules)]


@pytest.mark.parametrize("name", sorted([*FORMS, "setup_exception", "setup_shift"]))
def test_no_setup_form_gives_a_server_error(desk: dict[str, Any], login: Any, name: str) -> None:
    client = login(Staff.objects.get(clinic=desk["clinic"], role=Role.CLINIC_ADMIN))
    if name == "setup_exception":
        start = timezone.now() + dt.timedelta(days=3)
        off = ShiftException.objects.create(clinic=desk["clinic"], starts_at=start,
                                            ends_at=start + dt.timedelta(days=1), reason="Closure")
        url, fields = reverse("scheduling:setup_exception", args=[off.pk]), FORMS["setup_exceptions"]
    elif name == "setup_shift":
        url = reverse("scheduling:setup_shift", args=[desk["shifts"][0].pk])
        fields = FORMS["setup_shifts"]
    else:
        url, fields = reverse(f"scheduling:{name}"), FORMS[name]

    @FUZZ
    @given(values=st.dictionaries(st.sampled_from(fields), hostile, min_size=1, max_size=len(fields)))
    def post(values: dict[str, str]) -> None:
        before = _rows()
        with transaction.atomic():
            r = client.post(url, values)
            assert r.status_code in (302, 409, 422), (values, r.status_code)
            if r.status_code != 302:
                body = r.content.decode()
                assert 'role="alert"' in body, values
                assert _rows() == before, values
            transaction.set_rollback(True)

    post()


@FUZZ
@given(text=st.text(max_size=40))
def test_reminder_offsets_are_whole_hours_in_range_or_refused(text: str) -> None:
    from django import forms

    messages: list[str] = []
    hours: list[int] = []
    try:
        hours = parse_offsets(text)
    except forms.ValidationError as refused:
        messages = refused.messages
    assert all(m.startswith("Reminders:") for m in messages)
    assert hours == sorted(set(hours), reverse=True)
    assert all(1 <= h <= LONGEST_REMINDER for h in hours)
