"""JSON API: patients, episodes, intakes (POST an intake → stored plan), visits, scores.

Token auth (`Authorization: Bearer <token>`, see ApiToken): an expired or revoked token is 401, a read-only token
gets 403 on every write operation (enforced here, in TokenAuth, for every operation of the API); every use of a
token is audited with its id. Every query is scoped by the token owner's clinic through clinic/access.py, every
read and write audited. Errors are JSON 4xx: `{"errors": [{"path", "message"}]}`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from sciatica_care.api import scheduling
from sciatica_care.clinic import access, api_tokens, audit, billing, clinical, intake_form, letter_facts, records
from sciatica_care.clinic.forms import PATIENT_FIELDS, PatientForm
from sciatica_care.clinic.input_cleaning import text_problem
from sciatica_care.clinic.models import Episode, OutcomeScore, Patient, Staff, TokenScope, Visit
from sciatica_care.errors import InputRefused, Problem
from sciatica_care.scheduling.booking import SlotTaken, StatusRefused


def issue_token(staff: Staff, name: str = "api", scope: str = TokenScope.READ_WRITE) -> str:
    """Create a token `staff` makes for themselves and return it (only its digest is stored, so show it once).
    For scripts and tests: read-write unless `scope` says otherwise."""
    return api_tokens.issue(staff, name, scope=scope)[1]


#: The HTTP methods that only read; every other method is a write, which a read-only token may not make.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """The one place every API operation's token is checked: live (not revoked, not expired, owner active), its
    use audited with its id, and a read-only token refused any write (403) before the operation runs."""

    def authenticate(self, request: HttpRequest, token: str) -> Staff | None:
        row = api_tokens.lookup(token)
        if row is None:
            return None
        request.user = row.staff
        api_tokens.use(row, request.method or "", request.path)
        if request.method not in READ_METHODS and row.scope != TokenScope.READ_WRITE:
            audit.record(row.staff, "denied_scope", row, method=request.method, path=request.path[:300])
            raise PermissionDenied("this token is read-only: it cannot change anything (make a read-write token)")
        return row.staff


api = NinjaAPI(title="Sciatica Care API", version="1", auth=TokenAuth(), urls_namespace="api")
api.add_router("", scheduling.router)  # the front desk: services, slots, appointments (api/scheduling.py)


def _errors(request: HttpRequest, status: int, errors: list[dict[str, str]]) -> HttpResponse:
    return api.create_response(request, {"errors": errors}, status=status)


@api.exception_handler(InputRefused)
def _refused(request: HttpRequest, exc: InputRefused) -> HttpResponse:
    return _errors(request, 422, exc.as_json()["errors"])


@api.exception_handler(SlotTaken)
@api.exception_handler(StatusRefused)
def _booking_conflict(request: HttpRequest, exc: InputRefused) -> HttpResponse:
    """The time was booked first by someone else, or the appointment's status does not allow the change: 409,
    naming the field (`start`, `room`, `status`)."""
    return _errors(request, 409, exc.as_json()["errors"])


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    out = []
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", []) if p not in ("body", "payload", "query", "path")]
        out.append({"path": ".".join(loc), "message": e.get("msg", "invalid")})
    return _errors(request, 422, out)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _errors(request, 404, [{"path": "", "message": "not found"}])


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _errors(request, 403, [{"path": "", "message": str(exc) or "forbidden"}])


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _errors(request, 401, [{"path": "Authorization", "message": "a valid Bearer token is required"}])


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own refusals (a body that is not JSON, …) in the API's error shape."""
    return _errors(request, exc.status_code, [{"path": "", "message": str(exc)}])


@api.exception_handler(records.Conflict)
def _conflict(request: HttpRequest, exc: records.Conflict) -> HttpResponse:
    return _errors(request, 409, [{"path": "version", "message": str(exc)}])


def stored_text(model: type[models.Model], name: str) -> Any:
    """Text for `model.name`: refused (422, naming the field) when longer than the column holds or when it carries
    a control character such as NUL — the same on SQLite, which would store it, and PostgreSQL, which cannot."""
    max_length = model._meta.get_field(name).max_length

    def check(value: str) -> str:
        problem = text_problem(value, max_length, what=name.replace("_", " "))
        if problem:
            raise PydanticCustomError("stored_text", problem)
        return value

    return Annotated[str, AfterValidator(check)]


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise PydanticCustomError("email", "email: not an email address") from None
    return value


FirstName = stored_text(Patient, "first_name")
LastName = stored_text(Patient, "last_name")
Phone = stored_text(Patient, "phone")
Email = Annotated[stored_text(Patient, "email"), AfterValidator(_email)]
GpName = stored_text(Patient, "gp_name")
GpPractice = stored_text(Patient, "gp_practice")
GpAddress = stored_text(Patient, "gp_address")
Title = stored_text(Episode, "title")
Note = stored_text(Visit, "subjective")  # the visit's notes are all unbounded text: control characters refused


class PatientIn(Schema):
    first_name: FirstName
    last_name: LastName
    date_of_birth: dt.date
    sex: Literal["", "female", "male", "other"] = ""
    phone: Phone = ""
    email: Email = ""
    gp_name: GpName = ""
    gp_practice: GpPractice = ""
    gp_address: GpAddress = ""
    consent_treatment: bool = False
    consent_data_use: bool = False


class PatientOut(Schema):
    id: int
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    phone: str
    email: str
    gp_name: str
    gp_practice: str
    gp_address: str
    consent_treatment: bool
    consent_data_use: bool
    version: int


class PatientPatch(Schema):
    version: int
    first_name: FirstName | None = None
    last_name: LastName | None = None
    phone: Phone | None = None
    email: Email | None = None
    gp_name: GpName | None = None
    gp_practice: GpPractice | None = None
    gp_address: GpAddress | None = None


class EpisodeOut(Schema):
    id: int
    patient_id: int
    title: str
    opened_on: dt.date
    status: str
    #: The confirmed ICD-10-CM diagnoses, primary first: `[{"id", "code", "display"}]` (empty until confirmed).
    diagnoses: list[dict[str, str]]
    version: int


class PlanOut(Schema):
    id: int
    episode_id: int
    number: int
    engine_version: str
    knowledge_version: str
    plan: dict[str, Any]
    #: From the typed plan: false when the plan stops treatment, and when the stored plan cannot be read (a safety
    #: field missing, a corrupt record) — then `plan_problem` says why. Never true by default.
    treatment_allowed: bool
    plan_problem: str = ""

    @staticmethod
    def resolve_plan_problem(obj: Any) -> str:
        return str(obj.problem)


class VisitOut(Schema):
    id: int
    episode_id: int
    date: dt.date
    practitioner_id: int
    needling_stopped: bool
    points: list[dict[str, Any]]
    leg_nrs: int | None
    back_nrs: int | None
    adverse_events: str
    subjective: str
    objective: str
    assessment: str
    plan_notes: str
    minutes_acupuncture: int
    minutes_electroacupuncture: int
    needle_reinsertions: int
    acupuncture_first: str
    minutes_massage: int
    minutes_manual_therapy: int
    #: The CPT lines this visit's minutes give on their own (a day's visits are billed together on a superbill).
    cpt: list[dict[str, Any]]
    version: int

    @staticmethod
    def resolve_cpt(obj: Any) -> list[dict[str, Any]]:
        bill = billing.visit_bill(obj)
        return [{"code": x.code, "units": x.units, "modifiers": list(x.modifiers), "add_on": x.add_on}
                for x in bill.lines] if bill is not None else []


class VisitMinutesPatch(Schema):
    """Correct a session's face-to-face minutes (not needle dwell time): send the `version` you read."""

    version: int
    minutes_acupuncture: int | None = None
    minutes_electroacupuncture: int | None = None
    needle_reinsertions: int | None = None
    acupuncture_first: Literal["", "acupuncture", "electroacupuncture"] | None = None
    minutes_massage: int | None = None
    minutes_manual_therapy: int | None = None


class DiagnosisIn(Schema):
    """The course's ICD-10-CM diagnoses by their knowledge ids (`GET …/diagnosis` lists them), primary first."""

    version: int
    diagnoses: list[str]


class DiagnosisOut(Schema):
    episode_id: int
    version: int
    confirmed: list[dict[str, str]]
    suggested: list[dict[str, Any]]
    alternatives: list[dict[str, Any]]
    reasons: list[str]
    sources: list[str]


class VisitNotesPatch(Schema):
    """Amend a session's notes: send the `version` you read; a newer one on the server is a 409."""

    version: int
    adverse_events: Note | None = None
    subjective: Note | None = None
    objective: Note | None = None
    assessment: Note | None = None
    plan_notes: Note | None = None


class ScoreIn(Schema):
    instrument: str
    answers: list[int | None]


class ScoreOut(Schema):
    id: int
    episode_id: int
    instrument: str
    result: dict[str, Any]


class EpisodeIn(Schema):
    title: Title = "Sciatica"


def _user(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@api.get("/patients", response=list[PatientOut])
def list_patients(request: HttpRequest, q: str = "", limit: int = 50) -> Any:
    qs = access.listed_patients(_user(request))
    if q:
        qs = qs.filter(last_name__icontains=q)
    rows = list(qs[: max(1, min(limit, 200))])
    audit.record(_user(request), "list", object_type="Patient", searched=bool(q), shown=len(rows),
                 patients=[p.pk for p in rows], via="api")  # ids only: a search's names stay out of the audit
    return rows


@api.post("/patients", response={201: PatientOut})
def create_patient(request: HttpRequest, payload: PatientIn) -> Any:
    """A new patient, checked by the page's patient form (lengths, choices, a birth date the contract accepts)."""
    form = _patient_form(payload.dict())
    return Status(201, records.create_patient(_user(request), **{k: form.cleaned_data[k] for k in payload.dict()}))


def _patient_form(data: dict[str, Any], instance: Patient | None = None) -> PatientForm:
    """The page's patient form bound to an API body; InputRefused naming each field it refuses."""
    given = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items() if v is not None}
    form = PatientForm(given, instance=instance)
    if not form.is_valid():
        raise InputRefused(form.problems())
    return form


@api.get("/patients/{pk}", response=PatientOut)
def get_patient(request: HttpRequest, pk: int) -> Any:
    patient = access.get_for(_user(request), Patient, pk, kind=access.DEMOGRAPHIC)
    audit.record(_user(request), "read", patient, via="api")
    return patient


@api.patch("/patients/{pk}", response=PatientOut)
def patch_patient(request: HttpRequest, pk: int, payload: PatientPatch) -> Any:
    patient = access.get_for(_user(request), Patient, pk, kind=access.DEMOGRAPHIC)
    current = {k: getattr(patient, k) for k in PATIENT_FIELDS}
    given = {k: v for k, v in payload.dict(exclude={"version"}).items() if v is not None}
    form = _patient_form({**current, **given, "version": payload.version}, instance=patient)
    changes = {k: form.cleaned_data[k] for k in given}
    return records.update_patient(_user(request), patient, payload.version, changes)


@api.get("/patients/{pk}/episodes", response=list[EpisodeOut])
def list_episodes(request: HttpRequest, pk: int) -> Any:
    patient = access.get_for(_user(request), Patient, pk)
    audit.record(_user(request), "list", object_type="Episode", patient_id=patient.pk, via="api")
    return list(patient.episodes.all())


@api.post("/patients/{pk}/episodes", response={201: EpisodeOut})
def create_episode(request: HttpRequest, pk: int, payload: EpisodeIn) -> Any:
    patient = access.get_for(_user(request), Patient, pk)
    return Status(201, records.open_episode(_user(request), patient, payload.title))


def _not_json(word: str) -> None:
    raise ValueError(f"{word} is not a JSON number")


INTAKE_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"type": "object", "description": (
        "An intake as in the clinical contract (intake.schema.json, 1.1: with `examination.power` and "
        "`medical_sites`). A muscle graded below 5 is stored in `examination.weakness` too; a site for a medical "
        "item not listed in `medical` is refused (422, with the field's path).")}}}}}


@api.post("/episodes/{pk}/intakes", response={201: PlanOut}, openapi_extra=INTAKE_BODY)
def post_intake(request: HttpRequest, pk: int) -> Any:
    """Store an intake (the contract's intake JSON, as the body) and the plan the engine gives for it."""
    episode = access.get_for(_user(request), Episode, pk)
    try:
        intake = json.loads(request.body or b"null", parse_constant=_not_json)
    except ValueError as exc:
        raise InputRefused([Problem("", f"the body is not JSON: {exc}")]) from None
    if not isinstance(intake, dict):
        raise InputRefused([Problem("", "the body must be one intake object")])
    intake_form.check_document(intake)  # the page's intake form, field by field; the engine then checks the rest
    return Status(201, records.record_intake(_user(request), episode, intake))


@api.get("/episodes/{pk}/plans", response=list[PlanOut])
def list_plans(request: HttpRequest, pk: int) -> Any:
    episode = access.get_for(_user(request), Episode, pk)
    audit.record(_user(request), "list", object_type="PlanRevision", patient_id=episode.patient_id, via="api")
    return list(episode.plans.all())


@api.get("/episodes/{pk}/visits", response=list[VisitOut])
def list_visits(request: HttpRequest, pk: int) -> Any:
    episode = access.get_for(_user(request), Episode, pk)
    audit.record(_user(request), "list", object_type="Visit", patient_id=episode.patient_id, via="api")
    return list(Visit.objects.filter(episode=episode))


@api.patch("/visits/{pk}", response=VisitOut)
def patch_visit_notes(request: HttpRequest, pk: int, payload: VisitNotesPatch) -> Any:
    visit = access.get_for(_user(request), Visit, pk)
    notes = {k: v for k, v in payload.dict(exclude={"version"}).items() if v is not None}
    return records.update_visit_notes(_user(request), visit, payload.version, notes)


@api.post("/episodes/{pk}/scores", response={201: ScoreOut})
def post_score(request: HttpRequest, pk: int, payload: ScoreIn) -> Any:
    episode = access.get_for(_user(request), Episode, pk)
    return Status(201, records.record_score(_user(request), episode, payload.instrument, payload.answers))


@api.get("/episodes/{pk}/scores", response=list[ScoreOut])
def list_scores(request: HttpRequest, pk: int) -> Any:
    episode = access.get_for(_user(request), Episode, pk)
    audit.record(_user(request), "list", object_type="OutcomeScore", patient_id=episode.patient_id, via="api")
    return list(OutcomeScore.objects.filter(episode=episode))




# --- billing and codes (issue 14) -----------------------------------------------------------------------------


@api.patch("/visits/{pk}/minutes", response=VisitOut)
def patch_visit_minutes(request: HttpRequest, pk: int, payload: VisitMinutesPatch) -> Any:
    """Correct a session's face-to-face minutes by modality (validated by the billing rules, version-checked)."""
    visit = access.get_for(_user(request), Visit, pk)
    values = {k: v for k, v in payload.dict(exclude={"version"}).items() if v is not None}
    return billing.update_visit_minutes(_user(request), visit, payload.version, values)


def _choice(c: clinical.DiagnosisChoice) -> dict[str, Any]:
    return {"id": c.id, "code": c.code, "display": c.display, "billable": c.billable}


@api.get("/episodes/{pk}/diagnosis", response=DiagnosisOut)
def get_diagnosis(request: HttpRequest, pk: int) -> Any:
    """The confirmed diagnoses and what the assessment suggests (cause, side, nerve root), with reasons."""
    episode = access.get_for(_user(request), Episode, pk)
    audit.record(_user(request), "read", episode, purpose="diagnosis", via="api")
    suggestion = billing.suggestion(episode)
    choices = {c.id: c for c in clinical.diagnosis_choices()}
    return {"episode_id": episode.pk, "version": episode.version, "confirmed": episode.diagnoses,
            "suggested": [_choice(choices[i]) for i in suggestion.diagnoses if i in choices],
            "alternatives": [_choice(choices[i]) for i in suggestion.alternatives if i in choices],
            "reasons": list(suggestion.reasons), "sources": list(suggestion.sources)}


@api.put("/episodes/{pk}/diagnosis", response=EpisodeOut)
def put_diagnosis(request: HttpRequest, pk: int, payload: DiagnosisIn) -> Any:
    """Confirm the course's diagnoses (the practitioner's decision; audited, version-checked)."""
    episode = access.get_for(_user(request), Episode, pk)
    return billing.confirm_diagnoses(_user(request), episode, payload.version, payload.diagnoses)


def _superbill(request: HttpRequest, patient: Patient, visits: list[Visit], name: str) -> HttpResponse:
    try:
        pdf = billing.print_superbill(_user(request), patient, visits, via="api")
    except clinical.SuperbillRefused as exc:
        return _errors(request, 422, [{"path": m.field, "message": m.message} for m in exc.missing])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


SUPERBILL_PDF = {"responses": {200: {"description": "The superbill (PDF)",
                                     "content": {"application/pdf": {"schema": {"type": "string",
                                                                                "format": "binary"}}}}}}


@api.get("/visits/{pk}/superbill", openapi_extra=SUPERBILL_PDF)
def visit_superbill(request: HttpRequest, pk: int) -> Any:
    """One visit's superbill as a PDF; 422 naming everything missing (diagnosis, identifiers, fees, minutes)."""
    qs = access.scoped(_user(request), Visit).select_related("episode__patient", "practitioner")
    visit = access.get_for(_user(request), Visit, pk, kind=access.DEMOGRAPHIC, queryset=qs)
    return _superbill(request, visit.episode.patient, [visit], f"superbill-visit-{visit.pk}.pdf")


@api.get("/patients/{pk}/superbill", openapi_extra=SUPERBILL_PDF)
def patient_superbill(request: HttpRequest, pk: int, start: dt.date | None = None,
                      end: dt.date | None = None) -> Any:
    """A patient's visits from `start` to `end` (each optional) as one superbill PDF."""
    patient = access.get_for(_user(request), Patient, pk, kind=access.DEMOGRAPHIC)
    if start is not None and end is not None and start > end:
        raise InputRefused([Problem("start", "the start date is after the end date")])
    return _superbill(request, patient, billing.billable_visits(patient, start, end),
                      f"superbill-patient-{patient.pk}.pdf")
PDF_RESPONSE = {"responses": {200: {"description": "The letter as a PDF.", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}


def _letter(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """A letter about the episode as a PDF, audited as a print; 409 (with why) when it cannot be written."""
    episode = access.get_for(_user(request), Episode, pk)
    build = {"referral": letter_facts.referral, "progress": letter_facts.progress}[which]
    try:
        letter = build(episode, _user(request))
    except letter_facts.NoLetter as exc:
        audit.record(_user(request), "refused", episode, purpose=f"{which}_letter", reason=str(exc), via="api")
        return _errors(request, 409, [{"path": "", "message": str(exc)}])
    audit.record(_user(request), "print", episode, document=f"{letter.kind}_letter", via="api")
    return letter_facts.pdf_response(letter, episode)


@api.get("/episodes/{pk}/letters/referral.pdf", openapi_extra=PDF_RESPONSE)
def referral_letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral letter to the patient's GP for the episode's current plan (and red flags found since)."""
    return _letter(request, pk, "referral")


@api.get("/episodes/{pk}/letters/progress.pdf", openapi_extra=PDF_RESPONSE)
def progress_letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress letter to the patient's GP (a discharge letter once the course is closed)."""
    return _letter(request, pk, "progress")
