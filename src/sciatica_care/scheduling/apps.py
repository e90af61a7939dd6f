"""The front desk: locations, rooms, services, practitioners' shifts, appointments, the waitlist and the messages
sent about them (a Django app; its background work runs through django-tasks)."""
from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "sciatica_care.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sciatica_care.scheduling import notices

        notices.connect()  # an appointment's changes tell the patient (and the staff) through the outbox
