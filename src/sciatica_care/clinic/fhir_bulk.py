"""Bulk FHIR export: the whole clinic as NDJSON, one file per resource type, streamed to disk (a chunk of patients'
rows at a time, never the whole export in memory). Written by the command line (`sciatica-care export fhir`) and
by the API's asynchronous `$export` (`api/fhir.py`), whose job runs in the background (django-tasks) and keeps its
files in the data folder, readable by the owner only, until they expire or the requester deletes the export.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import IO, Any

import msgspec
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from sciatica_care.clinic import audit, clinical, fhir_records
from sciatica_care.clinic.models import BulkExport, ExportStatus, Patient

#: How long an export's files are kept after it finishes.
KEEP = dt.timedelta(hours=24)
NDJSON = "application/fhir+ndjson"


def file_name(resource_type: str) -> str:
    return f"{resource_type}.ndjson"


class NdjsonFiles:
    """One NDJSON file per resource type in `folder`, each opened at its first resource (owner-only), counted."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.folder = folder
        self.counts: dict[str, int] = {}
        self._files: dict[str, IO[bytes]] = {}
        self._encode = msgspec.json.Encoder().encode

    def write(self, resource: dict[str, Any]) -> None:
        kind = resource["resourceType"]
        fh = self._files.get(kind)
        if fh is None:
            fd = os.open(self.folder / file_name(kind), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            fh = self._files[kind] = os.fdopen(fd, "wb", buffering=1 << 20)
            self.counts[kind] = 0
        fh.write(self._encode(resource))
        fh.write(b"\n")
        self.counts[kind] += 1

    def close(self) -> list[dict[str, Any]]:
        """Close every file; what was written, by type, in the order of the types' first resources."""
        for fh in self._files.values():
            fh.close()
        return [{"type": kind, "file": file_name(kind), "count": n} for kind, n in self.counts.items()]


def _updated_since(resource: dict[str, Any], since: dt.datetime) -> bool:
    """True unless the resource says it was last changed before `since` (one that does not say is kept)."""
    updated = (resource.get("meta") or {}).get("lastUpdated")
    return updated is None or dt.datetime.fromisoformat(updated) >= since


def write_export(folder: Path, clinic_ids: Collection[int], types: Collection[str] = clinical.FHIR_TYPES, *,
                 since: dt.datetime | None = None, base: str = "",
                 progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
    """Write the clinics' resources of `types` into `folder` as NDJSON; `progress(patients done, of total)` after
    each chunk of patients. Returns what was written, by type."""
    patients = Patient.objects.filter(clinic_id__in=clinic_ids)
    total = patients.count()
    files = NdjsonFiles(folder)
    try:
        keep: Callable[[dict[str, Any]], bool] = (lambda r: _updated_since(r, since)) if since else (lambda r: True)
        for resource in fhir_records.clinic_resources(clinic_ids, [t for t in types
                                                                   if t in clinical.FHIR_CLINIC_TYPES]):
            if keep(resource):
                files.write(resource)
        patient_types = [t for t in types if t in clinical.FHIR_PATIENT_TYPES]
        done = 0
        links = fhir_records.Links(base)
        for ids in fhir_records.patient_id_chunks(patients):
            if patient_types:
                for resource in fhir_records.resources_of(fhir_records.patient_records(ids, patient_types, links),
                                                          patient_types):
                    if keep(resource):
                        files.write(resource)
            done += len(ids)
            if progress is not None:
                progress(done, total)
    finally:
        written = files.close()
    return written


# --- the API's asynchronous export ------------------------------------------------------------------------------

def exports_root() -> Path:
    return Path(settings.DATA_DIR) / "exports" / "fhir"


def folder_of(export: BulkExport) -> Path:
    return exports_root() / str(export.job)


def expired(export: BulkExport, now: dt.datetime | None = None) -> bool:
    return export.finished_at is not None and export.finished_at + KEEP <= (now or timezone.now())


def remove(export: BulkExport) -> None:
    """Delete the export and its files (asked for by the requester, or expired)."""
    shutil.rmtree(folder_of(export), ignore_errors=True)
    export.delete()


def purge_expired(now: dt.datetime | None = None) -> int:
    """Remove every export whose files have been kept long enough; how many."""
    old = BulkExport.objects.filter(finished_at__lte=(now or timezone.now()) - KEEP)
    n = 0
    for export in old:
        remove(export)
        n += 1
    return n


def run(export_id: int) -> None:
    """Run one export: write its files, keep its progress and, at the end, its manifest (or why it failed).
    An export deleted meanwhile (cancelled) stops at its next chunk and leaves nothing behind."""
    export = BulkExport.objects.filter(pk=export_id).first()
    if export is None or export.status != ExportStatus.QUEUED:
        return
    BulkExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING)

    class Cancelled(Exception):
        pass

    def progress(done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 100
        if not BulkExport.objects.filter(pk=export.pk).update(progress=min(percent, 99)):
            raise Cancelled

    folder = folder_of(export)
    try:
        written = write_export(folder, [export.clinic_id], export.types, since=export.since,
                               base=export.base_url, progress=progress)
    except Cancelled:
        shutil.rmtree(folder, ignore_errors=True)
        return
    except Exception as exc:
        shutil.rmtree(folder, ignore_errors=True)
        BulkExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED, finished_at=timezone.now(),
                                                       error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    with transaction.atomic():
        if not BulkExport.objects.filter(pk=export.pk).update(
                status=ExportStatus.DONE, progress=100, finished_at=timezone.now(), output=written):
            shutil.rmtree(folder, ignore_errors=True)  # deleted while its last file was being written
            return
        audit.record(export.requested_by, "export_bulk_done", export, clinic_id=export.clinic_id,
                     level=export.level, files=[f"{w['type']}:{w['count']}" for w in written])


@task()
def run_export(export_id: int) -> None:
    """The background task of an API `$export` (django-tasks; the worker started by `serve` runs it)."""
    run(export_id)


def start(export: BulkExport) -> None:
    """Queue the export's job (ImmediateBackend in tests runs it at once)."""
    run_export.enqueue(export.pk)


def manifest(export: BulkExport, file_url: Callable[[str], str]) -> dict[str, Any]:
    """The Bulk Data manifest of a finished export."""
    return {
        "transactionTime": _instant(export.created_at),
        "request": export.request_url,
        "requiresAccessToken": True,
        "output": [{"type": w["type"], "url": file_url(w["file"]), "count": w["count"]} for w in export.output],
        "error": [],
    }


def _instant(value: dt.datetime) -> str:
    text = value.astimezone(dt.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def file_pieces(path: Path, chunk: int = 1 << 16) -> Iterable[bytes]:
    """A file's bytes in pieces (a download streams them)."""
    with path.open("rb") as fh:
        while piece := fh.read(chunk):
            yield piece
