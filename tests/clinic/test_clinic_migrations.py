"""The migrations describe the models exactly, on whichever database the suite runs."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_migrations_match_the_models() -> None:
    """`makemigrations --check` finds nothing to write: no model change is missing its migration."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
