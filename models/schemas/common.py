"""Shared field types and the paginated list envelope."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Generic, TypeVar, get_args

import phonenumbers
from babel.numbers import list_currencies
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    UrlConstraints,
    ValidationInfo,
    field_validator,
)

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
# a URL that fits its column (pydantic alone allows 2083 characters)
WebUrl = Annotated[HttpUrl, UrlConstraints(max_length=500)]
# money columns are 64-bit (BIGINT)
MAX_MINOR_UNITS = 2**63 - 1
# one bill (a POS check's total): far above any real one, and far enough below the
# BIGINT limit that a guest's lifetime spend, a sum of bills, can never overflow it
MAX_BILL_MINOR = 10**12
BillMinor = Annotated[
    int, Field(ge=0, le=MAX_BILL_MINOR, description="a bill's total, minor units")
]
MinorUnits = Annotated[
    int, Field(strict=True, ge=0, le=MAX_MINOR_UNITS, description="integer minor units (cents)")
]


# NUL (which PostgreSQL cannot store in text), the other C0 controls except tab, line
# feed and carriage return, and lone UTF-16 surrogates (which cannot be encoded as UTF-8)
UNSTORABLE_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def storable_text(value: str) -> str:
    """`value` unchanged, or ValueError when it holds characters no text column can keep."""
    found = UNSTORABLE_TEXT.search(value)
    if found is not None:
        raise ValueError(
            f"character U+{ord(found.group()):04X} at position {found.start()} is not allowed "
            "in text (a control character or a lone surrogate)"
        )
    return value


def _storable(value: Any) -> None:
    if isinstance(value, str):
        storable_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable(key)
            _storable(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _storable(item)


def _is_flag(annotation: Any) -> bool:
    """True for `bool` and `bool | None`."""
    if annotation is bool:
        return True
    args = get_args(annotation)
    return bool(args) and bool in args and set(args) <= {bool, type(None)}


class StrictModel(BaseModel):
    """Refuses unknown fields so a typo is an error, not silently dropped input; text
    that no column can store (NUL, control characters, lone surrogates) in any field,
    including inside lists and mappings; and a number or a word where a true or false
    belongs (lax parsing read 0 as false and "yes" as true), so such input is a 422
    naming the field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _flags_are_booleans(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or isinstance(value, bool) or info.field_name is None:
            return value
        if _is_flag(cls.model_fields[info.field_name].annotation):
            raise ValueError("must be true or false")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        _storable(value)
        return value


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
