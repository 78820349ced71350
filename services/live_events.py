"""Live events per restaurant: what changed, for the staff console and other listeners.

``publish`` sends an event on the restaurant's channel; ``subscribe`` listens to it.
With Redis (the shared cache is a ``RedisCache``) events go over Redis pub/sub, so
every API process hears what the worker published; otherwise an in-process hub
carries them (the embedded default, where API and worker share one process).

Events are fire-and-forget signals that something changed, not a log: a listener
that was not subscribed misses them and re-reads the state it shows. Publishing
never fails the write that caused it (an unreachable Redis is logged).

Published today, after commit, by the availability cache's invalidations (every
booking, hold, move, cancellation and every floor, hours or settings write):
``availability.changed`` with the service ``day`` (or none: every day changed).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, date, datetime
from typing import Literal, Protocol

import structlog
from pydantic import BaseModel, ConfigDict, Field
from redis.asyncio import Redis
from redis.exceptions import RedisError

from reservations.cache import Cache, RedisCache

log = structlog.get_logger(__name__)

QUEUE_SIZE = 1_000  # events a slow in-process listener may fall behind before losing the oldest


class LiveEvent(BaseModel):
    """One change at a restaurant."""

    model_config = ConfigDict(frozen=True, strict=True)

    type: Literal["availability.changed"]
    restaurant_id: uuid.UUID
    day: date | None = None  # None: any day may have changed (floor, hours, settings)
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

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def publish(self, restaurant_id: uuid.UUID, event: LiveEvent) -> None:
        try:
            await self._redis.publish(channel(restaurant_id), event.model_dump_json())
        except RedisError as exc:
            log.warning("live_events.unavailable", op="publish", error=str(exc))

    def subscribe(self, restaurant_id: uuid.UUID) -> Subscription:
        return self._subscription(channel(restaurant_id))

    @asynccontextmanager
    async def _subscription(self, name: str) -> AsyncIterator[AsyncIterator[LiveEvent]]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
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
            await pubsub.unsubscribe(name)
            await pubsub.aclose()  # type: ignore[no-untyped-call]


_IN_PROCESS = InProcessEvents()


def live_events_for(cache: Cache) -> LiveEvents:
    """Redis pub/sub beside a Redis cache; the process's own hub otherwise."""
    if isinstance(cache, RedisCache):
        return RedisEvents(cache.client)
    return _IN_PROCESS


async def publish(cache: Cache, event: LiveEvent) -> None:
    """Publish ``event`` on its restaurant's channel (after the change committed)."""
    await live_events_for(cache).publish(event.restaurant_id, event)


def subscribe(cache: Cache, restaurant_id: uuid.UUID) -> Subscription:
    """``async with subscribe(cache, rid) as events: async for event in events: ...``"""
    return live_events_for(cache).subscribe(restaurant_id)
