"""Make room at booking time: which unlocked parties to move so a refused request fits.

Read under the day's advisory lock (the lock every hold takes), so the picture is
the one the hold path saw.  The moves themselves go through each party's
workflow (``services.optimizer.moving``, whose updates take the same lock again);
this module only decides them.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus
from models.orm import RestaurantTable, TableAllocation
from models.schemas.booking import BookingRequest
from rules.availability import UnavailableReason
from rules.state_machine import ReservationStatus
from services import allocation
from services.availability import answer_day, answer_time, restaurant_inputs, service_day_of
from services.optimizer.make_room import make_room
from services.optimizer.parties import options_for
from services.optimizer.plans import Move, Step, apply_steps
from services.optimizer.service_model import day_rows
from services.optimizer.solver import Party

_MOVABLE = frozenset(
    {ReservationStatus.CONFIRMED, ReservationStatus.PENDING_CONFIRMATION, ReservationStatus.HELD}
)


async def room_could_be_made(
    session: AsyncSession, *, restaurant_id: uuid.UUID, at: datetime, now: datetime
) -> bool:
    """False when no rearrangement can seat one more party starting at ``at``.

    Each party present at that instant keeps at least one table of its own however
    it is moved, so when they already number the restaurant's active tables, make-room
    cannot help and a "no table" refusal is final. A cheap necessary condition: True
    does not promise that make-room will succeed.
    """
    a = TableAllocation
    present = await session.scalar(
        select(func.count(distinct(a.reservation_id))).where(
            a.restaurant_id == restaurant_id,
            a.status != AllocationStatus.RELEASED,
            or_(a.status == AllocationStatus.BOOKED, a.hold_expires_at > now),
            a.starts_at <= at,
            a.ends_at > at,
        )
    )
    tables = await session.scalar(
        select(func.count(RestaurantTable.id)).where(
            RestaurantTable.restaurant_id == restaurant_id, RestaurantTable.is_active.is_(True)
        )
    )
    return (present or 0) < (tables or 0)


async def moves_for(
    session: AsyncSession, *, request: BookingRequest, now: datetime, time_budget_ms: int
) -> list[Step] | None:
    """The moves that let ``request`` be seated, as steps that can run in order (a swap
    is one step); None if none do.

    Only a refusal for want of a table qualifies (not pacing, hours or notice); seated,
    locked and already-started parties never move.
    """
    if time_budget_ms <= 0 or request.table_ids is not None:
        return None
    day = await service_day_of(
        session,
        restaurant_id=request.restaurant_id,
        day=request.date,
        local_time=request.time,
    )
    await allocation.lock_restaurant_day(session, restaurant_id=request.restaurant_id, day=day)
    inputs = await restaurant_inputs(
        session,
        restaurant_id=request.restaurant_id,
        first_day=day,
        last_day=day,
        now=now,
        staff=request.staff,
    )
    answer = answer_time(
        [
            answer_day(
                inputs,
                day=day,
                party_size=request.party_size,
                now=now,
                seating_area=request.seating_area,
                staff=request.staff,
                features=frozenset(request.features),
            )
        ],
        local_time=request.time,
        on=request.date,
    )
    slot = answer.slot
    if slot is None or slot.reason is not UnavailableReason.NO_TABLE_FITS:
        return None
    buffer = timedelta(minutes=inputs.policy.buffer_minutes)
    booked = await day_rows(
        session,
        restaurant_id=request.restaurant_id,
        start=slot.start_utc - timedelta(hours=12),
        end=slot.end_utc + timedelta(hours=12),
        now=now,
    )
    reference = slot.start_utc - timedelta(hours=12)

    def minute(at: datetime) -> int:
        return int((at - reference).total_seconds() // 60)

    parties = [
        Party(
            id=str(b.reservation_id),
            size=b.party_size,
            start=minute(b.starts_at),
            end=minute(b.ends_at + buffer),
            options=options_for(b.party_size, inputs.tables, seating_area=b.seating_preference),
            current=b.table_ids,
            fixed=b.locked or b.status not in _MOVABLE or b.starts_at <= now,
        )
        for b in booked
    ]
    guest_tables = [t for t in inputs.tables if request.staff or t.online_bookable]
    newcomer = Party(
        id="newcomer",
        size=request.party_size,
        start=minute(slot.start_utc),
        end=minute(slot.end_utc + buffer),
        options=options_for(request.party_size, guest_tables, seating_area=request.seating_area),
        required=False,
    )
    made = make_room(parties, newcomer, time_budget_ms=time_budget_ms)
    if made is None or not made.moves:
        return None
    by_id = {str(b.reservation_id): b for b in booked}
    moves = [
        Move(
            reservation_id=uuid.UUID(seat.party_id),
            from_table_ids=tuple(uuid.UUID(t) for t in by_id[seat.party_id].table_ids),
            to_table_ids=tuple(uuid.UUID(t) for t in seat.table_ids),
            starts_at=by_id[seat.party_id].starts_at,
            ends_at=by_id[seat.party_id].ends_at,
        )
        for seat in made.moves
    ]
    return apply_steps(moves)
