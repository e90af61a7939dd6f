from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "sciatica_care.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"
    default_auto_field = "django.db.models.BigAutoField"
