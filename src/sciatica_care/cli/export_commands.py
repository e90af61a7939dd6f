"""`sciatica-care export`: a patient's whole record (subject access: JSON, PDF and a FHIR R4 Bundle) and the whole
clinic as FHIR R4 NDJSON (one file per resource type). Loaded lazily by main.py; Django only inside the bodies."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .clinic_commands import _setup, data_dir_option

PATIENT_FORMATS = ("json", "pdf", "fhir")


@click.group()
def export() -> None:
    """Export records: a patient's whole record (subject access), or the whole clinic as FHIR R4."""


@export.command("patient")
@click.argument("patient_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the record into (made if needed; files readable by you only).")
@click.option("--format", "formats", type=click.Choice(PATIENT_FORMATS), multiple=True,
              help="json (the documented bundle), pdf (readable), fhir (a FHIR R4 Bundle); repeat for several. "
                   "Default: all three.")
@data_dir_option
def export_patient(patient_id: int, out: Path, formats: tuple[str, ...], data_dir: Path | None) -> None:
    """Write PATIENT_ID's whole record as a JSON bundle, a readable PDF and a FHIR R4 Bundle (audited as a
    command-line export)."""
    _setup(data_dir)
    from sciatica_care.clinic import subject_access
    from sciatica_care.clinic.models import Patient

    patient = Patient.objects.select_related("clinic").filter(pk=patient_id).first()
    if patient is None:
        raise click.ClickException(f"there is no patient {patient_id}")
    chosen = tuple(f for f in PATIENT_FORMATS if f in formats) or PATIENT_FORMATS
    files = subject_access.export_record(None, patient, via="cli", formats=chosen)
    for path in subject_access.write(out, patient.pk, files):
        click.echo(str(path))


@export.command("fhir")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the NDJSON files, one per resource type (made if needed; readable by you only).")
@click.option("--clinic", "clinic_id", type=int, default=None,
              help="The clinic to export (needed when the database holds several).")
@click.option("--type", "types", default="", metavar="TYPES",
              help="Only these resource types, comma-separated (e.g. Patient,Observation).")
@click.option("--base-url", default="",
              help="The FHIR API's address (https://…/api/fhir) the documents' links start with; without it "
                   "they are relative (Binary/…).")
@data_dir_option
def export_fhir(out: Path, clinic_id: int | None, types: str, base_url: str, data_dir: Path | None) -> None:
    """Write the whole clinic as FHIR R4 NDJSON files named by resource type (Patient.ndjson, Encounter.ndjson…),
    streamed, with a progress bar; audited as a command-line export."""
    _setup(data_dir)
    from sciatica_care.clinic import audit, clinical, fhir_bulk
    from sciatica_care.clinic.models import Clinic

    clinics = list(Clinic.objects.order_by("pk").values_list("pk", flat=True))
    if clinic_id is None:
        if len(clinics) != 1:
            raise click.ClickException("the database holds several clinics: choose one with --clinic ID"
                                       if clinics else "the database holds no clinic")
        clinic_id = clinics[0]
    elif clinic_id not in clinics:
        raise click.ClickException(f"there is no clinic {clinic_id}")
    wanted = [t.strip() for t in types.split(",") if t.strip()] or list(clinical.FHIR_TYPES)
    unknown = [t for t in wanted if t not in clinical.FHIR_TYPES]
    if unknown:
        raise click.BadParameter(f"not a resource type this exports: {', '.join(unknown)} "
                                 f"(choose from {', '.join(clinical.FHIR_TYPES)})", param_hint="--type")
    audit.record(None, "export_bulk", clinic_id=clinic_id, object_type="Clinic", object_id=clinic_id,
                 level="system", types=wanted, via="cli")
    with click.progressbar(length=1, label="Exporting patients", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        written = fhir_bulk.write_export(out, [clinic_id], wanted, base=base_url.rstrip("/"), progress=progress)
    for w in written:
        click.echo(f"{out / w['file']}\t{w['count']}")
