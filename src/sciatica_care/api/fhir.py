"""FHIR R4 API under /api/fhir/: `metadata`, read and basic search of the clinic's resources,
`Patient/{id}/$everything`, the Bulk Data `$export` (asynchronous, NDJSON per type) and `Binary` (the PDFs a
DocumentReference points at).

The same token auth as /api/ (`rest.TokenAuth`: a live token, its use audited, a read-only token refused every
change), the same access rules (`clinic/fhir_search.py` opens every record through `clinic/access.py`: another
clinic's record 404, reception refused clinical resources, care-team access), every read and export audited.
Answers are `application/fhir+json`; every error is an OperationOutcome naming what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any

import msgspec
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sciatica_care.api.rest import TokenAuth
from sciatica_care.clinic import access, audit, clinical, fhir_bulk, fhir_records, fhir_search
from sciatica_care.clinic.models import BulkExport, Episode, ExportStatus, PlanRevision, Staff
from sciatica_care.errors import InputRefused
from sciatica_care.version import __version__

FHIR_JSON = "application/fhir+json"
OUTPUT_FORMATS = frozenset({"application/fhir+ndjson", "application/ndjson", "ndjson"})

api = NinjaAPI(title="Sciatica Care FHIR R4 API", version="1", auth=TokenAuth(), urls_namespace="fhir",
               description="FHIR R4 (4.0.1): read, search, Patient/$everything, bulk $export. Bearer API tokens.")
_encode = msgspec.json.Encoder().encode

# FHIR's own parameter names start with "_": read under those names.
OutputFormat = Annotated[str | None, Query(alias="_outputFormat")]
Types = Annotated[str | None, Query(alias="_type")]
Since = Annotated[str | None, Query(alias="_since")]
Ids = Annotated[str | None, Query(alias="_id")]
Count = Annotated[str | None, Query(alias="_count")]
Offset = Annotated[str | None, Query(alias="_offset")]
Dates = Annotated[list[str] | None, Query()]


def fhir(body: dict[str, Any], status: int = 200, content_type: str = FHIR_JSON) -> HttpResponse:
    return HttpResponse(_encode(body), status=status, content_type=f"{content_type}; charset=utf-8")


def problem(status: int, message: str, expression: str | None = None) -> HttpResponse:
    return fhir(clinical.fhir_outcome(status, message, expression=expression), status)


@api.exception_handler(InputRefused)
def _refused(request: HttpRequest, exc: InputRefused) -> HttpResponse:
    first = exc.problems[0]
    return problem(400, "; ".join(f"{p.path}: {p.message}" for p in exc.problems), first.path or None)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    e = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in e.get("loc", []) if p not in ("query", "path", "body"))
    return problem(400, f"{where}: {e.get('msg', 'invalid')}", where or None)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, "not found")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(403, str(exc) or "forbidden")


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(401, "a valid Bearer token is required", "Authorization")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(exc.status_code, str(exc))


def unknown_address(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /api/fhir/: 404 as an OperationOutcome (the URLconf's last entry for the API)."""
    return problem(404, "no such address in this FHIR API (see /api/fhir/metadata)")


def _user(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/api/fhir").rstrip("/")


def _type(resource_type: str) -> str:
    if not fhir_search.known_type(resource_type):
        raise Http404(f"no resource type {resource_type[:40]} here")
    return resource_type


# --- the server ---------------------------------------------------------------------------------------------------

@api.get("/metadata", auth=None, summary="CapabilityStatement")
def metadata(request: HttpRequest) -> HttpResponse:
    """What this server reads, searches and exports (no token needed: it holds no record)."""
    return fhir(clinical.fhir_capability(base_url(request), __version__, timezone.now(),
                                         {t: fhir_search.SEARCH_PARAMS[t] for t in clinical.FHIR_TYPES}))


# --- bulk export (Bulk Data Access IG: kick-off, status, files, cancel) ------------------------------------------

def _kick_off(request: HttpRequest, level: str, output_format: str | None, types: str | None,
              since: str | None) -> HttpResponse:
    user = _user(request)
    if "respond-async" not in request.headers.get("Prefer", ""):
        return problem(400, "a bulk export runs in the background: send the header Prefer: respond-async", "Prefer")
    if output_format and output_format not in OUTPUT_FORMATS:
        return problem(400, f"_outputFormat: only application/fhir+ndjson, got {output_format[:60]!r}",
                       "_outputFormat")
    wanted = [t.strip() for t in (types or "").split(",") if t.strip()]
    unknown = [t for t in wanted if not fhir_search.known_type(t)]
    if unknown:
        return problem(400, f"_type: not a resource type this server exports: {', '.join(unknown)[:200]}", "_type")
    chosen = wanted or list(clinical.FHIR_TYPES)
    if level == "patient":
        chosen = [t for t in chosen if t in clinical.FHIR_PATIENT_TYPES or t in ("Practitioner", "Organization",
                                                                                   "Location", "Questionnaire")]
    after = None
    if since:
        try:
            after = dt.datetime.fromisoformat(since.replace("Z", "+00:00"))
        except ValueError:
            return problem(400, f"_since: not an instant (YYYY-MM-DDThh:mm:ss+zz:zz), got {since[:40]!r}", "_since")
        if after.tzinfo is None:
            return problem(400, "_since: give the time zone (Z or +hh:mm)", "_since")
    if not user.is_clinic_admin:
        audit.record(user, "denied_role", object_type="BulkExport", role=user.role, purpose="export_bulk")
        raise PermissionDenied("a whole-clinic export is made by a clinic admin")
    fhir_bulk.purge_expired()
    with transaction.atomic():
        if BulkExport.objects.filter(clinic_id=user.clinic_id,
                                     status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING)).exists():
            return problem(429, "an export of this clinic is already running: poll it, or delete it, first")
        export = BulkExport.objects.create(clinic_id=user.clinic_id, requested_by=user, level=level, types=chosen,
                                           since=after, request_url=request.build_absolute_uri()[:500],
                                           base_url=base_url(request)[:300])
        audit.record(user, "export_bulk", export, level=level, types=chosen, via="fhir",
                     since=after.isoformat() if after else None)
    fhir_bulk.start(export)
    response = HttpResponse(status=202)
    response["Content-Location"] = f"{base_url(request)}/bulkstatus/{export.job}"
    return response


@api.get("/$export", summary="Bulk export: the whole clinic (kick-off)")
def export_system(request: HttpRequest, output_format: OutputFormat = None,
                  types: Types = None,
                  since: Since = None) -> HttpResponse:
    """Start an export of every resource of the clinic (clinic admins). Answers 202 with Content-Location: the
    address to poll."""
    return _kick_off(request, "system", output_format, types, since)


@api.get("/Patient/$export", summary="Bulk export: every patient's compartment (kick-off)")
def export_patients(request: HttpRequest, output_format: OutputFormat = None,
                    types: Types = None,
                    since: Since = None) -> HttpResponse:
    """Start an export of every patient's resources and those they refer to (clinic admins)."""
    return _kick_off(request, "patient", output_format, types, since)


def _export(request: HttpRequest, job: str) -> BulkExport:
    """The user's own export of their clinic (404 for anyone else's, for an unknown or an expired one)."""
    user = _user(request)
    try:
        key = uuid.UUID(job)
    except ValueError:
        raise Http404("no such export") from None
    export = BulkExport.objects.filter(job=key, clinic_id=user.clinic_id or 0, requested_by=user).first()
    if export is None:
        raise Http404("no such export")
    if fhir_bulk.expired(export):
        fhir_bulk.remove(export)
        raise Http404("no such export")
    return export


@api.get("/bulkstatus/{job}", summary="Bulk export: status and manifest")
def export_status(request: HttpRequest, job: str) -> HttpResponse:
    """202 with X-Progress while the export runs; 200 with the manifest when it is done."""
    export = _export(request, job)
    if export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        response = HttpResponse(status=202)
        response["X-Progress"] = f"{export.progress}% ({export.status})"
        response["Retry-After"] = "2"
        return response
    if export.status == ExportStatus.FAILED:
        return problem(500, f"the export failed: {export.error}")
    body = fhir_bulk.manifest(export, lambda name: f"{base_url(request)}/bulkfiles/{export.job}/{name}")
    response = HttpResponse(_encode(body), content_type="application/json")
    response["Expires"] = (export.finished_at + fhir_bulk.KEEP).strftime("%a, %d %b %Y %H:%M:%S GMT") \
        if export.finished_at else ""
    return response


@api.delete("/bulkstatus/{job}", summary="Bulk export: cancel or delete")
def export_delete(request: HttpRequest, job: str) -> HttpResponse:
    """Cancel a running export, or delete a finished one and its files (202)."""
    export = _export(request, job)
    audit.record(_user(request), "export_bulk_cancel", export, status=export.status)
    fhir_bulk.remove(export)
    return HttpResponse(status=202)


@api.get("/bulkfiles/{job}/{name}", summary="Bulk export: one NDJSON file")
def export_file(request: HttpRequest, job: str, name: str) -> StreamingHttpResponse:
    export = _export(request, job)
    if export.status != ExportStatus.DONE or name not in {w["file"] for w in export.output}:
        raise Http404("no such file")
    path = fhir_bulk.folder_of(export) / name
    if not path.is_file():
        raise Http404("no such file")
    audit.record(_user(request), "export_bulk_download", export, file=name)
    response = StreamingHttpResponse(fhir_bulk.file_pieces(path), content_type=fhir_bulk.NDJSON)
    response["Content-Length"] = str(path.stat().st_size)
    return response


# --- one patient: $everything and the PDFs --------------------------------------------------------------------

@api.get("/Patient/{pk}/$everything", summary="Patient/$everything")
def everything(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's whole record (and the clinic's resources it refers to) as one searchset Bundle."""
    links = fhir_records.Links(base_url(request))
    resources = fhir_search.everything(_user(request), pk, links)
    return fhir(clinical.fhir_searchset(resources, links.base, timestamp=timezone.now(),
                                        self_url=request.build_absolute_uri()))


@api.get("/Binary/{binary_id}", summary="Binary: a PDF a DocumentReference refers to")
def binary(request: HttpRequest, binary_id: str) -> HttpResponse:
    """The PDF itself (application/pdf): a plan's home programme (`handout-ID`) or a course's discharge summary
    (`discharge-ID`)."""
    user = _user(request)
    match = re.fullmatch(r"(handout|discharge)-([1-9][0-9]{0,17})", binary_id)
    if match is None:
        raise Http404("no such document")
    kind, number = match.group(1), int(match.group(2))
    if kind == "handout":
        from sciatica_care.clinic import figures
        from sciatica_care.reports.handout import UnsafeHandout
        from sciatica_care.reports.letterhead import Letterhead

        revision = access.get_for(user, PlanRevision, number, queryset=access.scoped(user, PlanRevision)
                                  .select_related("episode__patient", "episode__clinic", "intake"))
        patient = revision.episode.patient
        head = Letterhead(patient=f"{patient.first_name} {patient.last_name}".strip(),
                          clinic=revision.episode.clinic.name, practitioner=user.display(),
                          date=timezone.localdate())
        try:
            body = figures.handout_pdf(revision, head)
        except UnsafeHandout as exc:
            audit.record(user, "refused", revision, patient_id=patient.pk, purpose="handout_pdf", reason=str(exc))
            return problem(409, str(exc))
        audit.record(user, "read", revision, patient_id=patient.pk, purpose="handout_pdf", via="fhir")
    else:
        from sciatica_care.clinic import discharge_summary
        from sciatica_care.reports.discharge_pdf import discharge_pdf

        episode = access.get_for(user, Episode, number)
        if episode.closed_on is None:
            raise Http404("the course is not discharged")
        body = discharge_pdf(discharge_summary.summary(episode))
        audit.record(user, "print", episode, patient_id=episode.patient_id, document="discharge_pdf", via="fhir")
    return HttpResponse(body, content_type="application/pdf")


# --- read and search --------------------------------------------------------------------------------------------

@api.get("/{resource_type}", summary="Search a resource type")
def search(request: HttpRequest, resource_type: str, resource_id: Ids = None,
           patient: str | None = None, date: Dates = None,
           family: str | None = None, birthdate: str | None = None,
           count: Count = None, offset: Offset = None,
           ) -> HttpResponse:
    """Basic search: `_id`, `patient` (every type of a patient's record), `date` (with eq/ge/gt/le/lt),
    `family` and `birthdate` (Patient); `_count` (1–200) and `_offset` page through the matches."""
    kind = _type(resource_type)
    n, start = fhir_search.count_of(count), fhir_search.offset_of(offset)
    params = {"_id": resource_id, "patient": patient, "date": date, "family": family, "birthdate": birthdate}
    found = fhir_search.search(_user(request), kind, params, n, start, fhir_records.Links(base_url(request)))
    self_url = request.build_absolute_uri()
    next_url = None
    if start + n < found.total:
        query = request.GET.copy()
        query["_offset"] = str(start + n)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return fhir(clinical.fhir_searchset(found.resources, base_url(request), total=found.total,
                                        self_url=self_url, next_url=next_url, timestamp=timezone.now()))


@api.get("/{resource_type}/{resource_id}", summary="Read a resource")
def read(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    return fhir(fhir_search.read(_user(request), _type(resource_type), resource_id,
                                 fhir_records.Links(base_url(request))))
