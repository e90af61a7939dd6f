from typing import Any

from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "sciatica_care.clinic"
    label = "clinic"
    verbose_name = "Clinic"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_save

        from sciatica_care.clinic import audit
        from sciatica_care.clinic.models import Episode

        post_save.connect(_episode_saved, sender=Episode, dispatch_uid="episode_outcome_row")
        # An API token names the audit events of its own request only.
        request_started.connect(audit.forget_token, dispatch_uid="audit_forget_token_start")
        request_finished.connect(audit.forget_token, dispatch_uid="audit_forget_token_end")

        from sciatica_care.clinic import signin

        signin.connect()


def _episode_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """Every episode has its dashboard row from the start (`episode_outcomes`), whoever creates it."""
    if created and not raw:
        from sciatica_care.clinic import episode_outcomes

        episode_outcomes.opened(instance)
