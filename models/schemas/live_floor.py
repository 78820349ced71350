"""HTTP contracts of the live floor: every table's state now, and the host's manual mark."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from models.enums import ReservationStatus, TableType
from models.schemas.common import StrictModel

# what the floor shows for a table, in precedence order (services/live_floor.py)
TableState = Literal["free", "held", "booked", "seated", "cleaning", "blocked"]


class LiveFloorPlan(BaseModel):
    id: uuid.UUID
    name: str
    width: int
    height: int
    is_active: bool


class LiveSeatingArea(BaseModel):
    id: uuid.UUID
    name: str
    floor_plan_id: uuid.UUID | None


class LiveReservation(BaseModel):
    """The booking behind a table's state (guest name for the host, nothing more)."""

    id: uuid.UUID
    reference: str
    guest_name: str
    party_size: int
    starts_at: datetime
    ends_at: datetime
    status: ReservationStatus


class LiveTable(BaseModel):
    """A table's layout and what is happening at it at the floor's instant."""

    id: uuid.UUID
    number: str
    name: str | None
    seating_area_id: uuid.UUID | None
    floor_plan_id: uuid.UUID | None
    min_capacity: int
    max_capacity: int
    table_type: TableType
    x: int | None
    y: int | None
    width: int | None
    height: int | None
    rotation: int
    is_active: bool
    status: TableState
    status_since: datetime | None = Field(
        description="seated: the check-in; held/booked: when the booking was made; "
        "cleaning/blocked/free: when it was marked; null when never marked"
    )
    status_note: str | None
    set_by_staff: bool = Field(description="the status is a host's mark (PUT .../status)")
    reservation: LiveReservation | None = Field(
        description="the booking behind held, booked or seated"
    )
    minutes_seated: int | None = Field(description="seated: whole minutes since check-in")
    expected_end: datetime | None = Field(
        description="seated: the check-in plus the booking's duration (its turn time)"
    )
    next_reservation: LiveReservation | None = Field(
        description="the next booking starting on this table later the same local day"
    )


class LiveFloor(BaseModel):
    restaurant_id: uuid.UUID
    timezone: str
    at: datetime
    turn_minutes: int = Field(
        description="the window after `at` in which a booking makes a table booked or held "
        "(the restaurant's default seating minutes)"
    )
    floor_plans: list[LiveFloorPlan]
    seating_areas: list[LiveSeatingArea]
    tables: list[LiveTable]


class TableStatusIn(StrictModel):
    """A host's mark on a table: free clears it; cleaning and blocked stay until cleared."""

    status: Literal["free", "cleaning", "blocked"]
    note: Annotated[str, Field(max_length=200)] | None = None
