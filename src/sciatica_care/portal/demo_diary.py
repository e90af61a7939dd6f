"""The demo clinic's patient side: one demo patient with a portal account and six weeks of diary in which longer
sitting goes with more leg pain the next day (so the trigger analysis has something to find)."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.db import transaction
from django.utils import timezone

from sciatica_care.clinic.models import Patient
from sciatica_care.portal import accounts
from sciatica_care.portal.models import JournalEntry

DAYS = 42
ACTIVITIES = ["desk work", "driving", "gardening", "long walk"]


def load(password: str, days: int = DAYS, seed: int = 11) -> Patient | None:
    """Give the clinic's first treated patient with an email a portal account (with `password`) and a diary."""
    patient = (Patient.objects.exclude(email="").filter(episodes__plans__isnull=False)
               .order_by("id").first())
    if patient is None:
        return None
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    with transaction.atomic():
        invitation = accounts.invite(patient, by=None, send=False)
        user = accounts.accept(invitation.link.rstrip("/").rsplit("/", 1)[1], password)
        today = timezone.localdate()
        sitting = [rng.choice([2, 4, 5, 7, 8, 9]) for _ in range(days)]
        rows = []
        for i in range(days):
            after_long_sitting = i > 0 and sitting[i - 1] > 6
            leg = 6 - 2.5 * i / days + (1.8 if after_long_sitting else 0) + rng.gauss(0, 0.8)
            rows.append(JournalEntry(
                clinic_id=patient.clinic_id, patient=patient, client_id=uuid.uuid4(),
                date=today - dt.timedelta(days=days - i), leg_nrs=max(0, min(10, round(leg))),
                back_nrs=max(0, min(10, round(3 + rng.gauss(0, 1)))), sleep_hours=rng.choice([5.5, 6.5, 7, 7.5, 8]),
                sleep_quality=rng.randint(3, 8), sitting_hours=sitting[i], walking_minutes=rng.choice([10, 20, 35, 45]),
                stress=rng.randint(2, 7), activities=rng.sample(ACTIVITIES, k=rng.randint(0, 2)), medications=[],
                recorded_by=user))
        JournalEntry.objects.bulk_create(rows)
    return patient
