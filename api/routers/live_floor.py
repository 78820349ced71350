"""The staff console's live floor: table states now, a host's table marks, and the
restaurant's live event stream (server-sent events)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import anyio
import structlog
from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import AfterValidator, AwareDatetime
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth import can_see_restaurant, has_role
from api.deps import (
    CacheDep,
    CurrentStaff,
    HostOf,
    RestaurantScope,
    SessionDep,
    SettingsDep,
    bearer,
    require_role,
)
from api.problems import NotFound, ServiceUnavailable
from models.enums import StaffRole, TableLiveStatus
from models.schemas.common import EARLIEST_DAY, LATEST_DAY
from models.schemas.live_floor import LiveFloor, LiveTable, TableStatusIn
from reservations.live_streams import stream_stopper
from services import live_events
from services import live_floor as svc
from services.live_events import EVENT_TYPES, LiveEvent
from services.restaurants import get_restaurant
from services.staff import get_staff
from services.staff_tokens import token_expires_at

router = APIRouter(tags=["live floor"])
log = structlog.get_logger(__name__)

T = TypeVar("T")

KEEPALIVE_SECONDS = 15.0  # a comment this often keeps proxies from closing an idle stream
ACCESS_CHECK_SECONDS = 60.0  # how often a stream checks its reader may still read it


def _sane_instant(value: datetime) -> datetime:
    try:
        instant = value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59-14:00 has no UTC date
        instant = None
    if instant is None or not EARLIEST_DAY <= instant.date() <= LATEST_DAY:
        raise ValueError(f"instants run from {EARLIEST_DAY} to {LATEST_DAY}")
    return instant


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


@dataclass(frozen=True, slots=True)
class StreamAccess:
    """Who reads a stream, and until when their token lets them."""

    scope: RestaurantScope
    token_expires_at: datetime


async def _stream_scope(
    scope: HostOf,
    session: SessionDep,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> StreamAccess:
    await get_restaurant(session, restaurant_id=scope.restaurant_id)
    # checks done: a stream open for hours must not keep a database connection
    await session.close()
    assert credentials is not None  # HostOf answered 401 without one
    expires = token_expires_at(credentials.credentials, secret=request.app.state.jwt_secret)
    assert expires is not None  # HostOf answered 401 for an invalid token
    return StreamAccess(scope=scope, token_expires_at=expires)


async def _still_host(
    sessions: async_sessionmaker[AsyncSession], staff_id: uuid.UUID, restaurant_id: uuid.UUID
) -> bool:
    """Whether the staff member may still read the restaurant's stream (active, host+)."""
    async with sessions() as session:
        staff = await get_staff(session, staff_id=staff_id)
        return (
            staff is not None
            and staff.is_active
            and can_see_restaurant(staff, restaurant_id)
            and has_role(staff, StaffRole.HOST)
        )


STREAM_DOC = (
    "`event: ready` once subscribed, then one message per change with `event:` its type "
    "(`availability.changed`, `reservation.changed`, `table.changed`, `waitlist.changed`) "
    "and `data:` the event's JSON; a `: keep-alive` comment every 15 s when idle. "
    "The stream ends after LIVE_STREAM_MAX_SECONDS (15 minutes by default), when the "
    "bearer token expires, or within a minute of the staff member losing access "
    "(deactivated, or no longer a host of the restaurant): reconnect. "
    "Events say what changed, not the new state: re-read it (a missed event is not "
    "replayed; re-read everything after reconnecting). 503 when live events are "
    "unavailable (Redis down): retry shortly."
)


async def _next(events: AsyncIterator[LiveEvent]) -> LiveEvent:
    return await anext(events)


class LiveFeed:
    """One console's subscription: the pending read and the server's stop, as tasks.

    The reads are tasks of their own, so waiting on one with a timeout does not cancel
    (and so end) the subscription's iterator. They belong to the request, not to the
    response's generator: when a client goes away, FastAPI may cancel its producer
    while the generator is suspended at a ``yield``, and a generator's clean-up then
    waits for garbage collection. The request's exit stack ends them at once.
    """

    def __init__(
        self,
        restaurant_id: uuid.UUID,
        events: AsyncIterator[LiveEvent],
        stop: asyncio.Event,
        *,
        access_until: datetime,
        still_allowed: Callable[[], Awaitable[bool]],
    ) -> None:
        self.restaurant_id = restaurant_id
        self.access_until = access_until
        self.still_allowed = still_allowed
        self._events = events
        self._tasks: set[asyncio.Future[Any]] = set()
        self.stopping: asyncio.Future[object] = self._owned(stop.wait())

    def next_event(self) -> asyncio.Future[LiveEvent]:
        """The next event, read in a task of its own."""
        return self._owned(_next(self._events))

    def _owned(self, coroutine: Coroutine[object, object, T]) -> asyncio.Future[T]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def close(self) -> None:
        """Cancel what is still waiting (before the subscription it reads ends)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _live_feed(
    access: Annotated[StreamAccess, Depends(_stream_scope)], cache: CacheDep, request: Request
) -> AsyncIterator[LiveFeed]:
    """The restaurant's events for one stream, subscribed before the response starts and
    released when the request's exit stack unwinds (the stream ended or its client left)."""
    with stream_stopper() as stop:
        try:
            subscription = live_events.subscribe(cache, access.scope.restaurant_id)
            events = await subscription.__aenter__()
        except RedisError as exc:
            log.warning("live_stream.redis_unavailable", error=str(exc))
            raise ServiceUnavailable(
                "live events are unavailable; reconnect shortly", headers={"Retry-After": "5"}
            ) from exc
        sessions = request.app.state.sessions
        staff_id, restaurant_id = access.scope.staff.id, access.scope.restaurant_id
        feed = LiveFeed(
            restaurant_id,
            events,
            stop,
            access_until=access.token_expires_at,
            still_allowed=lambda: _still_host(sessions, staff_id, restaurant_id),
        )
        try:
            yield feed
        finally:
            # shielded: a cancelled request must not cut the clean-up short
            with anyio.CancelScope(shield=True):
                await feed.close()
                await subscription.__aexit__(None, None, None)


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
    feed: Annotated[LiveFeed, Depends(_live_feed)], settings: SettingsDep
) -> AsyncIterator[ServerSentEvent]:
    yield ServerSentEvent(event="ready", raw_data=f'{{"restaurant_id": "{feed.restaurant_id}"}}')
    try:
        # a bounded life: the client reconnects (its token and access checked again)
        # and a proxy can move it to another API process
        token_left = (feed.access_until - datetime.now(UTC)).total_seconds()
        lifetime = min(settings.live_stream_max_seconds, token_left)
        async for message in _with_keepalives(feed, lifetime):
            yield message
    except RedisError as exc:
        # the stream ends (the console reconnects and re-reads); the response has
        # started, so there is no status to answer with
        log.warning("live_stream.redis_unavailable", error=str(exc))


async def _with_keepalives(feed: LiveFeed, lifetime: float) -> AsyncIterator[ServerSentEvent]:
    """The events as SSE messages, a keep-alive comment when idle, until the server
    stops, ``lifetime`` seconds have passed or the reader's access is gone (checked
    every ACCESS_CHECK_SECONDS)."""
    loop = asyncio.get_running_loop()
    ends_at = loop.time() + lifetime
    check_at = loop.time() + ACCESS_CHECK_SECONDS
    quiet_since = loop.time()
    coming = feed.next_event()
    while True:
        now = loop.time()
        if now >= ends_at:
            return
        if now >= check_at:
            if not await feed.still_allowed():
                return
            check_at = loop.time() + ACCESS_CHECK_SECONDS
        wake = min(ends_at, check_at, quiet_since + KEEPALIVE_SECONDS)
        waiting: set[asyncio.Future[Any]] = {coming, feed.stopping}
        done, _ = await asyncio.wait(
            waiting, timeout=max(0.0, wake - loop.time()), return_when=asyncio.FIRST_COMPLETED
        )
        if feed.stopping in done:
            return
        if coming in done:
            change = coming.result()
            yield ServerSentEvent(event=change.type, raw_data=change.model_dump_json())
            coming = feed.next_event()
            quiet_since = loop.time()
        elif loop.time() >= quiet_since + KEEPALIVE_SECONDS and ends_at - loop.time() > 0:
            yield ServerSentEvent(comment="keep-alive")
            quiet_since = loop.time()
