"""Amounts in Adyen's minor units, which differ from ours for a few currencies.

Our amounts are integer minor units with the currency's CLDR decimals (what Babel
formats for guests: CLP and ISK have none, CVE two). Adyen's currency table counts
CLP and ISK with two decimals and CVE and IDR with none
(https://docs.adyen.com/development-resources/currency-codes): 5000 CLP is 500000
for Adyen. Every amount crossing the Adyen boundary goes through here.
"""

from __future__ import annotations

from babel.numbers import get_currency_precision

# Adyen's decimals where they differ from the standard (its table marks these)
ADYEN_DECIMALS = {"CLP": 2, "CVE": 0, "IDR": 0, "ISK": 2}


class NotPayable(ValueError):
    """An amount Adyen cannot carry in this currency (a fraction it has no unit for)."""


def _ten_to(power: int) -> int:
    return int(10**power)


def _shift(currency: str) -> int:
    code = currency.upper()
    ours = get_currency_precision(code)
    return ADYEN_DECIMALS.get(code, ours) - ours


def to_adyen(amount_minor: int, currency: str) -> int:
    """Our minor units as Adyen's; NotPayable when Adyen has no unit for the fraction."""
    shift = _shift(currency)
    if shift >= 0:
        return amount_minor * _ten_to(shift)
    whole, rest = divmod(amount_minor, _ten_to(-shift))
    if rest:
        raise NotPayable(
            f"{amount_minor} minor units of {currency} is not a whole amount Adyen can charge"
        )
    return whole


def from_adyen(value: int, currency: str) -> int:
    """Adyen's minor units as ours; NotPayable for a fraction we have no unit for."""
    shift = _shift(currency)
    if shift <= 0:
        return value * _ten_to(-shift)
    whole, rest = divmod(value, _ten_to(shift))
    if rest:
        raise NotPayable(f"{value} Adyen minor units of {currency} is not a whole amount")
    return whole
