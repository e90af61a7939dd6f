"""The six-digit one-time codes a person types from a message (signing in to the portal, booking online): how one
is made and how what was typed is read. Where each is kept, and how it is checked, belongs to its own use."""

from __future__ import annotations

import secrets

DIGITS = 6


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(DIGITS))


def typed(value: str | None) -> str | None:
    """The code as typed, spaces taken out; None when it cannot be one (not six ASCII digits)."""
    code = (value or "").strip().replace(" ", "")
    return code if len(code) == DIGITS and code.isascii() and code.isdigit() else None
