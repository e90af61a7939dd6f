"""The clinic's currency: one formatter (Babel's CLDR data) for every price and fee; chosen on the clinic's settings
page (an unknown code refused naming the field, a change audited old → new); the fee schedule follows it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.urls import reverse

from sciatica_care import money
from sciatica_care.clinic.models import AuditEvent, Clinic

URL = "/settings/"


@pytest.mark.parametrize(("currency", "written"), [
    ("GBP", "£1,234.50"), ("USD", "$1,234.50"), ("EUR", "€1,234.50"), ("AUD", "$1,234.50"),
    ("CAD", "$1,234.50"), ("NZD", "$1,234.50"),
])
def test_an_amount_is_written_as_its_currencys_home_writes_it(currency: str, written: str) -> None:
    assert money.amount(Decimal("1234.5"), currency) == written


def test_amounts_keep_their_pence_and_accept_what_the_database_holds() -> None:
    assert money.amount("65", "GBP") == "£65.00"
    assert money.amount(0, "USD") == "$0.00"
    assert money.amount(Decimal("40.50"), "EUR") == "€40.50"


def test_a_currency_the_clinic_cannot_choose_is_refused_rather_than_shown_under_another_sign() -> None:
    for code in ("XYZ", "gbp", "", "$"):
        with pytest.raises(ValueError, match="currency"):
            money.amount(1, code)


def test_the_template_filter_uses_the_same_formatter() -> None:
    template = Template("{% load money_tags %}{{ price|money:currency }}|{{ none|money:currency }}")
    assert template.render(Context({"price": Decimal("85.00"), "currency": "EUR", "none": None})) == "€85.00|"


def test_a_new_clinic_keeps_pounds_until_it_chooses(db: Any) -> None:
    assert Clinic.objects.create(name="New clinic").currency == "GBP"


def _form(clinic: Clinic, **changes: Any) -> dict[str, Any]:
    return {"name": clinic.name, "disability_instrument": clinic.disability_instrument,
            "questionnaire_every_n_visits": str(clinic.questionnaire_every_n_visits),
            "version": str(clinic.version), **changes}


@pytest.mark.django_db
def test_the_admin_chooses_the_currency_audited_old_to_new(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    client = login(a["clinic_admin"])
    page = client.get(URL).content.decode()
    assert "Currency of prices and fees" in page
    assert '<option value="EUR">Euro (EUR)</option>' in page
    r = client.post(URL, _form(Clinic.objects.get(pk=a["clinic"].pk), currency="EUR"))
    assert r.status_code == 302
    clinic = Clinic.objects.get(pk=a["clinic"].pk)
    assert clinic.currency == "EUR"
    event = AuditEvent.objects.filter(action="update", object_type="Clinic").latest("id")
    assert event.detail["changes"]["currency"] == {"from": "GBP", "to": "EUR"}
    # A form sent without the field keeps the currency chosen.
    assert client.post(URL, _form(clinic, name="Renamed")).status_code == 302
    assert Clinic.objects.get(pk=clinic.pk).currency == "EUR"


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["XYZ", "usd", "£", "GBPX", "JPY"])
def test_an_unknown_currency_is_refused_naming_the_field_and_nothing_changes(world: dict[str, Any], login: Any,
                                                                            code: str) -> None:
    a = world["a"]
    before = Clinic.objects.get(pk=a["clinic"].pk)
    r = login(a["clinic_admin"]).post(URL, _form(before, currency=code, name="Should not be saved"))
    assert r.status_code == 422
    page = r.content.decode()
    assert "Currency: " in page
    assert "is not one the clinic can choose" in page
    after = Clinic.objects.get(pk=a["clinic"].pk)
    assert (after.currency, after.name, after.version) == (before.currency, before.name, before.version)


@pytest.mark.django_db
def test_the_fee_schedule_is_shown_in_the_clinics_currency(world: dict[str, Any], login: Any) -> None:
    a = world["a"]
    Clinic.objects.filter(pk=a["clinic"].pk).update(cpt_fees={"97810": "65.00"}, currency="EUR")
    page = login(a["practitioner"]).get(reverse("clinic:clinic_settings")).content.decode()
    assert 'id="fee-97810">€65.00' in page
    assert "Euro (EUR)" in page
