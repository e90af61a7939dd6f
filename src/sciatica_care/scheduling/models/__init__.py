"""The scheduling app's records, one module per idea."""

from sciatica_care.scheduling.models.appointments import (
    Appointment,
    AppointmentStatus,
    BookedVia,
    OfferOutcome,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from sciatica_care.scheduling.models.feeds import CalendarFeed
from sciatica_care.scheduling.models.front_desk import (
    BookingRules,
    Location,
    Room,
    Service,
    ServiceKind,
    Shift,
    ShiftException,
)
from sciatica_care.scheduling.models.messages import (
    PATIENT_TOPICS,
    Channel,
    Message,
    MessageStatus,
    OptOut,
    SkipReason,
    Topic,
)
from sciatica_care.scheduling.models.online_codes import BookingCode

__all__ = [
    "PATIENT_TOPICS",
    "Appointment",
    "AppointmentStatus",
    "BookedVia",
    "BookingCode",
    "BookingRules",
    "CalendarFeed",
    "Channel",
    "Location",
    "Message",
    "MessageStatus",
    "OfferOutcome",
    "OptOut",
    "Room",
    "Service",
    "ServiceKind",
    "Shift",
    "ShiftException",
    "SkipReason",
    "Topic",
    "WaitlistEntry",
    "WaitlistOffer",
    "WaitlistStatus",
]
