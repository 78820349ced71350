"""HTTP contracts for restaurants, their booking settings, opening hours and special days."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import EmailStr, Field, HttpUrl, model_validator

from models.enums import ConfirmationMode, PaymentMode, SpecialDayKind
from models.schemas.common import (
    MAX_MINOR_UNITS,
    CurrencyCode,
    LocalTime,
    MinorUnits,
    OutModel,
    PhoneNumber,
    ServiceDate,
    StrictModel,
    TimeZoneName,
    WebUrl,
)

Slug = Annotated[str, Field(min_length=2, max_length=120, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
PartySize = Annotated[int, Field(strict=True, ge=1, le=100)]
Minutes = Annotated[int, Field(strict=True, ge=0, le=24 * 60)]


# ids the restaurant has elsewhere (a POS, a marketplace): a few short pairs, shown publicly
ExternalIds = Annotated[
    dict[
        Annotated[str, Field(min_length=1, max_length=60)],
        Annotated[str, Field(max_length=200)],
    ],
    Field(max_length=20, description="at most 20 ids: names of 1-60, values of 0-200 characters"),
]


class TurnTime(StrictModel, OutModel):
    """Seating duration for parties of at least `min_party_size`."""

    min_party_size: PartySize
    minutes: Annotated[int, Field(strict=True, ge=15, le=12 * 60)]


class BookingSettings(StrictModel, OutModel):
    """How the restaurant takes bookings."""

    advance_booking_days: Annotated[int, Field(strict=True, ge=0, le=730)] = 60
    min_party_size: PartySize = 1
    max_party_size: PartySize = 12
    default_seating_minutes: Annotated[int, Field(strict=True, ge=15, le=12 * 60)] = 120
    turn_times: list[TurnTime] = Field(default_factory=list)
    buffer_minutes: Annotated[int, Field(strict=True, ge=0, le=120)] = 0
    slot_interval_minutes: Annotated[int, Field(strict=True, ge=5, le=240)] = 15
    min_notice_minutes: Minutes = 60
    pacing_max_covers: Annotated[int, Field(strict=True, ge=1, le=10_000)] | None = None
    pacing_max_parties: Annotated[int, Field(strict=True, ge=1, le=10_000)] | None = None
    pacing_window_minutes: Annotated[int, Field(strict=True, ge=5, le=240)] = 15
    cancellation_deadline_hours: Annotated[int, Field(strict=True, ge=0, le=24 * 30)] = 24
    # payment policy: max(fixed, percentage x covers x average spend), in minor units,
    # charged at booking (deposit) or only for a no-show or late cancellation (guarantee)
    payment_mode: PaymentMode = PaymentMode.NONE
    payment_fixed_minor: MinorUnits = 0
    payment_percentage: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)] = Decimal(0)
    # at most 100 covers at 100 %: the estimated bill still fits a 64-bit amount
    average_spend_per_cover_minor: Annotated[
        int,
        Field(
            strict=True, ge=0, le=MAX_MINOR_UNITS // 100, description="integer minor units (cents)"
        ),
    ] = 0
    # conditions: parties of at least N; and, when any is set, only these weekdays
    # (0 = Monday), these services (by name) or special days
    payment_min_party_size: PartySize | None = None
    payment_weekdays: Annotated[
        list[Annotated[int, Field(strict=True, ge=0, le=6)]], Field(max_length=7)
    ] = Field(default_factory=list)
    payment_services: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=60)]], Field(max_length=20)
    ] = Field(default_factory=list)
    payment_on_special_days: bool = False
    confirmation_mode: ConfirmationMode = ConfirmationMode.INSTANT

    @model_validator(mode="after")
    def _party_bounds(self) -> Self:
        if self.min_party_size > self.max_party_size:
            raise ValueError("min_party_size must not exceed max_party_size")
        sizes = [t.min_party_size for t in self.turn_times]
        if len(sizes) != len(set(sizes)):
            raise ValueError("turn_times: each min_party_size may appear once")
        return self


class _Hours(StrictModel, OutModel):
    """A service's times. closes_at <= opens_at runs past midnight."""

    name: Annotated[str, Field(min_length=1, max_length=60)] = "dinner"
    # local wall-clock times: an offset is refused, not dropped (or compared with a naive time)
    opens_at: LocalTime
    closes_at: LocalTime
    last_seating_at: LocalTime | None = None

    @model_validator(mode="after")
    def _seating_inside_service(self) -> Self:
        if self.opens_at == self.closes_at:
            raise ValueError("opens_at and closes_at must differ")
        if self.last_seating_at is not None and not _within(
            self.last_seating_at, self.opens_at, self.closes_at
        ):
            raise ValueError("last_seating_at must fall between opens_at and closes_at")
        return self


class ServiceHours(_Hours):
    """One service on one weekday (0 = Monday). closes_at <= opens_at runs past midnight."""

    weekday: Annotated[int, Field(strict=True, ge=0, le=6)]


class CustomServiceHours(_Hours):
    """One service of a custom-hours special day: it runs on every date of the range."""

    weekday: Annotated[
        int | None,
        Field(
            strict=True,
            ge=0,
            le=6,
            description="optional; if given, it must be the weekday of every date in the range",
        ),
    ] = None


def _within(moment: time, opens: time, closes: time) -> bool:
    if opens < closes:
        return opens <= moment <= closes
    return moment >= opens or moment <= closes


class OpeningHours(StrictModel):
    """The week's services; replaces all of them at once."""

    services: list[ServiceHours]

    @model_validator(mode="after")
    def _no_overlap(self) -> Self:
        # on the week's circle of minutes, so a service past midnight is compared with
        # the next day's (two services offering one slot would split its pacing)
        spans = [(_week_minutes(s), s) for s in self.services]
        for (a, first), (b, second) in itertools.combinations(spans, 2):
            if _circle_overlap(a, b):
                raise ValueError(
                    f"services {first.name!r} (weekday {first.weekday}) and "
                    f"{second.name!r} (weekday {second.weekday}) overlap"
                )
        return self


WEEK_MINUTES = 7 * 24 * 60


def _week_minutes(service: ServiceHours) -> tuple[int, int]:
    start = service.weekday * 1440 + service.opens_at.hour * 60 + service.opens_at.minute
    length = (
        service.closes_at.hour * 60
        + service.closes_at.minute
        - service.opens_at.hour * 60
        - service.opens_at.minute
    ) % 1440
    return start, length


def _circle_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two [start, start + length) spans meet on the week's circle."""
    (a_start, a_len), (b_start, b_len) = a, b
    return (b_start - a_start) % WEEK_MINUTES < a_len or (a_start - b_start) % WEEK_MINUTES < b_len


class RestaurantFields(StrictModel):
    description: Annotated[str, Field(max_length=5000)] | None = None
    cuisine_type: Annotated[str, Field(max_length=80)] | None = None
    price_range: Annotated[int, Field(strict=True, ge=1, le=4)] | None = None
    address_line1: Annotated[str, Field(max_length=200)] | None = None
    address_line2: Annotated[str, Field(max_length=200)] | None = None
    city: Annotated[str, Field(max_length=120)] | None = None
    region: Annotated[str, Field(max_length=120)] | None = None
    postal_code: Annotated[str, Field(max_length=20)] | None = None
    country_code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    latitude: Annotated[Decimal, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[Decimal, Field(ge=-180, le=180)] | None = None
    phone: PhoneNumber | None = None
    email: EmailStr | None = None
    website: WebUrl | None = None
    cover_image_url: WebUrl | None = None
    gallery_urls: list[HttpUrl] = Field(default_factory=list, max_length=50)
    features: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=50
    )
    google_place_id: Annotated[str, Field(max_length=200)] | None = None
    external_ids: ExternalIds = Field(default_factory=dict)
    is_active: bool = True
    accepts_reservations: bool = True
    is_featured: bool = False


class RestaurantCreate(RestaurantFields):
    """A new restaurant; settings and opening hours may be given now or later."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    slug: Slug | None = None
    timezone: TimeZoneName
    currency: CurrencyCode
    settings: BookingSettings = Field(default_factory=BookingSettings)
    services: list[ServiceHours] = Field(default_factory=list)

    @model_validator(mode="after")
    def _hours(self) -> Self:
        OpeningHours(services=self.services)
        return self


class RestaurantUpdate(StrictModel):
    """Partial update of a restaurant's listing fields (settings and hours have their own)."""

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    slug: Slug | None = None
    timezone: TimeZoneName | None = None
    currency: CurrencyCode | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    cuisine_type: Annotated[str, Field(max_length=80)] | None = None
    price_range: Annotated[int, Field(strict=True, ge=1, le=4)] | None = None
    address_line1: Annotated[str, Field(max_length=200)] | None = None
    address_line2: Annotated[str, Field(max_length=200)] | None = None
    city: Annotated[str, Field(max_length=120)] | None = None
    region: Annotated[str, Field(max_length=120)] | None = None
    postal_code: Annotated[str, Field(max_length=20)] | None = None
    country_code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    latitude: Annotated[Decimal, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[Decimal, Field(ge=-180, le=180)] | None = None
    phone: PhoneNumber | None = None
    email: EmailStr | None = None
    website: WebUrl | None = None
    cover_image_url: WebUrl | None = None
    gallery_urls: list[HttpUrl] | None = None
    features: list[Annotated[str, Field(min_length=1, max_length=60)]] | None = None
    google_place_id: Annotated[str, Field(max_length=200)] | None = None
    external_ids: ExternalIds | None = None
    is_active: bool | None = None
    accepts_reservations: bool | None = None
    is_featured: bool | None = None


class RestaurantSummary(OutModel):
    id: uuid.UUID
    name: str
    slug: str
    cuisine_type: str | None
    price_range: int | None
    city: str | None
    country_code: str | None
    features: list[str]
    rating: Decimal | None
    review_count: int
    cover_image_url: str | None
    accepts_reservations: bool
    timezone: str


class RestaurantOut(RestaurantSummary):
    description: str | None
    address_line1: str | None
    address_line2: str | None
    region: str | None
    postal_code: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    phone: str | None
    email: str | None
    website: str | None
    gallery_urls: list[str]
    google_place_id: str | None
    external_ids: dict[str, Any]
    is_active: bool
    is_featured: bool
    currency: str
    services: list[ServiceHours]
    created_at: datetime
    updated_at: datetime


class SpecialDayIn(StrictModel):
    """Closed, private event, custom hours or weather for a date range from today on.

    A custom service's `weekday` may be left out; given, it must be the weekday of
    every date of the range (otherwise 422), as it is never silently ignored.
    """

    starts_on: ServiceDate
    ends_on: ServiceDate | None = None
    kind: SpecialDayKind
    note: Annotated[str, Field(max_length=1000)] | None = None
    custom_services: list[CustomServiceHours] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        if self.kind is SpecialDayKind.CUSTOM_HOURS and not self.custom_services:
            raise ValueError("custom_hours needs at least one entry in custom_services")
        if self.kind is not SpecialDayKind.CUSTOM_HOURS and self.custom_services:
            raise ValueError("custom_services is only for kind custom_hours")
        return self


class SpecialDayOut(OutModel):
    id: uuid.UUID
    starts_on: date
    ends_on: date
    kind: SpecialDayKind
    note: str | None
    custom_services: list[dict[str, Any]]


class PartySizeOverrideIn(StrictModel):
    """Limits party sizes for slots of one date between two local times."""

    day: ServiceDate
    starts_at: LocalTime
    ends_at: LocalTime
    min_party_size: PartySize | None = None
    max_party_size: PartySize | None = None

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.starts_at >= self.ends_at:
            raise ValueError("starts_at must be before ends_at")
        if self.min_party_size is None and self.max_party_size is None:
            raise ValueError("give min_party_size, max_party_size or both")
        if (
            self.min_party_size is not None
            and self.max_party_size is not None
            and self.min_party_size > self.max_party_size
        ):
            raise ValueError("min_party_size must not exceed max_party_size")
        return self


class PartySizeOverrideOut(OutModel):
    id: uuid.UUID
    day: date
    starts_at: time
    ends_at: time
    min_party_size: int | None
    max_party_size: int | None
