from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sciatica_care.clinic import access, audit, care_team, records
from sciatica_care.clinic.forms import PATIENT_FIELDS, PatientForm
from sciatica_care.clinic.input_cleaning import search_text
from sciatica_care.clinic.models import CareAssignment, Episode, Patient, Role, Staff

PAGE_SIZE = 50


@login_required
def patient_list(request: HttpRequest) -> HttpResponse:
    q = search_text(request.GET.get("q", ""))
    patients = _searched(access.listed_patients(request.user), q)
    rows = list(patients.only("id", "first_name", "last_name", "date_of_birth", "phone")[:PAGE_SIZE + 1])
    # Care-team access: a search also names the clinic's other matching patients, whose records open only
    # after breaking the glass (name and birth date only, to find the right one).
    others: list[Patient] = []
    if q and care_team.applies(request.user):
        shown = {p.pk for p in rows}
        others = [p for p in _searched(access.scoped(request.user, Patient), q)
                  .only("id", "first_name", "last_name", "date_of_birth")[:PAGE_SIZE] if p.pk not in shown]
    # The audit keeps which patients were shown, by id, never the names searched for (pseudonymous audit).
    ids = [p.pk for p in rows[:PAGE_SIZE]]
    audit.record(request.user, "list", object_type="Patient", searched=bool(q), shown=len(ids), ids=ids,
                 patients=ids, outside_care_team=[p.pk for p in others])
    template = "clinic/_patient_rows.html" if request.htmx else "clinic/patient_list.html"
    return render(request, template, {"patients": rows[:PAGE_SIZE], "more": len(rows) > PAGE_SIZE, "q": q,
                                      "others": others})


def _searched(patients: QuerySet[Patient], q: str) -> QuerySet[Patient]:
    for term in q.split()[:4]:
        patients = patients.filter(Q(first_name__icontains=term) | Q(last_name__icontains=term)
                                   | Q(phone__icontains=term) | Q(email__icontains=term))
    return patients


@login_required
@require_http_methods(["GET", "POST"])
def patient_new(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in PATIENT_FIELDS}
        same = records.matching_patients(request.user.clinic_id, data["first_name"], data["last_name"],
                                         data["date_of_birth"])
        if same and not request.POST.get("not_a_duplicate"):  # warn, with links; adding them anyway is deliberate
            audit.record(request.user, "list", object_type="Patient", purpose="duplicate_warning",
                         shown=len(same), ids=[p.pk for p in same])
            return render(request, "clinic/patient_form.html", {"form": form, "patient": None, "duplicates": same})
        patient = records.create_patient(request.user, **data)
        messages.success(request, f"{patient.first_name} {patient.last_name} added.")
        return redirect("clinic:patient_detail", pk=patient.pk)
    if form.is_bound and form.errors:
        audit.attempted(request.user, "create", object_type="Patient", fields=form.errors)
    return render(request, "clinic/patient_form.html", {"form": form, "patient": None},
                  status=422 if form.is_bound and form.errors else 200)


@login_required
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qs = access.scoped(request.user, Patient).select_related("consent_treatment_by")
    patient = access.get_for(request.user, Patient, pk, kind=access.DEMOGRAPHIC, queryset=qs)
    audit.record(request.user, "read", patient)
    episodes = []
    if request.user.is_clinical:
        episodes = list(Episode.objects.filter(patient=patient).annotate(
            n_visits=Count("visits", distinct=True), last_visit=Max("visits__date")))
    user = request.user
    can_assign = user.role in (Role.RECEPTION, Role.CLINIC_ADMIN)
    return render(request, "clinic/patient_detail.html", {
        "patient": patient, "episodes": episodes,
        "care_team": CareAssignment.objects.filter(patient=patient, ended_at__isnull=True).select_related("staff"),
        "can_assign": can_assign,
        "practitioners": access.scoped(user, Staff).filter(is_active=True, role__in=[Role.PRACTITIONER,
                                                                                     Role.CLINIC_ADMIN])
        if can_assign else [],
        "can_export": user.is_clinic_admin or (user.is_clinical and care_team.treats(user, patient.pk))})


@login_required
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = access.get_for(request.user, Patient, pk, kind=access.DEMOGRAPHIC)
    if request.method == "POST":
        form = PatientForm(request.POST, instance=Patient.objects.get(pk=patient.pk))
        if form.is_valid():
            expected = form.cleaned_data["version"]  # required on an edit (PatientForm): never "whatever is stored"
            changes = {k: form.cleaned_data[k] for k in PATIENT_FIELDS if form.cleaned_data[k] != getattr(patient, k)}
            try:
                records.update_patient(request.user, patient, expected, changes)
            except records.Conflict as exc:
                patient.refresh_from_db()
                data = request.POST.copy()
                data["version"] = str(patient.version)  # a second save, after reading theirs, is deliberate
                form = PatientForm(data, instance=Patient.objects.get(pk=patient.pk))
                form.is_valid()
                audit.record(request.user, "conflict", patient, expected=expected, current=exc.current_version)
                return render(request, "clinic/patient_form.html", {
                    "form": form, "patient": patient, "conflict": str(exc),
                    "theirs": {f: getattr(patient, f) for f in changes}}, status=409)
            messages.success(request, "Saved.")
            return redirect("clinic:patient_detail", pk=patient.pk)
        audit.attempted(request.user, "update", patient, fields=form.errors)
    else:
        audit.record(request.user, "read", patient, purpose="edit")
        form = PatientForm(instance=patient, initial={"version": patient.version})
    return render(request, "clinic/patient_form.html", {"form": form, "patient": patient},
                  status=422 if form.is_bound and form.errors else 200)
