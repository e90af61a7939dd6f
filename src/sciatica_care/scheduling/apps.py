"""The front desk: locations, rooms, services, practitioners' shifts, appointments, the waitlist and the messages
sent about them (a Django app; its background work runs through django-tasks)."""
from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "sciatica_care.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sciatica_care.clinic.signals import course_stopped, patient_anonymised, visit_charted
        from sciatica_care.scheduling import anonymised, charting_link, notices, waitlist
        from sciatica_care.scheduling.course_stop import cancel_rest_of_course

        course_stopped.connect(cancel_rest_of_course, dispatch_uid="scheduling-cancel-rest-of-course")
        notices.connect()  # an appointment's changes tell the patient (and the staff) through the outbox
        waitlist.connect()  # a cancelled or moved appointment's time is offered to the waitlist
        visit_charted.connect(charting_link.link, dispatch_uid="scheduling_link_charted_visit")
        patient_anonymised.connect(anonymised.scrub, dispatch_uid="scheduling_scrub_anonymised_patient")
