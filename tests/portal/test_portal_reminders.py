"""Reminders: the patient chooses a time for the diary and the home programme (off by default, opt-out by turning
it off); `reminders.due(now)` answers who is due, once a local day, skipping a diary already filled in."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from portal_fixtures import entry

from sciatica_care.portal import reminders
from sciatica_care.portal.models import ReminderPreference

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def _set(account: Any, **values: Any) -> ReminderPreference:
    pref = reminders.preference_for(account.patient_account.pk)
    ReminderPreference.objects.filter(pk=pref.pk).update(**values)
    pref.refresh_from_db()
    return pref


def at(hour: int, minute: int = 0, day: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_reminders_are_off_until_the_patient_turns_them_on(accounts_ab: dict[str, Any]) -> None:
    reminders.preference_for(accounts_ab["a"].patient_account.pk)
    assert reminders.due(at(23)) == []


@pytest.mark.parametrize(("now", "due"), [(at(19, 59), False), (at(20, 0), True), (at(23, 30), True)])
def test_a_reminder_is_due_from_its_time(accounts_ab: dict[str, Any], now: dt.datetime, due: bool) -> None:
    _set(accounts_ab["a"], diary_on=True, diary_time=dt.time(20, 0), time_zone="UTC")
    assert [r.kind for r in reminders.due(now)] == (["diary"] if due else [])


def test_the_time_is_the_patients_local_time(accounts_ab: dict[str, Any]) -> None:
    """20:00 in New York is 01:00 UTC the next day (winter)."""
    _set(accounts_ab["a"], programme_on=True, programme_time=dt.time(20, 0), time_zone="America/New_York")
    assert reminders.due(dt.datetime(2026, 1, 11, 0, 30, tzinfo=UTC)) == []
    (reminder,) = reminders.due(dt.datetime(2026, 1, 11, 1, 0, tzinfo=UTC))
    assert (reminder.kind, reminder.local_day) == ("programme", dt.date(2026, 1, 10))


def test_a_reminder_goes_once_a_day(accounts_ab: dict[str, Any]) -> None:
    _set(accounts_ab["a"], programme_on=True, programme_time=dt.time(9, 0), time_zone="UTC")
    (reminder,) = reminders.due(at(9, 5))
    reminders.mark_sent(reminder)
    assert reminders.due(at(22)) == []
    assert [r.kind for r in reminders.due(at(9, 5, day=11))] == ["programme"]


def test_no_diary_reminder_once_the_diary_is_filled_in(accounts_ab: dict[str, Any], patient_client: Client) -> None:
    from django.utils import timezone

    _set(accounts_ab["a"], diary_on=True, diary_time=dt.time(0, 0), time_zone="UTC")
    now = timezone.now()
    assert [r.kind for r in reminders.due(now)] == ["diary"]
    patient_client.post(reverse("portal:diary_api"), json.dumps(entry(date=now.date().isoformat())),
                        content_type="application/json")
    assert reminders.due(now) == []


def test_no_reminder_for_an_account_that_is_off(world: dict[str, Any], accounts_ab: dict[str, Any]) -> None:
    from sciatica_care.portal import accounts

    _set(accounts_ab["a"], programme_on=True, programme_time=dt.time(0, 0), time_zone="UTC")
    accounts.end_access(world["a"]["practitioner"], world["a"]["patient"])
    assert reminders.due(at(12)) == []


def test_an_unknown_time_zone_counts_as_utc(accounts_ab: dict[str, Any]) -> None:
    _set(accounts_ab["a"], programme_on=True, programme_time=dt.time(9, 0), time_zone="Mars/Olympus")
    assert [r.kind for r in reminders.due(at(9))] == ["programme"]


def test_the_patient_sets_reminders_on_the_settings_page(patient_client: Client, accounts_ab: dict[str, Any]) -> None:
    """Saved, versioned and audited; a refused time names the field."""
    page = patient_client.get(reverse("portal:settings"))
    assert page.status_code == 200
    data = {"diary_on": "on", "diary_time": "21:15", "programme_time": "08:30", "time_zone": "Europe/London",
            "version": "1"}
    assert patient_client.post(reverse("portal:settings"), data).status_code == 302
    pref = ReminderPreference.objects.get()
    assert (pref.diary_on, pref.diary_time, pref.programme_on, pref.time_zone) == (
        True, dt.time(21, 15), False, "Europe/London")
    r = patient_client.post(reverse("portal:settings"), {**data, "diary_time": "25:99", "version": "2"})
    assert r.status_code == 422
    assert "diary_time:" in r.content.decode()


def test_turning_reminders_off_is_opting_out(patient_client: Client, accounts_ab: dict[str, Any]) -> None:
    _set(accounts_ab["a"], diary_on=True, diary_time=dt.time(0, 0))
    data = {"diary_time": "20:00", "programme_time": "09:00", "time_zone": "UTC",
            "version": str(ReminderPreference.objects.get().version)}
    assert patient_client.post(reverse("portal:settings"), data).status_code == 302
    assert reminders.due(at(23)) == []


def test_the_worker_queues_a_due_reminder_once_through_the_outbox(accounts_ab: dict[str, Any]) -> None:
    """The worker's portal job turns a due diary reminder into one outbox message (topic `diary`, the link to
    the diary, the standing emergency advice) and queues nothing more that local day."""
    from sciatica_care.scheduling.models import Message
    from sciatica_care.scheduling.worker import portal_reminders

    _set(accounts_ab["a"], diary_on=True, diary_time=dt.time(20, 0), time_zone="Europe/London")
    assert portal_reminders(at(19, 59)) == 0
    assert portal_reminders(at(20, 5)) == 1
    assert portal_reminders(at(21, 0)) == 0
    message = Message.objects.get()
    assert message.topic == "diary"
    assert "/portal/diary/" in message.body
    assert "emergency department now" in message.body
