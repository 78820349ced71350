"""HTTP contracts for availability, search across restaurants and the staff timeline."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from models.enums import AllocationStatus, ReservationStatus
from models.schemas.alerts import GuestAlertOut
from models.schemas.booking import AlternativeSlot
from models.schemas.common import LocalTime, ServiceDate, StrictModel
from models.schemas.restaurant import RestaurantSummary

PartySize = Annotated[int, Field(strict=True, ge=1, le=100)]


class SlotOut(BaseModel):
    """One bookable start time: book it with its `date` and `time` exactly as listed."""

    date: dt.date = Field(
        description="local calendar date of the start (the next day for a slot after midnight)"
    )
    time: dt.time = Field(description="local wall-clock time of the start")
    starts_at: dt.datetime
    ends_at: dt.datetime
    available: bool
    reason: str | None
    service: str
    table_numbers: list[str]


class RequestedTimeOut(BaseModel):
    """The answer for the time asked for; `slot` is null when it is not a slot of the day."""

    time: dt.time
    available: bool
    reason: str | None
    slot: SlotOut | None


class AvailabilityOut(BaseModel):
    """A day's slots for a party; with `time`, that time's answer and alternatives."""

    restaurant_id: uuid.UUID
    date: dt.date
    party_size: int
    seating_area: str | None
    closed_reason: str | None
    slots: list[SlotOut]
    requested: RequestedTimeOut | None = None
    alternatives: list[AlternativeSlot] = Field(default_factory=list)


class SearchRequest(StrictModel):
    """Restaurants with a free slot for a party on a date between two local times."""

    date: ServiceDate
    time_from: LocalTime
    time_to: LocalTime
    party_size: PartySize
    preferred_time: LocalTime | None = None
    seating_area: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    city: Annotated[str, Field(max_length=120)] | None = None
    cuisine: Annotated[str, Field(max_length=80)] | None = None
    price_min: Annotated[int, Field(strict=True, ge=1, le=4)] | None = None
    price_max: Annotated[int, Field(strict=True, ge=1, le=4)] | None = None
    features: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=20
    )
    q: Annotated[str, Field(max_length=100)] | None = None
    limit: Annotated[int, Field(strict=True, ge=1, le=100)] = 20
    offset: Annotated[int, Field(strict=True, ge=0, le=2**31 - 1)] = 0

    @field_validator("time_to")
    @classmethod
    def _window(cls, value: dt.time, info: ValidationInfo) -> dt.time:
        start = info.data.get("time_from")
        if start is not None and value < start:
            raise ValueError("time_to must not be before time_from")
        return value

    @field_validator("price_max")
    @classmethod
    def _prices(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("price_min")
        if value is not None and low is not None and value < low:
            raise ValueError("price_max must not be below price_min")
        return value


class SearchHitOut(BaseModel):
    restaurant: RestaurantSummary
    nearest: SlotOut
    slots: list[SlotOut]


class SearchOut(BaseModel):
    items: list[SearchHitOut]
    total: int
    limit: int
    offset: int


class TimelineAllocationOut(BaseModel):
    reservation_id: uuid.UUID
    reference: str
    status: AllocationStatus
    reservation_status: ReservationStatus
    starts_at: dt.datetime
    ends_at: dt.datetime
    party_size: int
    hold_expires_at: dt.datetime | None
    guest_vip: bool = False
    guest_alerts: list[GuestAlertOut] = []


class TableTimelineOut(BaseModel):
    table_id: uuid.UUID
    number: str
    name: str | None
    seating_area: str | None
    min_capacity: int
    max_capacity: int
    is_active: bool
    allocations: list[TimelineAllocationOut]


class TimelineOut(BaseModel):
    """A service day's allocations per table (staff)."""

    restaurant_id: uuid.UUID
    date: dt.date
    timezone: str
    tables: list[TableTimelineOut]
