"""The clinic admin's locations and rooms: list, add, edit, close (deactivate) and reopen. Appointments keep their
location and room (a protected reference), so neither is ever deleted; closing a location that leaves booked
appointments outside working hours lists them, and taking a room out of use lists the appointments booked in it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sciatica_care.clinic.models import Staff
from sciatica_care.scheduling import stranded
from sciatica_care.scheduling.models import Location, Room
from sciatica_care.scheduling.setup_forms import LocationForm, RoomForm
from sciatica_care.scheduling.views.setup_common import (
    ROOM,
    admin,
    keep_stranded,
    keep_stranding,
    own,
    page,
    record_change,
    refused,
    save_form,
    snapshot,
)

LOCATION_FIELDS = ["name", "address", "phone", "time_zone", "active"]
ROOM_FIELDS = ["name", "active"]


def _locations(clinic_id: int) -> list[Location]:
    return list(Location.objects.filter(clinic_id=clinic_id).annotate(
        room_count=Count("rooms", filter=Q(rooms__active=True))).order_by("-active", "name"))


def _location_page(request: HttpRequest, user: Staff, place: Location, form: LocationForm, room_form: RoomForm,
                   status: int = 200) -> HttpResponse:
    return page(request, user, "location.html", {"place": place, "form": form, "room_form": room_form,
                                                 "rooms": place.rooms.order_by("-active", "name")}, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def locations(request: HttpRequest) -> HttpResponse:
    user = admin(request, "Location")
    form = LocationForm(request.POST or None, instance=Location(clinic_id=user.clinic_id))
    form.siblings = Location.objects.filter(clinic_id=user.clinic_id)
    if request.method == "POST":
        saved = save_form(form)
        if saved is None:
            refused(user, "create", "Location", form)
            return page(request, user, "locations.html", {"form": form, "locations": _locations(user.clinic_id)},
                        status=422)
        record_change(user, "create", saved, {}, snapshot(saved, LOCATION_FIELDS))
        messages.success(request, f"{saved.name} is added. Add its rooms here.")
        return redirect("scheduling:setup_location", pk=saved.pk)
    return page(request, user, "locations.html", {"form": form, "locations": _locations(user.clinic_id)})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def location(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin(request, "Location")
    place: Location = own(user, Location, pk)
    before = snapshot(place, LOCATION_FIELDS)
    form = LocationForm(request.POST or None, instance=place)
    form.siblings = Location.objects.filter(clinic_id=user.clinic_id)
    room_form = RoomForm(instance=Room(location=place))
    if request.method == "POST":
        # closing it or changing its zone moves its working hours: the appointments that leaves out are listed
        moves_hours = form.is_valid() and bool({"active", "time_zone"} & set(form.changed_data))
        saved = keep_stranding(request, user, None, lambda: save_form(form)) if moves_hours else save_form(form)
        if saved is None:
            refused(user, "update", "Location", form)
            place.refresh_from_db()
            return _location_page(request, user, place, form, room_form, status=422)
        record_change(user, "update", saved, before, snapshot(saved, LOCATION_FIELDS))
        messages.success(request, f"{saved.name} is saved.")
        return redirect("scheduling:setup_location", pk=saved.pk)
    return _location_page(request, user, place, form, room_form)


@login_required
@never_cache
@require_POST
def room_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin(request, "Room")
    place: Location = own(user, Location, pk)
    room_form = RoomForm(request.POST, instance=Room(location=place))
    room_form.siblings = place.rooms.all()
    saved = save_form(room_form)
    if saved is None:
        refused(user, "create", "Room", room_form)
        return _location_page(request, user, place, LocationForm(instance=place), room_form, status=422)
    record_change(user, "create", saved, {}, snapshot(saved, ROOM_FIELDS), location=place.pk)
    messages.success(request, f"Room {saved.name} is added to {place.name}.")
    return redirect("scheduling:setup_location", pk=place.pk)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def room(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin(request, "Room")
    held: Room = own(user, Room, pk, "location__clinic_id")
    before = snapshot(held, ROOM_FIELDS)
    form = RoomForm(request.POST or None, instance=held)
    form.siblings = Room.objects.filter(location_id=held.location_id)
    if request.method == "POST":
        saved = save_form(form)
        if saved is None:
            refused(user, "update", "Room", form)
            held.refresh_from_db()
            return page(request, user, "room.html", {"room": held, "form": form}, status=422)
        record_change(user, "update", saved, before, snapshot(saved, ROOM_FIELDS), location=held.location_id)
        if before["active"] and not saved.active:
            keep_stranded(request, stranded.in_room(saved.pk), ROOM)
        messages.success(request, f"Room {saved.name} is saved.")
        return redirect("scheduling:setup_location", pk=held.location_id)
    return page(request, user, "room.html", {"room": held, "form": form})
