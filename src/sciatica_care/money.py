"""Amounts of money as people read them, in the clinic's currency: `amount(Decimal("65"), "GBP")` → "£65.00".

The currencies a clinic may choose (ISO 4217 codes) and, for each, the English-speaking locale where it is at
home, so that a clinic's patients read their own convention ("$65.00" in the United States, "€65.00" in Ireland).
Symbols, separators and decimals come from Babel (the Unicode CLDR data), not from a table of our own.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency

DEFAULT = "GBP"
#: (code, name) for the clinic's settings, with the locale that writes each.
CURRENCIES: tuple[tuple[str, str, str], ...] = (
    ("GBP", "Pound sterling (GBP)", "en_GB"),
    ("EUR", "Euro (EUR)", "en_IE"),
    ("USD", "US dollar (USD)", "en_US"),
    ("CAD", "Canadian dollar (CAD)", "en_CA"),
    ("AUD", "Australian dollar (AUD)", "en_AU"),
    ("NZD", "New Zealand dollar (NZD)", "en_NZ"),
)
CHOICES = tuple((code, name) for code, name, _ in CURRENCIES)
LOCALES = {code: locale for code, _, locale in CURRENCIES}


def amount(value: Decimal | int | str, currency: str) -> str:
    """`value` written in `currency` (one of CURRENCIES) as that currency's home writes it; ValueError for a
    currency the clinic cannot choose, so that no amount is ever shown under the wrong sign."""
    if currency not in LOCALES:
        raise ValueError(f"currency: {currency!r} is not one of {', '.join(LOCALES)}")
    return format_currency(Decimal(str(value)), currency, locale=LOCALES[currency])
