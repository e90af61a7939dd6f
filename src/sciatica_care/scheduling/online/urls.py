"""The public booking pages, under /book/. Anyone may open them: each checks its own token or code."""

from typing import Any

app_name = "booking"
urlpatterns: list[Any] = []
