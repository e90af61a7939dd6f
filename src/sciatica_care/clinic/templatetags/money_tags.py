"""`{% load money_tags %}` … `{{ service.price|money:clinic.currency }}`: an amount in the clinic's currency, written
by `sciatica_care.money` (the one place prices and fees are formatted)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from sciatica_care import money as amounts

register = template.Library()


@register.filter(name="money")
def money(value: Decimal | int | str | None, currency: str) -> str:
    return "" if value is None or value == "" else amounts.amount(value, currency)
