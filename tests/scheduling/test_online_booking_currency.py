"""The public booking page shows prices in the clinic's currency (its settings), on the list and in the summary."""

from __future__ import annotations

from typing import Any

import pytest
from online_booking_steps import MONDAY, PAGE, at, time_fields

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("currency", "price"), [("GBP", "£85.00"), ("EUR", "€85.00"), ("USD", "$85.00")])
def test_prices_are_in_the_clinics_currency(online: dict[str, Any], client: Any, currency: str, price: str) -> None:
    from sciatica_care.clinic.models import Clinic

    Clinic.objects.filter(pk=online["clinic"].pk).update(currency=currency)
    listing = client.get(PAGE).content.decode()
    assert f"75 minutes · {price}" in listing
    assert "15 minutes · free" in listing
    summary = client.get(f"{PAGE}details/", time_fields(online, at(MONDAY, 10), "initial_assessment")
                         ).content.decode()
    assert f"75 minutes, {price})" in summary
    assert {s for s in "$£€" if s in listing + summary} == {price[0]}
