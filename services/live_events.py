"""Live events per restaurant: what changed, for the staff console and other listeners.

``publish`` sends an event on the restaurant's channel; ``subscribe`` listens to it.
With Redis (the shared cache is a ``RedisCache``) events go over Redis pub/sub, so
every API process hears what the worker published; otherwise an in-process hub
carries them (the embedded default, where API and worker share one process).

Events are fire-and-forget signals that something changed, not a log: a listener
that was not subscribed misses them and re-reads the state it shows. Publishing
never fails the write that caused it (an unreachable Redis is logged).

Published after commit:

- ``availability.changed`` with the service ``day`` (or none: every day changed), by
  the availability cache's invalidations (every booking, hold, move, cancellation and
  every floor, hours or settings write);
- ``reservation.changed`` with ``reservation_id`` and its ``status``, for a reservation
  created or changed (status, time, tables);
- ``table.changed`` with ``table_id``, for a table whose allocations or live status
  changed (so also for every table of a booking that was held, moved or released);
- ``waitlist.changed`` with ``entry_id``, for a waitlist entry created or changed.

The last three are not published by hand: a flush listener notes every such row a
session writes, a commit makes the notes final (a rollback drops them), and the code
that committed calls ``publish_committed`` (the API's request session does so when the
request ends; activities after their transaction).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any, Literal, Protocol, get_args

import anyio
import structlog
from pydantic import BaseModel, ConfigDict, Field
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from models.enums import ReservationStatus
from models.orm import Reservation, RestaurantTable, TableAllocation, WaitlistEntry
from reservations.cache import Cache, RedisCache

log = structlog.get_logger(__name__)

QUEUE_SIZE = 1_000  # events a slow in-process listener may fall behind before losing the oldest


EventType = Literal[
    "availability.changed", "reservation.changed", "table.changed", "waitlist.changed"
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)


class LiveEvent(BaseModel):
    """One change at a restaurant."""

    model_config = ConfigDict(frozen=True, strict=True)

    type: EventType
    restaurant_id: uuid.UUID
    day: date | None = None  # None: any day may have changed (floor, hours, settings)
    reservation_id: uuid.UUID | None = None  # reservation.changed
    status: ReservationStatus | None = None  # reservation.changed: the status it has now
    table_id: uuid.UUID | None = None  # table.changed
    entry_id: uuid.UUID | None = None  # waitlist.changed
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))


def channel(restaurant_id: uuid.UUID) -> str:
    """The pub/sub channel of a restaurant."""
    return f"live:{restaurant_id}"


Subscription = AbstractAsyncContextManager[AsyncIterator[LiveEvent]]


class LiveEvents(Protocol):
    """Where events are published and heard."""

    async def publish(self, restaurant_id: uuid.UUID, event: LiveEvent) -> None: ...

    def subscribe(self, restaurant_id: uuid.UUID) -> Subscription:
        """Subscribed on entering: ``async with ... as events: async for event in events``."""
        ...


class InProcessEvents:
    """Events between tasks of one process: a bounded queue per subscriber."""

    def __init__(self) -> None:
        self._queues: defaultdict[str, set[asyncio.Queue[LiveEvent]]] = defaultdict(set)

    async def publish(self, restaurant_id: uuid.UUID, event: LiveEvent) -> None:
        for queue in list(self._queues.get(channel(restaurant_id), ())):
            if queue.full():
                queue.get_nowait()  # a slow listener loses the oldest, not the newest
            queue.put_nowait(event)

    def subscribe(self, restaurant_id: uuid.UUID) -> Subscription:
        return self._subscription(channel(restaurant_id))

    def listeners(self, restaurant_id: uuid.UUID) -> int:
        """How many subscriptions to the restaurant's channel are open in this process."""
        return len(self._queues.get(channel(restaurant_id), ()))

    def backlog(self, restaurant_id: uuid.UUID) -> int:
        """Events published to the restaurant's subscribers here and not read yet (the most
        any one of them has waiting)."""
        return max((q.qsize() for q in self._queues.get(channel(restaurant_id), ())), default=0)

    @asynccontextmanager
    async def _subscription(self, name: str) -> AsyncIterator[AsyncIterator[LiveEvent]]:
        queue: asyncio.Queue[LiveEvent] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._queues[name].add(queue)

        async def events() -> AsyncIterator[LiveEvent]:
            while True:
                yield await queue.get()

        try:
            yield events()
        finally:
            self._queues[name].discard(queue)
            if not self._queues[name]:
                del self._queues[name]


class RedisEvents:
    """Events over Redis pub/sub: heard by every process subscribed to the channel."""

    def __init__(self, redis: Redis, listening: Redis | None = None) -> None:
        self._redis = redis
        self._listening = listening or redis

    async def publish(self, restaurant_id: uuid.UUID, event: LiveEvent) -> None:
        try:
            await self._redis.publish(channel(restaurant_id), event.model_dump_json())
        except RedisError as exc:
            log.warning("live_events.unavailable", op="publish", error=str(exc))

    def subscribe(self, restaurant_id: uuid.UUID) -> Subscription:
        return self._subscription(channel(restaurant_id))

    @asynccontextmanager
    async def _subscription(self, name: str) -> AsyncIterator[AsyncIterator[LiveEvent]]:
        pubsub = self._listening.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(name)  # subscribed on entry: nothing published after is missed

        async def events() -> AsyncIterator[LiveEvent]:
            while True:
                # a bounded wait: the client's socket timeout would break an endless one
                message = await pubsub.get_message(timeout=1.0)
                if message is not None and message.get("type") == "message":
                    yield LiveEvent.model_validate_json(message["data"])

        try:
            yield events()
        finally:
            # shielded: a cancelled listener (a closed event stream) still unsubscribes
            with anyio.CancelScope(shield=True):
                try:
                    await pubsub.unsubscribe(name)
                except RedisError as exc:
                    log.warning("live_events.unavailable", op="unsubscribe", error=str(exc))
                await pubsub.aclose()  # type: ignore[no-untyped-call]


_IN_PROCESS = InProcessEvents()


def in_process_listeners(restaurant_id: uuid.UUID) -> int:
    """Open in-process subscriptions to the restaurant's channel (no Redis)."""
    return _IN_PROCESS.listeners(restaurant_id)


def in_process_backlog(restaurant_id: uuid.UUID) -> int:
    """Events waiting for the slowest in-process subscriber of the restaurant (no Redis)."""
    return _IN_PROCESS.backlog(restaurant_id)


def live_events_for(cache: Cache) -> LiveEvents:
    """Redis pub/sub beside a Redis cache; the process's own hub otherwise."""
    if isinstance(cache, RedisCache):
        return RedisEvents(cache.client, cache.listening_client)
    return _IN_PROCESS


async def publish(cache: Cache, event: LiveEvent) -> None:
    """Publish ``event`` on its restaurant's channel (after the change committed)."""
    await live_events_for(cache).publish(event.restaurant_id, event)


def subscribe(cache: Cache, restaurant_id: uuid.UUID) -> Subscription:
    """``async with subscribe(cache, rid) as events: async for event in events: ...``"""
    return live_events_for(cache).subscribe(restaurant_id)


# ---- events of the rows a session wrote, published once they are committed -------------

_FLUSHED = "live_events.flushed"
_COMMITTED = "live_events.committed"

_Key = tuple[str, uuid.UUID]


def _loaded(obj: object, name: str) -> Any:
    # read what the row holds without loading anything inside a flush
    return inspect(obj).dict.get(name)


def _events_of(obj: object, *, is_new: bool, session: Session) -> list[LiveEvent]:
    if not is_new and not session.is_modified(obj):
        return []  # touched but unchanged
    if isinstance(obj, Reservation):
        return [
            LiveEvent(
                type="reservation.changed",
                restaurant_id=_loaded(obj, "restaurant_id"),
                reservation_id=_loaded(obj, "id"),
                status=_loaded(obj, "status"),
            )
        ]
    if isinstance(obj, TableAllocation):
        return [
            LiveEvent(
                type="table.changed",
                restaurant_id=_loaded(obj, "restaurant_id"),
                table_id=_loaded(obj, "table_id"),
            )
        ]
    if isinstance(obj, RestaurantTable):
        return [
            LiveEvent(
                type="table.changed",
                restaurant_id=_loaded(obj, "restaurant_id"),
                table_id=_loaded(obj, "id"),
            )
        ]
    if isinstance(obj, WaitlistEntry):
        return [
            LiveEvent(
                type="waitlist.changed",
                restaurant_id=_loaded(obj, "restaurant_id"),
                entry_id=_loaded(obj, "id"),
            )
        ]
    return []


def _key(event: LiveEvent) -> _Key:
    subject = event.reservation_id or event.table_id or event.entry_id
    assert subject is not None
    return event.type, subject


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _flush_context: Any) -> None:
    # in after_flush the new/dirty/deleted lists and attribute histories are still pre-flush
    noted: dict[_Key, LiveEvent] = session.info.setdefault(_FLUSHED, {})
    changed = [(obj, True) for obj in session.new] + [(obj, False) for obj in session.dirty]
    changed += [(obj, True) for obj in session.deleted]
    for obj, is_new in changed:
        try:
            for change in _events_of(obj, is_new=is_new, session=session):
                noted[_key(change)] = change  # the last state of a row wins
        except Exception as exc:  # an event must never fail the write that caused it
            log.warning("live_events.unnoted", row=type(obj).__name__, error=str(exc))


# a session that commits again and again and never publishes (a script, a bulk import)
# keeps only the newest notes: listeners re-read anyway, and memory stays bounded
MAX_NOTED = 10_000


def note_tables_written(
    session: AsyncSession | Session, *, restaurant_id: uuid.UUID, table_ids: Iterable[uuid.UUID]
) -> None:
    """Allocations of these tables were written without the ORM (a Core insert, which no
    flush sees): note their ``table.changed`` events as a flush would."""
    noted: dict[_Key, LiveEvent] = session.info.setdefault(_FLUSHED, {})
    for table_id in table_ids:
        change = LiveEvent(type="table.changed", restaurant_id=restaurant_id, table_id=table_id)
        noted[_key(change)] = change


@event.listens_for(Session, "after_commit")
def _note_committed(session: Session) -> None:
    flushed: dict[_Key, LiveEvent] = session.info.pop(_FLUSHED, {})
    if not flushed:
        return
    committed: dict[_Key, LiveEvent] = session.info.setdefault(_COMMITTED, {})
    for key, change in flushed.items():
        committed.pop(key, None)  # re-inserted: the newest notes are the last
        committed[key] = change
    for key in list(committed)[: max(0, len(committed) - MAX_NOTED)]:
        del committed[key]


@event.listens_for(Session, "after_rollback")
def _drop_flushed(session: Session) -> None:
    session.info.pop(_FLUSHED, None)  # nothing of a rolled-back transaction happened


def committed_events(session: AsyncSession | Session) -> list[LiveEvent]:
    """The events of what ``session`` committed and nobody published yet (taken out)."""
    committed: dict[_Key, LiveEvent] = session.info.pop(_COMMITTED, {})
    return list(committed.values())


async def publish_committed(cache: Cache, session: AsyncSession | Session) -> None:
    """After commit: publish the changes ``session`` committed (never raises for Redis)."""
    for change in committed_events(session):
        await publish(cache, change)
