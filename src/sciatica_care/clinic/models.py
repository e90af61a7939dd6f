"""The clinic's records.

Intakes and plans are stored as the engine's own JSON, with the engine and knowledge versions, so that a plan can
be shown again exactly as it was decided. Records that people edit carry a `version` for optimistic concurrency
(see `records.py`). Audit events are append-only: the model refuses updates and deletes.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from sciatica_care import money

if TYPE_CHECKING:
    from sciatica_care.clinic.clinical import Plan

UNREADABLE_PLAN = ("This stored plan cannot be read (a safety field is missing or the record is corrupt), so it is "
                   "not for treatment: re-plan from the intake.")


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"
    RECEPTION = "reception", "Reception"
    # A patient's own sign-in to the portal (portal/): never staff, confined to /portal/ (portal/confinement.py).
    PATIENT = "patient", "Patient"


#: The roles of the clinic's staff: what the staff pages offer and list. A patient account is never one of them.
STAFF_ROLES = (Role.PRACTITIONER, Role.CLINIC_ADMIN, Role.RECEPTION)


class DisabilityInstrument(models.TextChoices):
    ODI = "odi", "Oswestry Disability Index"
    RMDQ = "rmdq", "Roland-Morris Disability Questionnaire"


class PlaceOfService(models.TextChoices):
    """CMS place-of-service codes a clinic treating sciatica may bill from."""

    OFFICE = "11", "11 Office"
    HOME = "12", "12 Home"
    INDEPENDENT_CLINIC = "49", "49 Independent clinic"
    OFF_CAMPUS_HOSPITAL = "19", "19 Off-campus outpatient hospital"
    ON_CAMPUS_HOSPITAL = "22", "22 On-campus outpatient hospital"


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    # Outcome settings (issue 4): which disability questionnaire, how often the long questionnaires are asked,
    # and whether to warn before a visit the US Medicare acupuncture rule would not cover.
    disability_instrument = models.CharField(max_length=10, choices=DisabilityInstrument.choices,
                                             default=DisabilityInstrument.ODI)
    questionnaire_every_n_visits = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(12)])
    payer_rule_warning = models.BooleanField(default=False)
    # Sign-in (issue 11): a second factor for everyone (clinic admins always need one), and idle logoff.
    require_second_factor = models.BooleanField(default=False)
    idle_minutes = models.PositiveSmallIntegerField(default=15, validators=[MinValueValidator(1),
                                                                            MaxValueValidator(480)])
    # The longest life an API token may be given when it is made (days; issue 11).
    api_token_max_days = models.PositiveSmallIntegerField(
        default=365, validators=[MinValueValidator(1), MaxValueValidator(3650)])
    # Patients' rights (issue 11): care-team access with break-the-glass, and how long records are kept before a
    # patient may be anonymised without a stated legal reason (8 years: a common professional-body figure for
    # adults' records, not a law of every country; each clinic sets its own).
    care_team_access = models.BooleanField(default=False)
    break_glass_hours = models.PositiveSmallIntegerField(default=12, validators=[MinValueValidator(1),
                                                                                MaxValueValidator(72)])
    retention_years = models.PositiveSmallIntegerField(default=8, validators=[MinValueValidator(1),
                                                                             MaxValueValidator(50)])
    # Billing (issue 14): what a superbill needs to name the clinic to a US payer, and its fee for each CPT code
    # (`{"97810": "65.00"}`, amounts as decimal strings). The NPI passes its check digit; the tax id is an EIN.
    npi = models.CharField("NPI", max_length=10, blank=True)
    tax_id = models.CharField("tax id (EIN)", max_length=10, blank=True)
    billing_address = models.TextField(blank=True)
    billing_phone = models.CharField(max_length=40, blank=True)
    place_of_service = models.CharField(max_length=2, choices=PlaceOfService.choices,
                                        default=PlaceOfService.OFFICE)
    cpt_fees = models.JSONField(default=dict, blank=True)
    # The currency of its prices and fees (ISO 4217), written by `money.amount` wherever one is shown.
    currency = models.CharField(max_length=3, choices=money.CHOICES, default=money.DEFAULT)
    # Where the clinic's letters to patients' doctors say it is and how to reach it (issue 14; all optional).
    address = models.TextField("clinic address", blank=True)
    phone = models.CharField("clinic telephone", max_length=40, blank=True)
    email = models.EmailField("clinic email", blank=True)
    # Edited on the clinic's settings page and in the Django admin: optimistic concurrency (`records.py`).
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return self.name


class Staff(AbstractUser):
    """A member of staff: belongs to one clinic and has one role there."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    # Edited by the clinic admin on the staff page: optimistic concurrency (`records.py`).
    version = models.PositiveIntegerField(default=1)
    # Set when the clinic admin deactivates the account; an inactive account without it is an invitation not yet
    # taken up (its set-password link works only in that state).
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # The practitioner's own NPI, printed as the rendering provider on superbills (issue 14).
    npi = models.CharField("NPI", max_length=10, blank=True)
    # Printed under the name in the letters they sign (issue 14), each set by the person on their account page.
    qualifications = models.CharField(max_length=200, blank=True)
    registration = models.CharField("professional registration", max_length=100, blank=True)

    @property
    def is_invited(self) -> bool:
        return not self.is_active and self.deactivated_at is None

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_clinical(self) -> bool:
        return self.role in (Role.PRACTITIONER, Role.CLINIC_ADMIN)

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.CLINIC_ADMIN

    def display(self) -> str:
        return self.get_full_name() or self.username


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    READ_WRITE = "read_write", "Read and write"


class ApiToken(models.Model):
    """A token for API clients, made by its owner for themselves; only its SHA-256 is kept. It stops working at
    `expires_at`; a `read` token is refused every write (api/rest.py, TokenAuth)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ)

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"


class Patient(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    # The patient's GP, to whom the clinic's letters are addressed (issue 14).
    gp_name = models.CharField("GP's name", max_length=200, blank=True)
    gp_practice = models.CharField("GP practice", max_length=200, blank=True)
    gp_address = models.TextField("GP practice address", blank=True)
    consent_treatment = models.BooleanField("consents to treatment", default=False)
    consent_treatment_at = models.DateTimeField(null=True, blank=True)
    # Who recorded the consent to treatment (issue 11): no session is charted without it (records.chart_visit).
    consent_treatment_by = models.ForeignKey("Staff", on_delete=models.PROTECT, null=True, blank=True,
                                             related_name="+")
    consent_data_use = models.BooleanField("consents to use of anonymised data", default=False)
    consent_data_use_at = models.DateTimeField(null=True, blank=True)
    booking_notes = models.TextField(blank=True, help_text="Appointments and practical notes (seen by reception)")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Set when the patient is anonymised on request (`rights.anonymise`): names become the pseudonym.
    anonymised_at = models.DateTimeField(null=True, blank=True)
    pseudonym = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["clinic", "last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    def age_on(self, day: Any) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class EpisodeStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    REFERRED = "referred", "Referred"


class Episode(models.Model):
    """One course of care for one complaint."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="episodes")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    title = models.CharField(max_length=200, default="Sciatica")
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN)
    version = models.PositiveIntegerField(default=1)
    # The ICD-10-CM diagnoses the practitioner confirmed, primary first (pointers A, B, C, D on a superbill):
    # `[{"id": "sciatica_left", "code": "M54.32", "display": "Sciatica, left side"}]`; what was suggested then.
    diagnoses = models.JSONField(default=list, blank=True)
    diagnoses_suggested = models.JSONField(default=list, blank=True)
    diagnoses_confirmed_by = models.ForeignKey("Staff", on_delete=models.PROTECT, null=True, blank=True,
                                               related_name="+")
    diagnoses_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["clinic", "opened_on"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.opened_on})"


#: The dashboard's one GROUP BY (`dashboard_stats.groups`) groups by these in this order and reads the rest beside
#: them: the index answers it alone, in group order (migration 0008).
OUTCOME_INDEX = ("clinic", "top_cause", "phase_at_intake", "startback_band", "ea_used", "massage_used",
                 "odi_category", "responder", "sessions_to_response", "baseline_leg_nrs", "latest_leg_nrs",
                 "baseline_odi", "latest_odi", "opened_on", "lead_practitioner")


class EpisodeOutcome(models.Model):
    """One episode's facts for the clinic dashboard, derived from its first plan, visits and scores. Written only
    by `episode_outcomes` (one row per episode, updated in the same transaction as each write); never by hand."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, primary_key=True, related_name="outcome")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    opened_on = models.DateField()  # the episode's, repeated here so the dashboard's filters stay in the index
    top_cause = models.CharField(max_length=60, blank=True)
    phase_at_intake = models.CharField(max_length=20, blank=True)
    startback_band = models.CharField(max_length=10, blank=True)
    ea_used = models.BooleanField(default=False)
    massage_used = models.BooleanField(default=False)
    sessions = models.PositiveIntegerField(default=0)
    lead_practitioner = models.ForeignKey("Staff", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+")
    baseline_leg_nrs = models.SmallIntegerField(null=True, blank=True)
    latest_leg_nrs = models.SmallIntegerField(null=True, blank=True)
    baseline_back_nrs = models.SmallIntegerField(null=True, blank=True)
    latest_back_nrs = models.SmallIntegerField(null=True, blank=True)
    baseline_odi = models.FloatField(null=True, blank=True)
    latest_odi = models.FloatField(null=True, blank=True)
    # None: not yet evaluable (fewer than two measurements of leg pain or the ODI).
    responder = models.BooleanField(null=True, blank=True)
    sessions_to_response = models.PositiveSmallIntegerField(null=True, blank=True)
    odi_category = models.CharField(max_length=20, blank=True)
    # What the next write needs to update the columns without reading the course again (episode_outcomes.State).
    state = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=list(OUTCOME_INDEX), name="episode_outcome_dashboard_idx"),
                   models.Index(fields=["clinic", "top_cause"], name="episode_outcome_cause_idx")]


class Intake(models.Model):
    """An intake exactly as the practitioner recorded it (contract JSON)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="intakes")
    data = models.JSONField()
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]


class PlanRevision(models.Model):
    """A plan the engine decided for an episode, stored as given; the newest revision is the current plan."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="plans")
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="plans")
    number = models.PositiveIntegerField()
    plan = models.JSONField()
    engine_version = models.CharField(max_length=40)
    knowledge_version = models.CharField(max_length=40)
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["episode", "number"], name="plan_number_per_episode")]

    @property
    def typed(self) -> Plan | None:
        """The stored plan as the typed record, or None when it does not decode (a safety field missing, a corrupt
        body): such a plan is never treated from (see `problem`)."""
        return self._decoded()[0]

    @property
    def problem(self) -> str:
        """Why the stored plan cannot be used ("" when it decodes)."""
        return self._decoded()[1]

    def _decoded(self) -> tuple[Plan | None, str]:
        from sciatica_care.clinic.clinical import PlanUnreadable, read_plan

        cached = getattr(self, "_typed_cache", None)
        if cached is not None and cached[0] is self.plan:
            return cached[1]
        try:
            result: tuple[Plan | None, str] = (read_plan(self.plan), "")
        except PlanUnreadable as exc:
            result = (None, f"{UNREADABLE_PLAN} ({exc})")
        self._typed_cache = (self.plan, result)
        return result

    @property
    def treatment_allowed(self) -> bool:
        """True only when the stored plan decodes and allows treatment: an absent or corrupt safety field is no."""
        typed = self.typed
        return typed is not None and typed.treatment_allowed

    @property
    def advice(self) -> str:
        """The triage advice to show beside a plan that is not for treatment (or why it cannot be read)."""
        typed = self.typed
        return typed.triage.advice if typed is not None else self.problem

    @property
    def excluded_codes(self) -> set[str]:
        typed = self.typed
        return {e.code for e in typed.acupuncture.excluded} if typed is not None else set()


class Visit(models.Model):
    """One charted session."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="visits")
    plan = models.ForeignKey(PlanRevision, on_delete=models.PROTECT, related_name="visits", null=True, blank=True)
    date = models.DateField(default=timezone.localdate)
    practitioner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="visits")
    red_flags_rechecked = models.BooleanField(default=False)
    red_flags_found = models.JSONField(default=list, blank=True)
    needling_stopped = models.BooleanField(default=False)
    points = models.JSONField(default=list, blank=True, help_text='[{"code": "GB30", "side": "left"}]')
    overrides = models.JSONField(default=list, blank=True, help_text='[{"code": "SP6", "reason": "..."}]')
    #: e-stim given although the plan disallowed it: {"rule", "refusal", "reason"} ({} when none).
    ea_override = models.JSONField(default=dict, blank=True)
    #: points needled that the plan did not draft but no rule forbids: [{"code", "side"}], shown "not in the plan".
    unplanned_points = models.JSONField(default=list, blank=True)
    #: what a positive red-flag re-check advised: the referral timing and advice, from the triage rules.
    red_flag_advice = models.TextField(blank=True)
    ea_pairs = models.JSONField(default=list, blank=True)
    ea_frequency_hz = models.CharField(max_length=20, blank=True)
    ea_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    massage_done = models.JSONField(default=list, blank=True)
    cupping_done = models.BooleanField(default=False)
    adverse_events = models.TextField(blank=True)
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan_notes = models.TextField(blank=True)
    leg_nrs = models.PositiveSmallIntegerField(null=True, blank=True)
    back_nrs = models.PositiveSmallIntegerField(null=True, blank=True)
    # Face-to-face (one-on-one) minutes by modality for the CPT units (interop/billing_units.py): needle dwell
    # time is not counted. `acupuncture_first` says which came first when both kinds of needling were done.
    minutes_acupuncture = models.PositiveSmallIntegerField(default=0)
    minutes_electroacupuncture = models.PositiveSmallIntegerField(default=0)
    needle_reinsertions = models.PositiveSmallIntegerField(default=0)
    acupuncture_first = models.CharField(max_length=20, blank=True, choices=[
        ("acupuncture", "Needling without e-stim"), ("electroacupuncture", "Needling with e-stim")])
    minutes_massage = models.PositiveSmallIntegerField(default=0)
    minutes_manual_therapy = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "id"]


class OutcomeScore(models.Model):
    """A questionnaire result as the scorer returned it."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="scores")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="scores", null=True, blank=True)
    instrument = models.CharField(max_length=20)
    # What was measured: the instrument's id, or nrs_leg / nrs_back for the two pain scales.
    measure = models.CharField(max_length=20, default="")
    # How it was filled in: by the practitioner on the charting form, by the patient on the clinic's tablet or
    # by a one-time link.
    source = models.CharField(max_length=10, default="staff")
    answers = models.JSONField()
    result = models.JSONField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["recorded_at", "id"]


class QuestionnaireLink(models.Model):
    """A one-time way for a patient to fill in one questionnaire without an account: only the token's SHA-256 is
    kept; it expires, and works once. `mode` is `link` (sent to the patient) or `tablet` (started by the
    practitioner on the clinic's device)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="questionnaire_links")
    instrument = models.CharField(max_length=20)
    measure = models.CharField(max_length=20)
    mode = models.CharField(max_length=10, default="link")
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    score = models.ForeignKey(OutcomeScore, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]


class AppendOnly(Exception):
    """Audit events are never changed or removed."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("audit events cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit events cannot be deleted")


class AuditEvent(models.Model):
    """Who did what to which record of which patient, when. Append-only."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    clinic_id_at_time = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=30)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    # The hash chain (clinic/audit_chain.py): SHA-256 over this event's fields and the previous event's hash.
    prev_hash = models.CharField(max_length=64, default="", db_default="", blank=True, editable=False)
    hash = models.CharField(max_length=64, default="", db_default="", blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit events cannot be deleted")


class AuditChainHead(models.Model):
    """The audit chain's head: one row, locked while an event is appended, naming the last event and its hash."""

    last_event_id = models.BigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64)


class SubmissionToken(models.Model):
    """A write form's one-time token, spent by the first POST that stores something (`submission.py`): a second
    POST with the same token (a double click, Back and send again) is sent to what the first one stored. Only a
    digest of the token is kept; `session` is a digest of the session it was issued in."""

    digest = models.CharField(max_length=64, unique=True)
    form = models.CharField(max_length=40)
    session = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=300, blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["session", "form", "path"])]


class CareAssignment(models.Model):
    """A practitioner assigned to a patient's care (by reception or the clinic admin): with care-team access on,
    practitioners open only the records of patients they treat or are assigned to (`care_team.py`)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assignments")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        indexes = [models.Index(fields=["staff", "patient"])]


class BreakGlass(models.Model):
    """A practitioner outside a patient's care team opening the record anyway, with a reason: time-limited,
    audited and listed for the clinic admin."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["staff", "patient", "expires_at"])]


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BulkExport(models.Model):
    """A FHIR bulk `$export` asked for through the API (`api/fhir.py`), run in the background
    (`clinic/fhir_bulk.py`): its NDJSON files, one per resource type, are kept in the data folder until they
    expire or the requester deletes the export. `job` is the unguessable name in its status address."""

    job = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=10)  # "system" or "patient" (every patient's compartment)
    types = models.JSONField(default=list)
    since = models.DateTimeField(null=True, blank=True)
    request_url = models.CharField(max_length=500)
    base_url = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    output = models.JSONField(default=list, blank=True)  # [{"type", "file", "count"}]
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
