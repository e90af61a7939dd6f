"""The scheduling app's records, one module per idea."""

from sciatica_care.scheduling.models.appointments import (
    Appointment,
    AppointmentStatus,
    BookedVia,
    WaitlistEntry,
    WaitlistStatus,
)
from sciatica_care.scheduling.models.front_desk import (
    BookingRules,
    Location,
    Room,
    Service,
    ServiceKind,
    Shift,
    ShiftException,
)

__all__ = [
    "Appointment",
    "AppointmentStatus",
    "BookedVia",
    "BookingRules",
    "Location",
    "Room",
    "Service",
    "ServiceKind",
    "Shift",
    "ShiftException",
    "WaitlistEntry",
    "WaitlistStatus",
]
