"""Point-of-sale systems: checks opened and closed on tables, mapped onto our reservations.

Each system is an adapter that verifies and parses its webhook into a `PosCheckEvent`;
this module is the rest: which restaurant and table the event is about, which
reservation sits there now, and the `pos_events` journal, in which every event
is kept (recorded, applied or unmatched) so nothing a POS sends is lost.
Also the generic signed format for Toast- or Lightspeed-style systems.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AllocationStatus
from models.orm import (
    PosConnection,
    PosEvent,
    PosTableMapping,
    Reservation,
    RestaurantTable,
    TableAllocation,
)
from models.schemas.common import BillMinor
from reservations.db import upsert_insert
from rules.state_machine import ReservationStatus
from services.errors import InvalidError, NotFoundError

S = ReservationStatus
PosKind = Literal["check_opened", "check_closed", "table_status", "other"]
# a check opened this long before a booking's start (or after its end) still matches it
MATCH_MARGIN = dt.timedelta(minutes=45)

GENERIC_SIGNATURE_HEADER = "x-pos-signature"


class PosRefused(Exception):
    """The event is not signed by the restaurant's secret, or its body is unusable."""

    def __init__(self, message: str, *, status: int = 401, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


@dataclass(frozen=True, slots=True)
class PosCheckEvent:
    """A POS event in our terms."""

    system: str
    event_id: str
    kind: PosKind
    restaurant_id: uuid.UUID | None
    external_table_id: str | None
    spend_minor: int | None = None
    table_status: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


# ---- the generic signed format -------------------------------------------------------


class GenericPosEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    eventId: Annotated[str, Field(min_length=1, max_length=150)]
    type: Literal["check.opened", "check.closed", "table.status"]
    restaurantId: uuid.UUID = Field(strict=False)
    tableId: Annotated[str, Field(min_length=1, max_length=120)]
    occurredAt: dt.datetime = Field(strict=False)
    totalMinor: BillMinor | None = None
    status: Annotated[str, Field(min_length=1, max_length=32)] | None = None


_GENERIC_KINDS: dict[str, PosKind] = {
    "check.opened": "check_opened",
    "check.closed": "check_closed",
    "table.status": "table_status",
}


def parse_generic(body: bytes) -> GenericPosEvent:
    """The generic format's event (a 422 naming the field otherwise)."""
    try:
        return GenericPosEvent.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise PosRefused(f"{where}: {first['msg']}", status=422, field=where) from None


def sign_generic(body: bytes, secret: str) -> str:
    """`sha256=<hex HMAC-SHA256(secret, raw body)>`: what the POS sends in X-POS-Signature."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_generic(body: bytes, signature: str | None, secret: str) -> None:
    """Refuse a body not signed with the restaurant's secret."""
    if not signature:
        raise PosRefused("the X-POS-Signature does not match")
    expected = sign_generic(body, secret).encode()
    # compared as bytes: compare_digest raises TypeError on a str holding non-ASCII (a
    # header's raw 0xE9 arrives as "é"); surrogatepass encodes any str at all
    if not hmac.compare_digest(expected, signature.encode("utf-8", "surrogatepass")):
        raise PosRefused("the X-POS-Signature does not match")


def generic_event(parsed: GenericPosEvent, raw: dict[str, Any]) -> PosCheckEvent:
    """The generic event in our terms."""
    kind = _GENERIC_KINDS[parsed.type]
    table_status = parsed.status or {"check_opened": "occupied", "check_closed": "free"}.get(kind)
    return PosCheckEvent(
        system="generic",
        event_id=parsed.eventId,
        kind=kind,
        restaurant_id=parsed.restaurantId,
        external_table_id=parsed.tableId,
        spend_minor=parsed.totalMinor if kind == "check_closed" else None,
        table_status=table_status,
        payload=raw,
    )


# ---- connections and table mappings -------------------------------------------------


async def connection_for(
    session: AsyncSession,
    *,
    system: str,
    restaurant_id: uuid.UUID | None = None,
    location_id: str | None = None,
) -> PosConnection | None:
    """A restaurant's connection to a POS system, by restaurant or by the POS's location."""
    query = select(PosConnection).where(PosConnection.system == system)
    if restaurant_id is not None:
        query = query.where(PosConnection.restaurant_id == restaurant_id)
    elif location_id is not None:
        query = query.where(PosConnection.external_location_id == location_id)
    else:
        return None
    return await session.scalar(query)


async def set_connection(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    system: str,
    external_location_id: str | None,
    signing_secret: str,
) -> PosConnection:
    """Connect (or reconnect) a restaurant to a POS system."""
    found = await connection_for(session, system=system, restaurant_id=restaurant_id)
    if found is None:
        found = PosConnection(restaurant_id=restaurant_id, system=system)
        session.add(found)
    found.external_location_id = external_location_id
    found.signing_secret = signing_secret
    await session.flush()
    return found


async def list_mappings(
    session: AsyncSession, *, restaurant_id: uuid.UUID
) -> list[PosTableMapping]:
    """A restaurant's POS tables and ours."""
    rows = await session.scalars(
        select(PosTableMapping)
        .where(PosTableMapping.restaurant_id == restaurant_id)
        .order_by(PosTableMapping.system, PosTableMapping.external_table_id)
    )
    return list(rows)


async def set_mapping(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    system: str,
    external_table_id: str,
    table_id: uuid.UUID,
) -> PosTableMapping:
    """Say which of our tables a POS table is (replacing an earlier answer)."""
    table = await session.get(RestaurantTable, table_id)
    if table is None or table.restaurant_id != restaurant_id:
        raise InvalidError("no such table in this restaurant", field="table_id")
    found = await session.scalar(
        select(PosTableMapping).where(
            PosTableMapping.restaurant_id == restaurant_id,
            PosTableMapping.system == system,
            PosTableMapping.external_table_id == external_table_id,
        )
    )
    if found is None:
        found = PosTableMapping(
            restaurant_id=restaurant_id, system=system, external_table_id=external_table_id
        )
        session.add(found)
    found.table_id = table_id
    await session.flush()
    return found


async def delete_mapping(
    session: AsyncSession, *, restaurant_id: uuid.UUID, mapping_id: uuid.UUID
) -> None:
    """Forget a POS table's mapping."""
    result = await session.execute(
        delete(PosTableMapping).where(
            PosTableMapping.id == mapping_id, PosTableMapping.restaurant_id == restaurant_id
        )
    )
    if not getattr(result, "rowcount", 0):
        raise NotFoundError(f"table mapping {mapping_id} not found")


async def table_for(
    session: AsyncSession, *, restaurant_id: uuid.UUID, system: str, external_table_id: str
) -> uuid.UUID | None:
    """Our table for a POS table, when staff mapped it."""
    return await session.scalar(
        select(PosTableMapping.table_id).where(
            PosTableMapping.restaurant_id == restaurant_id,
            PosTableMapping.system == system,
            PosTableMapping.external_table_id == external_table_id,
        )
    )


async def reservation_on_table(
    session: AsyncSession,
    *,
    table_id: uuid.UUID,
    statuses: Sequence[ReservationStatus],
    now: dt.datetime,
) -> Reservation | None:
    """The booking allocated to this table now (within the margin), in one of `statuses`."""
    query = (
        select(Reservation)
        .join(TableAllocation, TableAllocation.reservation_id == Reservation.id)
        .where(
            TableAllocation.table_id == table_id,
            TableAllocation.status.in_([AllocationStatus.BOOKED, AllocationStatus.HELD]),
            TableAllocation.starts_at <= now + MATCH_MARGIN,
            TableAllocation.ends_at >= now - MATCH_MARGIN,
            Reservation.status.in_(list(statuses)),
        )
    )
    rows = list((await session.scalars(query)).unique())
    if not rows:
        return None
    # the one whose start is nearest to now
    return min(rows, key=lambda r: abs((r.starts_at - now).total_seconds()))


# ---- the journal ----------------------------------------------------------------------


async def record_event(
    session: AsyncSession, *, event: PosCheckEvent, now: dt.datetime
) -> uuid.UUID | None:
    """Keep the event as `recorded` (its row id); None when the same event came before."""
    event_row_id = uuid.uuid4()
    result = await session.execute(
        upsert_insert(session)(PosEvent)
        .values(
            id=event_row_id,
            system=event.system,
            event_id=event.event_id,
            restaurant_id=event.restaurant_id,
            kind=event.kind,
            external_table_id=event.external_table_id,
            status="recorded",
            table_status=event.table_status,
            spend_minor=event.spend_minor,
            payload=event.payload,
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["system", "restaurant_id", "event_id"])
    )
    if not getattr(result, "rowcount", 0):
        return None
    return event_row_id


async def unsettled_event(
    session: AsyncSession, *, system: str, restaurant_id: uuid.UUID | None, event_id: str
) -> uuid.UUID | None:
    """An event received before but never settled (the workflow was unreachable then)."""
    return await session.scalar(
        select(PosEvent.id).where(
            PosEvent.system == system,
            PosEvent.restaurant_id == restaurant_id,
            PosEvent.event_id == event_id,
            PosEvent.status == "recorded",
            PosEvent.detail.is_(None),
        )
    )


async def claim_event(
    session: AsyncSession,
    *,
    event_row_id: uuid.UUID,
    table_id: uuid.UUID,
    reservation_id: uuid.UUID,
) -> None:
    """Keep the booking an event acts on before acting on it: a redelivery after a crash
    acts on that booking alone (matched again, it could be the next party's)."""
    await session.execute(
        update(PosEvent)
        .where(PosEvent.id == event_row_id)
        .values(table_id=table_id, reservation_id=reservation_id)
    )


async def claimed_reservation(
    session: AsyncSession, *, event_row_id: uuid.UUID
) -> Reservation | None:
    """The booking an unsettled event was claimed for, if any."""
    reservation_id = await session.scalar(
        select(PosEvent.reservation_id).where(PosEvent.id == event_row_id)
    )
    return None if reservation_id is None else await session.get(Reservation, reservation_id)


async def reached(session: AsyncSession, reservation_id: uuid.UUID, *, done: str) -> bool:
    """Whether the booking is where a check event takes it (seated for an opened check,
    completed for a closed one), read afresh."""
    session.expire_all()
    status = await session.scalar(
        select(Reservation.status).where(Reservation.id == reservation_id)
    )
    if done == "check_closed":
        return status is ReservationStatus.COMPLETED
    return status in {ReservationStatus.SEATED, ReservationStatus.COMPLETED}


async def settle_event(
    session: AsyncSession,
    *,
    event_row_id: uuid.UUID,
    status: Literal["recorded", "applied", "unmatched"],
    detail: str | None,
    table_id: uuid.UUID | None = None,
    reservation_id: uuid.UUID | None = None,
) -> None:
    """What became of an event."""
    await session.execute(
        update(PosEvent)
        .where(PosEvent.id == event_row_id)
        .values(status=status, detail=detail, table_id=table_id, reservation_id=reservation_id)
    )


async def list_events(
    session: AsyncSession,
    *,
    restaurant_id: uuid.UUID,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[PosEvent], int]:
    """A restaurant's POS events, newest first (staff look here for unmatched ones)."""
    where = [PosEvent.restaurant_id == restaurant_id]
    if status is not None:
        where.append(PosEvent.status == status)
    total = await session.scalar(select(func.count()).select_from(PosEvent).where(*where))
    rows = await session.scalars(
        select(PosEvent)
        .where(*where)
        .order_by(PosEvent.received_at.desc(), PosEvent.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)
