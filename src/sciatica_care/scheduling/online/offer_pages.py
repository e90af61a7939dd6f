"""The public waitlist pages: the offer link (`/book/offer/<token>/`: see the freed time, take it or let it go) and
a clinic's join page (`/book/<slug>/waitlist/`, only while its online booking is on).

Nothing here says whether someone is a patient: the join page never looks anyone up (everyone joins by name and
contact, and the staff link an entry to the patient), and an offer shows only the time, the service, the
practitioner and the place. Unknown offer links are throttled per client address like questionnaire links; joining
is limited per address."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any, cast

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sciatica_care.clinic import throttle
from sciatica_care.clinic.models import Clinic, Role, Staff
from sciatica_care.clinic.signin import client_address
from sciatica_care.errors import InputRefused
from sciatica_care.scheduling import waitlist
from sciatica_care.scheduling.models import BookingRules, OfferOutcome, Service, WaitlistOffer
from sciatica_care.scheduling.online.booking_choices import bookable_services, practitioners

WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"), (5, "Saturday"),
            (6, "Sunday")]


#: Offer links are counted apart from the other kinds of link (clinic/throttle.py).
SCOPE = "offer"


def _shown(offer: WaitlistOffer) -> dict[str, Any]:
    zone = zoneinfo.ZoneInfo(offer.location.time_zone)
    return {"offer": offer, "start": offer.start.astimezone(zone), "expires": offer.expires_at.astimezone(zone),
            "clinic": offer.clinic.name, "practitioner": offer.practitioner.display()}


@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, token: str) -> HttpResponse:
    address = client_address(request)
    if throttle.link_locked(address, SCOPE):
        return throttle.lockout_page(request, "scheduling/online/offer_throttled.html")
    found = waitlist.find_offer(token)
    if found is None:
        throttle.link_failed(address, SCOPE)
        return render(request, "scheduling/online/offer_unknown.html", status=404)
    context = _shown(found)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "accept":
            answer = waitlist.accept(token)
        elif action == "decline":
            answer = waitlist.decline(token)
        else:
            context["error"] = "Choose whether to take this time or let it go."
            return render(request, "scheduling/online/offer.html", context, status=422)
        context.update(answer=answer.outcome, appointment=answer.appointment)
        return render(request, "scheduling/online/offer_answered.html", context,
                      status=200 if answer.outcome in ("booked", "declined") else 409)
    now = timezone.now()
    context["open"] = found.outcome == OfferOutcome.OPEN and found.expires_at > now
    context["state"] = found.outcome if found.outcome != OfferOutcome.OPEN else (
        "open" if context["open"] else "expired")
    return render(request, "scheduling/online/offer.html", context)


class JoinForm(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.none(), label="Appointment", empty_label=None,
                                     widget=forms.RadioSelect,
                                     error_messages={"required": "Choose the appointment you would like."})
    practitioner = forms.ModelChoiceField(queryset=Staff.objects.none(), label="Practitioner", required=False,
                                          empty_label="Anyone")
    earliest = forms.DateField(label="From", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    latest = forms.DateField(label="Until", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    weekdays = forms.TypedMultipleChoiceField(label="Days that suit you", choices=WEEKDAYS, coerce=int,
                                              required=False, widget=forms.CheckboxSelectMultiple)
    name = forms.CharField(label="Your name", max_length=200, error_messages={"required": "Type your name."},
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label="Email", required=False, max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label="Mobile phone", required=False, max_length=40,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Only what an offer can be made for: the services booked online, the practitioners who take bookings.
        service_field = cast(forms.ModelChoiceField, self.fields["service"])  # type: ignore[type-arg]
        service_field.queryset = Service.objects.filter(pk__in=[s.pk for s in bookable_services(clinic)]
                                                        ).order_by("name")
        practitioner_field = cast(forms.ModelChoiceField, self.fields["practitioner"])  # type: ignore[type-arg]
        practitioner_field.queryset = Staff.objects.filter(
            pk__in=[p.pk for p in practitioners(clinic)], clinic=clinic, is_active=True,
            role__in=[Role.PRACTITIONER, Role.CLINIC_ADMIN]).order_by("last_name", "first_name", "pk")
        practitioner_field.label_from_instance = lambda s: s.display()  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("email") and not str(data.get("phone") or "").strip() and "email" not in self.errors:
            self.add_error("email", "Give an email address or a mobile number, so we can tell you of a time.")
        return data

    def mark_errors(self) -> None:
        """Tie each field with a problem to the words that name it, for screen readers."""
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{name}-error"})


def _join_page(request: HttpRequest, rules: BookingRules, template: str, context: dict[str, Any],
               status: int = 200) -> HttpResponse:
    response = render(request, f"scheduling/online/{template}", {"clinic": rules.clinic, "rules": rules,
                                                                 "slug": rules.public_slug, **context},
                      status=status)
    response["Cache-Control"] = "no-store"
    return response


def _asked_for(form: JoinForm) -> dict[str, Any]:
    d = form.cleaned_data
    days = [name for number, name in WEEKDAYS if number in d["weekdays"]]
    return {"service": d["service"].name, "who": d["practitioner"].display() if d["practitioner"] else "Anyone",
            "earliest": d["earliest"], "latest": d["latest"], "days": ", ".join(days) or "Any day"}


def _first_asked(clinic: Clinic, request: HttpRequest) -> dict[str, Any]:
    """The service and practitioner the booking page passed on, when they are ones this page offers."""
    form = JoinForm(clinic=clinic)
    initial: dict[str, Any] = {}
    for name in ("service", "practitioner"):
        field = cast(forms.ModelChoiceField, form.fields[name])  # type: ignore[type-arg]
        pk = str(request.GET.get(name, ""))[:12]
        if pk.isdigit() and field.queryset.filter(pk=int(pk)).exists():
            initial[name] = int(pk)
    return initial


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, slug: str) -> HttpResponse:
    rules = BookingRules.objects.filter(public_slug=slug, online_booking=True).select_related("clinic").first()
    if rules is None:
        raise Http404("No booking page here")
    clinic = rules.clinic
    today = timezone.localdate()
    if request.method == "GET":
        form = JoinForm(clinic=clinic, initial={"earliest": today, "latest": today + dt.timedelta(weeks=4),
                                                **_first_asked(clinic, request)})
        return _join_page(request, rules, "offer_join.html", {"form": form})
    if not throttle.waitlist_join_allowed(client_address(request)):
        response = _join_page(request, rules, "offer_join.html", {
            "form": JoinForm(clinic=clinic), "refused": "Too many requests have come from this device or network. "
                                                        "Please try again in an hour, or call the clinic."},
            status=429)
        response["Retry-After"] = str(throttle.WAITLIST_JOIN_WINDOW_SECONDS)
        return response
    form = JoinForm(request.POST, clinic=clinic)
    if form.is_valid():
        d = form.cleaned_data
        try:
            waitlist.join(clinic=clinic, service=d["service"], practitioner=d["practitioner"],
                          earliest=d["earliest"], latest=d["latest"], weekdays=d["weekdays"], by=None,
                          prospect_name=d["name"], prospect_email=d["email"] or "",
                          prospect_phone=d["phone"] or "")
        except InputRefused as exc:
            for p in exc.problems:
                field = {"prospect_name": "name", "prospect_email": "email", "prospect_phone": "phone"}.get(
                    p.path, p.path)
                form.add_error(field if field in form.fields else None, p.message[:1].upper() + p.message[1:])
        else:
            return _join_page(request, rules, "offer_joined.html", {"asked": _asked_for(form)})
    form.mark_errors()
    return _join_page(request, rules, "offer_join.html", {"form": form}, status=422)
