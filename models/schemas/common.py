"""Shared field types and the paginated list envelope."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Generic, TypeVar

import phonenumbers
from babel.numbers import list_currencies
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from rules.slots import is_valid_timezone

_CURRENCIES = frozenset(list_currencies())


def _timezone(value: str) -> str:
    if not is_valid_timezone(value):
        raise ValueError(f"unknown IANA timezone {value!r}")
    return value


def _currency(value: str) -> str:
    code = value.upper()
    if code not in _CURRENCIES:
        raise ValueError(f"unknown ISO 4217 currency {value!r}")
    return code


def normalise_phone(value: str) -> str:
    """A phone number in E.164; numbers without a country code are refused."""
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise ValueError(
            "not a phone number; use international format, e.g. +31201234567"
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


TimeZoneName = Annotated[str, AfterValidator(_timezone)]
CurrencyCode = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_currency)]
PhoneNumber = Annotated[str, Field(max_length=40), AfterValidator(normalise_phone)]
MinorUnits = Annotated[int, Field(ge=0, description="integer minor units (cents)")]


class StrictModel(BaseModel):
    """Refuses unknown fields so a typo is an error, not silently dropped input."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OutModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    limit: int
    offset: int


# far enough either side for any real booking, and far from date.min / date.max so
# arithmetic around a day (the day before, the week after) can never overflow
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2199, 12, 31)


def _sane_day(value: dt.date) -> dt.date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"dates run from {EARLIEST_DAY} to {LATEST_DAY}")
    return value


def _wall_clock(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("give the restaurant's local time without a UTC offset")
    return value


ServiceDate = Annotated[dt.date, AfterValidator(_sane_day)]
LocalTime = Annotated[dt.time, AfterValidator(_wall_clock)]
