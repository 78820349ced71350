"""What the table optimizer's routes take and answer."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel

from models.schemas.common import StrictModel


class MoveOut(BaseModel):
    """One party's move: from its tables to others, at the same time."""

    reservation_id: uuid.UUID
    from_table_ids: list[uuid.UUID]
    to_table_ids: list[uuid.UUID]
    starts_at: datetime
    ends_at: datetime


class PlanOut(BaseModel):
    """A proposed re-seating of a service and its effect."""

    id: uuid.UUID
    restaurant_id: uuid.UUID
    date: date
    service: str
    moves: list[MoveOut]
    parties: int
    movable: int
    covers: int
    wasted_seats_before: int
    wasted_seats_after: int
    status: str  # optimal, feasible (time budget reached), current (nothing better found)
    solve_ms: float
    needs_a_swap: bool  # some parties swap tables: applying moves them in one step
    applied_at: datetime | None


class ApplyIn(StrictModel):
    """Apply a proposed plan by its id."""

    plan_id: uuid.UUID


class TableLockOut(BaseModel):
    reservation_id: uuid.UUID
    tables_locked: bool
