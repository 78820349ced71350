"""The staff console's live floor: table states now, a host's table marks, and the
restaurant's live event stream (server-sent events)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

import anyio
import structlog
from fastapi import APIRouter, Depends, Query
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import AfterValidator, AwareDatetime
from redis.exceptions import RedisError

from api.auth import can_see_restaurant
from api.deps import (
    CacheDep,
    CurrentStaff,
    HostOf,
    RestaurantScope,
    SessionDep,
    SettingsDep,
    require_role,
)
from api.problems import NotFound
from models.enums import StaffRole, TableLiveStatus
from models.schemas.common import EARLIEST_DAY, LATEST_DAY
from models.schemas.live_floor import LiveFloor, LiveTable, TableStatusIn
from reservations.live_streams import stream_stopper
from services import live_events
from services import live_floor as svc
from services.live_events import EVENT_TYPES, LiveEvent
from services.restaurants import get_restaurant

router = APIRouter(tags=["live floor"])
log = structlog.get_logger(__name__)

KEEPALIVE_SECONDS = 15.0  # a comment this often keeps proxies from closing an idle stream


def _sane_instant(value: datetime) -> datetime:
    if not EARLIEST_DAY <= value.astimezone(UTC).date() <= LATEST_DAY:
        raise ValueError(f"instants run from {EARLIEST_DAY} to {LATEST_DAY}")
    return value.astimezone(UTC)


Instant = Annotated[AwareDatetime, AfterValidator(_sane_instant)]


@router.get(
    "/tables/restaurant/{restaurant_id}/floor-plan",
    response_model=LiveFloor,
    summary="The live floor: every table's state",
    description="Every table (inactive ones as `blocked`) with its state at `at` and the "
    "booking behind it; floor plans and seating areas to draw them. See the live floor "
    "page of the docs for how a state is decided.",
)
async def live_floor(
    scope: HostOf,
    session: SessionDep,
    at: Annotated[
        Instant | None,
        Query(description="ISO 8601 instant with a UTC offset (default: now); naive is 422"),
    ] = None,
) -> LiveFloor:
    now = datetime.now(UTC)
    return await svc.live_floor(session, restaurant_id=scope.restaurant_id, at=at or now, now=now)


@router.put(
    "/tables/{table_id}/status",
    response_model=LiveTable,
    summary="Mark a table free, cleaning or blocked",
    description="A host's mark for the live floor; it does not change availability "
    "(`is_active` and `online_bookable` do). A seated party shows as seated whatever "
    "the mark. Another restaurant's table is 404.",
)
async def set_table_status(
    table_id: uuid.UUID, data: TableStatusIn, staff: CurrentStaff, session: SessionDep
) -> LiveTable:
    table = await svc.find_table(session, table_id=table_id)
    if not can_see_restaurant(staff, table.restaurant_id):
        raise NotFound(f"table {table_id} not found")  # no existence leak
    require_role(staff, StaffRole.HOST)
    now = datetime.now(UTC)
    svc.mark_table(table, status=TableLiveStatus(data.status), note=data.note, now=now)
    await session.commit()  # table.changed goes out when the request's session ends
    return await svc.table_now(session, table=table, now=now)


async def _stream_scope(scope: HostOf, session: SessionDep) -> RestaurantScope:
    await get_restaurant(session, restaurant_id=scope.restaurant_id)
    # checks done: a stream open for hours must not keep a database connection
    await session.close()
    return scope


STREAM_DOC = (
    "`event: ready` once subscribed, then one message per change with `event:` its type "
    "(`availability.changed`, `reservation.changed`, `table.changed`, `waitlist.changed`) "
    "and `data:` the event's JSON; a `: keep-alive` comment every 15 s when idle. "
    "The stream ends after LIVE_STREAM_MAX_SECONDS (15 minutes by default): reconnect. "
    "Events say what changed, not the new state: re-read it (a missed event is not "
    "replayed; re-read everything after reconnecting)."
)


@router.get(
    "/restaurants/{restaurant_id}/events",
    response_class=EventSourceResponse,
    summary="The restaurant's live events (server-sent events)",
    description=STREAM_DOC,
    responses={
        200: {
            "description": "a text/event-stream that stays open",
            "content": {
                # each event's schema (OpenAPI 3.2's itemSchema, which FastAPI writes for
                # event streams; this one names the event types); data is the event's JSON
                "text/event-stream": {
                    "itemSchema": {
                        "type": "object",
                        "required": ["event", "data"],
                        "properties": {
                            "event": {"type": "string", "enum": ["ready", *EVENT_TYPES]},
                            "data": {"type": "string", "contentMediaType": "application/json"},
                            "id": {"type": "string"},
                            "retry": {"type": "integer"},
                        },
                    },
                    "example": {"event": "ready", "data": '{"restaurant_id": "..."}'},
                }
            },
        }
    },
)
async def live_event_stream(
    scope: Annotated[RestaurantScope, Depends(_stream_scope)],
    cache: CacheDep,
    settings: SettingsDep,
) -> AsyncIterator[ServerSentEvent]:
    with stream_stopper() as stop:
        try:
            async with live_events.subscribe(cache, scope.restaurant_id) as events:
                yield ServerSentEvent(
                    event="ready", raw_data=f'{{"restaurant_id": "{scope.restaurant_id}"}}'
                )
                # a bounded life: the client reconnects (its token and access checked
                # again) and a proxy can move it to another API process
                lifetime = settings.live_stream_max_seconds
                async for message in _with_keepalives(events, stop, lifetime):
                    yield message
        except RedisError as exc:
            # the stream ends (the console reconnects and re-reads); the response has
            # started, so there is no status to answer with
            log.warning("live_stream.redis_unavailable", error=str(exc))


async def _next(events: AsyncIterator[LiveEvent]) -> LiveEvent:
    return await anext(events)


async def _with_keepalives(
    events: AsyncIterator[LiveEvent], stop: asyncio.Event, lifetime: float
) -> AsyncIterator[ServerSentEvent]:
    """The events as SSE messages, a keep-alive comment when idle, until ``stop`` or
    ``lifetime`` seconds have passed."""
    ends_at = asyncio.get_running_loop().time() + lifetime
    # the pending read is a task of its own: waiting on it with a timeout must not
    # cancel (and so end) the subscription's iterator
    coming: asyncio.Task[LiveEvent] = asyncio.ensure_future(_next(events))
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while True:
            left = ends_at - asyncio.get_running_loop().time()
            if left <= 0:
                return
            done, _ = await asyncio.wait(
                {coming, stopping},
                timeout=min(KEEPALIVE_SECONDS, left),
                return_when=asyncio.FIRST_COMPLETED,
            )
            if stopping in done:
                return
            if coming in done:
                change = coming.result()
                yield ServerSentEvent(event=change.type, raw_data=change.model_dump_json())
                coming = asyncio.ensure_future(_next(events))
            elif left > KEEPALIVE_SECONDS:
                yield ServerSentEvent(comment="keep-alive")
    finally:
        # shielded: the stream's cancellation must not cut the clean-up short
        with anyio.CancelScope(shield=True):
            coming.cancel()
            stopping.cancel()
            await asyncio.gather(coming, stopping, return_exceptions=True)
