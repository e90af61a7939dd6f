from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "sciatica_care.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sciatica_care.clinic.signals import course_stopped, visit_charted
        from sciatica_care.scheduling import charting_link
        from sciatica_care.scheduling.course_stop import cancel_rest_of_course

        course_stopped.connect(cancel_rest_of_course, dispatch_uid="scheduling-cancel-rest-of-course")
        visit_charted.connect(charting_link.link, dispatch_uid="scheduling_link_charted_visit")
