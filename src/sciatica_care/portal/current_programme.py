"""The patient's home programme from their current plan (the newest plan of their open course, else of their
latest course: `patient_record`).

Only a plan that decodes and allows treatment gives a programme. A plan that is not for treatment (a red flag,
a finding that needs a doctor first), a red flag found at the re-check of the latest session since the plan was
made, or a plan that cannot be read gives none: the page says to contact the clinic. A plan
that would show a pregnant patient a point forbidden in pregnancy gives none either (`unsafe`), never a
programme without that point, since such a plan is wrong as a whole.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.cache import caches

from sciatica_care.clinic import clinical
from sciatica_care.clinic.models import Patient, PlanRevision, Visit
from sciatica_care.portal import patient_record
from sciatica_care.reports.home_programme import NO_PROGRAMME, Programme, UnsafeProgramme
from sciatica_care.version import __version__

State = Literal["no_plan", "withheld", "unreadable", "unsafe", "ready"]
#: Built programmes (~60 KB of figures each) by content, in the bounded cache the plan pages use.
CACHE = "plan_bodies"
CACHE_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class CurrentProgramme:
    state: State
    revision: PlanRevision | None = None
    programme: Programme = NO_PROGRAMME

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    def item(self, kind: str, item: str) -> bool:
        """Whether the programme holds this item to mark done: a point it lists for home pressing, an exercise
        it gives (never one held back), or the whole session (`item` "")."""
        if not self.ready:
            return False
        if kind == "session":
            return item == ""
        if kind == "acupressure":
            return item in {p.code for p in self.programme.points}
        if kind == "exercise":
            return item in {e.id for e in self.programme.exercises}
        return False


def red_flag_since(revision: PlanRevision) -> bool:
    """Whether the latest session charted since this plan was made found a red flag on its re-check (needling
    stopped): the plan still reads as allowing treatment, but the patient must not carry on at home."""
    latest = (Visit.objects.filter(episode_id=revision.episode_id, created_at__gte=revision.created_at)
              .order_by("-date", "-created_at", "-id").values_list("needling_stopped", "red_flags_found").first())
    return latest is not None and (latest[0] or bool(latest[1]))


def _key(plan: Any, intake: Any) -> str:
    """The cache key of a built programme: a digest of what it is built from (the stored plan and the intake it
    was planned from), with the release and the knowledge that draw it. Content, not record ids: a plan changed
    behind the app's back is never served from a stale entry."""
    text = json.dumps([plan, intake], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"home-programme:v1:{__version__}:{clinical.knowledge().version}:{digest}"


def _built(revision: PlanRevision, plan: Any) -> Programme:
    """The programme of a readable plan that allows treatment, built once per distinct content; raises
    `UnsafeProgramme` (never cached: it is raised again on every request)."""
    cache = caches[CACHE if CACHE in settings.CACHES else "default"]
    key = _key(revision.plan, revision.intake.data)
    programme = cache.get(key)
    if not isinstance(programme, Programme):
        programme = clinical.home_programme(revision.intake.data, plan)
        cache.set(key, programme, CACHE_SECONDS)
    return programme


def current_programme(patient: Patient) -> CurrentProgramme:
    """The programme of the patient's current plan (`patient_record.current_plan`), or why there is none."""
    revision = patient_record.current_plan(patient_record.current_episode(patient))
    if revision is None:
        return CurrentProgramme("no_plan")
    plan = revision.typed
    if plan is None:
        return CurrentProgramme("unreadable", revision)
    if not plan.treatment_allowed or red_flag_since(revision):
        return CurrentProgramme("withheld", revision)
    try:
        programme = _built(revision, plan)
    except UnsafeProgramme:
        return CurrentProgramme("unsafe", revision)
    return CurrentProgramme("ready", revision, programme)
