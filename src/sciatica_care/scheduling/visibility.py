"""Who sees what on the calendar.

Everyone of the clinic sees its calendar (reception books for a living). Who is booked is shown to reception and
clinic admins for every appointment; to a practitioner for their own, and for their colleagues' only when the
clinic's booking rules say so (`practitioners_see_colleagues`) and care-team access does not limit them — otherwise
a colleague's appointment is a "Busy" block with its time only. Nobody sees anything clinical on the calendar: no
plan, no red flag, no note of a session; the front desk's practical note only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from sciatica_care.clinic import care_team
from sciatica_care.clinic.models import Role, Staff
from sciatica_care.scheduling.booking import rules_for
from sciatica_care.scheduling.models import Appointment, BookingRules


class Viewer:
    """One signed-in member of staff looking at the calendar."""

    def __init__(self, user: Staff, rules: BookingRules | None = None) -> None:
        if not user.is_authenticated or user.clinic_id is None:
            raise PermissionDenied("the calendar is for the staff of a clinic")
        self.user = user
        self.rules = rules if rules is not None else rules_for(user.clinic_id)
        self.sees_colleagues = (user.role != Role.PRACTITIONER
                                or (self.rules.practitioners_see_colleagues and not care_team.applies(user)))

    @property
    def clinical(self) -> bool:
        return bool(self.user.is_clinical)

    def sees(self, practitioner_id: int) -> bool:
        """Whether this viewer sees who is booked with `practitioner_id`."""
        return self.sees_colleagues or practitioner_id == self.user.pk

    def may_act_on(self, appointment: Appointment) -> bool:
        """Book, move, cancel and mark: whoever sees the appointment in full."""
        return self.sees(appointment.practitioner_id)

    def require(self, appointment: Appointment) -> None:
        if not self.may_act_on(appointment):
            raise PermissionDenied("this appointment is a colleague's: the clinic shows you its time only")
