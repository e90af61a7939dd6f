"""The clinic's settings page: its name and the outcome settings the charting form follows.

Clinic admins view and edit them; practitioners see them read-only (they chart by them); reception is refused
(403, audited). Only the user's own clinic is ever shown or changed. Opening the page is audited as a read; a
change is audited with each setting's old and new value, and two admins saving at once get a conflict.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sciatica_care import money
from sciatica_care.clinic import audit, records
from sciatica_care.clinic.forms import ClinicSettingsForm
from sciatica_care.clinic.models import Clinic, Staff

# What each setting does for practitioners, shown beside it.
EXPLANATIONS = {
    "name": "Shown to staff at the top of every page.",
    "disability_instrument": (
        "The disability questionnaire the charting form asks at the first session, at the regular checks and at "
        "discharge. The Oswestry Disability Index (ODI) has 10 sections scored 0–100 %; the Roland-Morris "
        "Disability Questionnaire (RMDQ) has 24 yes/no statements scored 0–24. Scores already recorded keep their "
        "questionnaire and the progress chart shows each one separately, so change it between courses rather than "
        "in the middle of one: a course measured half in ODI and half in RMDQ has no comparable baseline."
    ),
    "questionnaire_every_n_visits": (
        "Besides the first session and discharge, the charting form asks the disability questionnaire and the "
        "Sciatica Bothersomeness Index at every Nth session (1 to 12; 4 is usual). Leg and back pain (0–10) are "
        "asked at every session whatever this says; a smaller number measures progress more often but asks "
        "patients more."
    ),
    "payer_rule_warning": (
        "When on, the charting form warns before a session that the US Medicare rule for acupuncture in chronic "
        "low back pain would not cover: pain for under 12 weeks, pain linked to surgery or pregnancy, more than "
        "12 sessions in the first 90 days without improvement, or more than 20 in a year. It only warns; it never "
        "stops charting. Leave it off outside the US."
    ),
    "require_second_factor": (
        "When on, everyone signs in with their password and then a six-digit code from an authenticator app (or "
        "one of their recovery codes); someone without one sets it up at their next sign-in. Clinic admins always "
        "need a second factor, whatever this says."
    ),
    "idle_minutes": (
        "A signed-in page left untouched this long is logged out (1 to 480 minutes; 15 is usual). Whatever this "
        "says, every sign-in ends after 8 hours."
    ),
    "care_team_access": (
        "When on, a practitioner opens only the records of patients they treat (charted a session, recorded an "
        "intake) or are assigned to (reception assigns on the patient's page); for anyone else they must state a "
        "reason (\"break the glass\"), which opens the record for a limited time and is listed for the clinic "
        "admin. Clinic admins and reception are not limited by it. Off by default."
    ),
    "break_glass_hours": "How long a record opened outside the care team stays open (1 to 72 hours; 12 is usual).",
    "retention_years": (
        "How long the clinical record is kept after the patient's last contact (1 to 50 years). Before then a "
        "patient is anonymised only with a stated legal reason. 8 years is a common professional-body figure for "
        "adults' records, not a law everywhere: use what your country's rules and your insurer require."
    ),
    "api_token_max_days": (
        "The longest life anyone may give an API token when they make it (1 to 3650 days). Tokens default to 90 "
        "days; a shorter ceiling limits what a leaked token can do. Tokens already made keep their expiry."
    ),
    "npi": (
        "The clinic's National Provider Identifier, printed on superbills as the billing provider (ten digits; "
        "the last is a check digit, so a typing error is caught). Each practitioner's own NPI is set on the Staff "
        "page. No superbill is printed without both."
    ),
    "tax_id": "The clinic's employer identification number (EIN, 12-3456789), printed on superbills.",
    "billing_address": "The clinic's address as payers should see it on a superbill.",
    "billing_phone": "The phone number printed on superbills.",
    "place_of_service": (
        "The CMS place-of-service code on every superbill line: 11 for a practitioner's office, which is usual."
    ),
    "currency": (
        "The currency of the prices on the public booking page and of the fees on superbills, each written the way "
        "that currency's home writes it (£65.00, €65.00, $65.00). Changing it changes no amount, only its sign."
    ),
    "address": "Printed at the head of the letters to patients' doctors, under the clinic's name.",
    "phone": "Printed on the letters, so that a patient's doctor can call the practitioner back.",
    "email": "Printed on the letters beside the telephone number.",
}
#: The fee schedule is shown in its own table after the rows.
ROW_FIELDS = tuple(f for f in records.CLINIC_SETTINGS_FIELDS if f != "cpt_fees")


def _allowed(request: HttpRequest) -> Staff:
    """Clinic admins and practitioners of a clinic; reception is refused and audited."""
    user: Staff = request.user  # type: ignore[assignment]
    if user.clinic_id is None:
        raise Http404("No clinic here")
    if not user.is_clinical:
        audit.record(user, "denied_role", object_type="Clinic", object_id=user.clinic_id, role=user.role)
        raise PermissionDenied("the clinic's settings are for clinic admins and practitioners")
    return user


def _rows(form: ClinicSettingsForm, clinic: Clinic) -> list[dict[str, Any]]:
    shown = {
        "name": clinic.name,
        "disability_instrument": clinic.get_disability_instrument_display(),  # type: ignore[attr-defined]
        "questionnaire_every_n_visits": f"every {clinic.questionnaire_every_n_visits} sessions"
        if clinic.questionnaire_every_n_visits != 1
        else "every session",
        "payer_rule_warning": "on" if clinic.payer_rule_warning else "off",
        "require_second_factor": "everyone" if clinic.require_second_factor else "clinic admins only",
        "idle_minutes": f"{clinic.idle_minutes} minutes",
        "care_team_access": "on" if clinic.care_team_access else "off",
        "break_glass_hours": f"{clinic.break_glass_hours} hours",
        "retention_years": f"{clinic.retention_years} years",
        "api_token_max_days": f"{clinic.api_token_max_days} days",
        "npi": clinic.npi or "not set",
        "tax_id": clinic.tax_id or "not set",
        "billing_address": clinic.billing_address or "not set",
        "billing_phone": clinic.billing_phone or "not set",
        "place_of_service": clinic.get_place_of_service_display(),  # type: ignore[attr-defined]
        "currency": clinic.get_currency_display(),  # type: ignore[attr-defined]
        "address": clinic.address or "—",
        "phone": clinic.phone or "—",
        "email": clinic.email or "—",
    }
    return [
        {"field": form[name], "value": shown[name], "explanation": EXPLANATIONS[name]}
        for name in ROW_FIELDS
    ]


def _fees(clinic: Clinic) -> list[tuple[str, str, str]]:
    """(CPT code, what it is, the clinic's fee or "not set") for the read-only page."""
    from sciatica_care.clinic import clinical

    return [(code, display, money.amount(clinic.cpt_fees[code], clinic.currency)
             if code in (clinic.cpt_fees or {}) else "not set")
            for code, display in clinical.billed_cpt_codes()]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def clinic_settings(request: HttpRequest) -> HttpResponse:
    user = _allowed(request)
    clinic = Clinic.objects.get(pk=user.clinic_id)
    can_edit = user.is_clinic_admin
    context: dict[str, Any] = {"clinic": clinic, "can_edit": can_edit, "fees": _fees(clinic)}
    if request.method == "POST":
        if not can_edit:
            audit.record(user, "denied_role", clinic, role=user.role, purpose="settings_change")
            raise PermissionDenied("only the clinic admin changes the clinic's settings")
        form = ClinicSettingsForm(request.POST, instance=Clinic.objects.get(pk=clinic.pk))
        if not form.is_valid():
            return render(
                request,
                "clinic/clinic_settings.html",
                {**context, "form": form, "rows": _rows(form, clinic)},
                status=422,
            )
        expected = form.cleaned_data["version"]
        values = {k: form.cleaned_data[k] for k in records.CLINIC_SETTINGS_FIELDS}
        try:
            records.update_clinic_settings(user, clinic, expected, values)
        except records.Conflict as exc:
            clinic.refresh_from_db()
            audit.record(user, "conflict", clinic, expected=expected, current=exc.current_version)
            data = request.POST.copy()
            data["version"] = str(clinic.version)  # saving again, having seen theirs, is deliberate
            form = ClinicSettingsForm(data, instance=Clinic.objects.get(pk=clinic.pk))
            form.is_valid()
            theirs = [
                (form.fields[k].label, _rows(form, clinic)[i]["value"])
                for i, k in enumerate(ROW_FIELDS)
                if getattr(clinic, k) != values[k]
            ]
            if clinic.cpt_fees != values["cpt_fees"]:
                theirs.append(("Fee schedule", ", ".join(f"{c} {v}" for c, v in sorted(clinic.cpt_fees.items()))))
            return render(
                request,
                "clinic/clinic_settings.html",
                {**context, "form": form, "rows": _rows(form, clinic), "conflict": str(exc), "theirs": theirs},
                status=409,
            )
        messages.success(request, "Clinic settings saved.")
        return redirect("clinic:clinic_settings")
    audit.record(user, "read", clinic, purpose="settings")
    form = ClinicSettingsForm(instance=clinic, initial={"version": clinic.version})
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "clinic/clinic_settings.html", {**context, "form": form, "rows": _rows(form, clinic)})
