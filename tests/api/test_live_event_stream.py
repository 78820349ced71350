"""The live event stream (server-sent events) over a real uvicorn server, with real
bookings through the workflow, in-process and over Redis."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.routers import live_floor as live_floor_router
from models.enums import StaffRole
from models.orm import StaffUser
from reservations.cache import Cache, MemoryCache, RedisCache
from reservations.live_streams import ApiServer, open_streams
from services import live_events
from services.live_events import LiveEvent
from services.staff_tokens import issue_staff_token, staff_id_from_token
from tests.api.conftest import LiveApi, eventually
from tests.api.test_reservation_lifecycle import BASE, booking, restaurant, soon
from tests.api.test_waitlist import join_body
from tests.conftest import JWT_SECRET, REDIS_URL, Database
from tests.conftest import test_settings as settings_for
from worker.deps import WorkerDeps


@dataclass
class Served:
    """The API under uvicorn on a free port, with a worker, as a browser would reach it."""

    live: LiveApi
    server: ApiServer
    task: asyncio.Task[None]
    base_url: str


@contextlib.asynccontextmanager
async def served(
    db: Database, dev_server: WorkflowEnvironment, port: int, cache: Cache, **overrides: object
) -> AsyncIterator[Served]:
    queue = f"sse-{uuid.uuid4().hex[:10]}"
    settings = settings_for(db.url, temporal_task_queue=queue, **overrides)
    app = create_app(settings, engine=db.engine, cache=cache, temporal_client=dev_server.client)
    server = ApiServer(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.02)
    assert server.started, "uvicorn did not start"
    base_url = f"http://127.0.0.1:{port}"
    deps = WorkerDeps(settings=settings, engine=db.engine, sessions=db.sessions, cache=cache)
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        live = LiveApi(client=client, db=db, env=dev_server, task_queue=queue, deps=deps)
        live.start_worker()
        try:
            yield Served(live=live, server=server, task=task, base_url=base_url)
        finally:
            await live.stop_worker()
            server.should_exit = True
            # a bound on a shutdown that should be quick, not a timing assertion
            await asyncio.wait_for(task, timeout=30)


@pytest.fixture
async def site(
    db: Database, dev_server: WorkflowEnvironment, unused_tcp_port: int
) -> AsyncIterator[Served]:
    async with served(db, dev_server, unused_tcp_port, MemoryCache()) as running:
        yield running


@dataclass
class Listener:
    """A console reading the stream with fetch(): the bearer token, then line by line."""

    base_url: str
    restaurant_id: str
    headers: dict[str, str]
    status: int | None = None
    retry_after: str | None = None
    body: str = ""
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    ended: bool = False
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        url = f"{self.base_url}{BASE}/restaurants/{self.restaurant_id}/events"
        async with (
            httpx.AsyncClient(timeout=httpx.Timeout(60, read=None)) as client,
            client.stream("GET", url, headers=self.headers) as response,
        ):
            self.status = response.status_code
            self.retry_after = response.headers.get("retry-after")
            if response.status_code != 200:
                self.body = (await response.aread()).decode()
                return
            assert response.headers["content-type"].startswith("text/event-stream")
            kind, data = "message", ""
            async for line in response.aiter_lines():
                if line.startswith(":"):
                    self.comments.append(line[1:].strip())
                elif line.startswith("event:"):
                    kind = line.removeprefix("event:").strip()
                elif line.startswith("data:"):
                    data += line.removeprefix("data:").strip()
                elif line == "" and data:
                    self.events.append((kind, json.loads(data)))
                    kind, data = "message", ""
        self.ended = True

    async def stop(self) -> None:
        """Go away as a closed browser tab does."""
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def finished(self) -> None:
        assert self._task is not None
        await asyncio.wait_for(self._task, timeout=30)  # a bound, not a timing assertion

    def heard(self, kind: str, since: int = 0, **fields: str) -> bool:
        """An event of `kind` with these fields among those heard from position `since`."""
        return any(
            k == kind and all(str(d.get(name)) == value for name, value in fields.items())
            for k, d in self.events[since:]
        )


async def listening(s: Served, rid: str, headers: dict[str, str]) -> Listener:
    listener = Listener(s.base_url, rid, headers)
    listener.start()

    async def ready() -> bool:
        return listener.heard("ready", restaurant_id=rid)

    await eventually(ready, "the stream's ready event")
    return listener


async def both_hear(
    listeners: list[Listener], kind: str, since: list[int] | None = None, **fields: str
) -> None:
    """Every listener hears it (among the events from its position in `since`)."""
    starts = since or [0] * len(listeners)

    async def all_heard() -> bool:
        return all(
            x.heard(kind, start, **fields) for x, start in zip(listeners, starts, strict=True)
        )

    await eventually(all_heard, f"{kind} {fields} on every stream")


async def test_two_consoles_hear_bookings_check_ins_marks_and_the_waitlist(site: Served) -> None:
    live = site.live
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, all_day=True)
    host = await live.token_for(StaffRole.HOST, [rid])
    first, second = await listening(site, rid, host), await listening(site, rid, admin)
    assert live_events.in_process_listeners(uuid.UUID(rid)) == 2

    made = await live.client.post(f"{BASE}/reservations", json={**booking(rid), **soon()})
    assert made.status_code == 201, made.text
    res = made.json()
    await both_hear([first, second], "reservation.changed", reservation_id=res["id"])
    await both_hear([first, second], "availability.changed")
    floor = await live.client.get(f"{BASE}/tables/restaurant/{rid}/floor-plan", headers=host)
    table_id = next(t["id"] for t in floor.json()["tables"] if t["number"] == "1")
    await both_hear([first, second], "table.changed", table_id=table_id)

    checked_in = await live.client.post(
        f"{BASE}/restaurants/{rid}/reservations/{res['id']}/check-in", headers=host
    )
    assert checked_in.status_code == 200, checked_in.text
    await both_hear(
        [first, second], "reservation.changed", reservation_id=res["id"], status="seated"
    )

    heard_so_far = [len(first.events), len(second.events)]
    marked = await live.client.put(
        f"{BASE}/tables/{table_id}/status", headers=host, json={"status": "blocked"}
    )
    assert marked.status_code == 200, marked.text
    # heard again after the mark, not only when the booking took the table
    await both_hear([first, second], "table.changed", heard_so_far, table_id=table_id)

    joined = await live.client.post(f"{BASE}/waitlist", json=join_body(rid))
    assert joined.status_code == 201, joined.text
    entry_id = joined.json()["id"]
    await both_hear([first, second], "waitlist.changed", entry_id=entry_id)

    # the events are the documented JSON, named by their type
    kind, data = next(e for e in first.events if e[0] == "reservation.changed")
    assert data["type"] == kind and data["restaurant_id"] == rid

    # closing the tab frees the subscription
    await first.stop()
    await second.stop()

    async def freed() -> bool:
        return live_events.in_process_listeners(uuid.UUID(rid)) == 0 and open_streams() == 0

    await eventually(freed, "the subscriptions released after the consoles went away")


async def test_another_restaurants_host_gets_404_and_no_stream(site: Served) -> None:
    live = site.live
    admin = await live.token_for(StaffRole.ADMIN)
    mine = await restaurant(live, admin, tables=1)
    theirs = await restaurant(live, admin, tables=1)
    host = await live.token_for(StaffRole.HOST, [mine])
    for rid, headers, status in [
        (theirs, host, 404),
        (str(uuid.uuid4()), admin, 404),  # an admin asking for no restaurant
        (mine, {}, 401),
        (mine, {"Authorization": "Bearer forged"}, 401),
    ]:
        listener = Listener(site.base_url, rid, headers)
        listener.start()
        await listener.finished()
        assert listener.status == status, (rid, listener.status, listener.body)
        assert json.loads(listener.body)["status"] == status  # problem+json, not a stream
        assert listener.events == []
        assert live_events.in_process_listeners(uuid.UUID(rid)) == 0
    assert open_streams() == 0


async def test_an_idle_stream_gets_keep_alive_comments(
    site: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_floor_router, "KEEPALIVE_SECONDS", 0.1)
    admin = await site.live.token_for(StaffRole.ADMIN)
    rid = await restaurant(site.live, admin, tables=1)
    listener = await listening(site, rid, admin)

    async def kept_alive() -> bool:
        return "keep-alive" in listener.comments

    await eventually(kept_alive, "a keep-alive comment on an idle stream")
    await listener.stop()


async def test_shutdown_ends_open_streams(
    db: Database, dev_server: WorkflowEnvironment, unused_tcp_port: int
) -> None:
    async with served(db, dev_server, unused_tcp_port, MemoryCache()) as s:
        admin = await s.live.token_for(StaffRole.ADMIN)
        rid = await restaurant(s.live, admin, tables=1)
        listener = await listening(s, rid, admin)
        assert open_streams() == 1
        await s.live.stop_worker()
        # what SIGTERM does to uvicorn: without ApiServer this waits for the stream forever
        s.server.should_exit = True
        await asyncio.wait_for(s.task, timeout=30)  # a bound, not a timing assertion
        await listener.finished()
        assert listener.ended and open_streams() == 0


async def test_a_stream_ends_after_its_lifetime_and_frees_its_subscription(
    db: Database, dev_server: WorkflowEnvironment, unused_tcp_port: int
) -> None:
    async with served(
        db, dev_server, unused_tcp_port, MemoryCache(), live_stream_max_seconds=0.5
    ) as s:
        admin = await s.live.token_for(StaffRole.ADMIN)
        rid = await restaurant(s.live, admin, tables=1)
        listener = await listening(s, rid, admin)
        await listener.finished()  # ended by the server, the console would reconnect
        assert listener.ended and listener.status == 200
        assert [kind for kind, _ in listener.events] == ["ready"]
        assert open_streams() == 0


async def _staff_of(live: LiveApi, headers: dict[str, str]) -> StaffUser:
    token = headers["Authorization"].removeprefix("Bearer ")
    staff_id = staff_id_from_token(token, secret=JWT_SECRET)
    assert staff_id is not None
    async with live.db.sessions() as session:
        staff = await session.get(StaffUser, staff_id)
    assert staff is not None
    return staff


async def test_a_stream_ends_when_its_token_expires(site: Served) -> None:
    admin = await site.live.token_for(StaffRole.ADMIN)
    rid = await restaurant(site.live, admin, tables=1)
    short = issue_staff_token(
        await _staff_of(site.live, admin), secret=JWT_SECRET, ttl=timedelta(seconds=2)
    )
    listener = await listening(site, rid, {"Authorization": f"Bearer {short.token}"})
    await listener.finished()  # not after LIVE_STREAM_MAX_SECONDS (15 minutes)
    assert listener.ended and listener.status == 200
    assert open_streams() == 0


async def test_a_stream_ends_when_its_reader_loses_access(
    site: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_floor_router, "ACCESS_CHECK_SECONDS", 0.2)
    live = site.live
    admin = await live.token_for(StaffRole.ADMIN)
    rid = await restaurant(live, admin, tables=1)
    host = await live.token_for(StaffRole.HOST, [rid])
    colleague = await live.token_for(StaffRole.HOST, [rid])
    leaving = await listening(site, rid, host)
    staying = await listening(site, rid, colleague)
    async with live.db.sessions() as session, session.begin():
        staff = await session.get(StaffUser, (await _staff_of(live, host)).id)
        assert staff is not None
        staff.is_active = False
    await leaving.finished()
    assert leaving.ended and leaving.status == 200
    # a colleague who may still read keeps the stream, past several checks
    await asyncio.sleep(1.0)
    assert not staying.ended
    await staying.stop()


async def test_over_redis_an_event_from_another_process_reaches_the_stream(
    pg_db: Database, dev_server: WorkflowEnvironment, unused_tcp_port: int
) -> None:
    api_cache, worker_cache = RedisCache(REDIS_URL), RedisCache(REDIS_URL)
    try:
        async with served(pg_db, dev_server, unused_tcp_port, api_cache) as s:
            admin = await s.live.token_for(StaffRole.ADMIN)
            rid = await restaurant(s.live, admin, tables=1)
            listener = await listening(s, rid, admin)
            table_id = uuid.uuid4()
            # the worker's process publishes on its own Redis connection
            await live_events.publish(
                worker_cache,
                LiveEvent(type="table.changed", restaurant_id=uuid.UUID(rid), table_id=table_id),
            )
            await both_hear([listener], "table.changed", table_id=str(table_id))
            # and a booking made through the API (its worker shares the API's Redis)
            made = await s.live.client.post(f"{BASE}/reservations", json=booking(rid))
            assert made.status_code == 201, made.text
            await both_hear([listener], "reservation.changed", reservation_id=made.json()["id"])
            await listener.stop()

            async def unsubscribed() -> bool:
                counts = await worker_cache.client.pubsub_numsub(
                    live_events.channel(uuid.UUID(rid))
                )
                return counts[0][1] == 0

            await eventually(unsubscribed, "the Redis subscription released")
    finally:
        await api_cache.close()
        await worker_cache.close()


async def test_a_console_that_stopped_reading_then_left_frees_its_subscription(
    site: Served,
) -> None:
    """A tab frozen in the background, then closed: the server was blocked writing to it.

    The stream's producer is then cancelled while the endpoint's generator is suspended
    at a ``yield``; clean-up tied to that generator would wait for the garbage
    collector. With the collector off, the subscription must still go.
    """
    admin = await site.live.token_for(StaffRole.ADMIN)
    rid = await restaurant(site.live, admin, tables=1)
    host, port = site.base_url.removeprefix("http://").split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills after a few events
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    loop = asyncio.get_running_loop()
    await loop.sock_sendall(
        sock,
        f"GET {BASE}/restaurants/{rid}/events HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: {admin['Authorization']}\r\n\r\n".encode(),
    )
    head = b""
    while b"event: ready" not in head:
        chunk = await asyncio.wait_for(loop.sock_recv(sock, 4096), 30)  # a bound
        assert chunk, head
        head += chunk
    assert head.startswith(b"HTTP/1.1 200"), head
    gc.disable()
    try:
        # the console reads no more: events pile up until the server's writes block
        restaurant_id = uuid.UUID(rid)

        async def writes_blocked() -> bool:
            for _ in range(5):
                for _ in range(1000):
                    await live_events.publish(
                        MemoryCache(),
                        LiveEvent(type="table.changed", restaurant_id=restaurant_id, day=None),
                    )
                await asyncio.sleep(0.05)  # the stream takes them into the socket's buffers
            # not merely behind: nothing more is taken while the loop is idle
            await asyncio.sleep(0.3)
            waiting = live_events.in_process_backlog(restaurant_id)
            await asyncio.sleep(0.3)
            return waiting > 0 and live_events.in_process_backlog(restaurant_id) == waiting

        # the kernel's buffers take a few MB first (a bound, not a timing assertion)
        await eventually(
            writes_blocked, "the server blocked writing to a console not reading", seconds=120
        )
        sock.close()  # the tab is closed

        async def freed() -> bool:
            return live_events.in_process_listeners(restaurant_id) == 0 and open_streams() == 0

        # the server drains what it had queued to the gone client first: a bound, not a
        # timing assertion (without the fix this never happens while the collector is off)
        await eventually(
            freed, "the subscription released with the garbage collector off", seconds=60
        )
    finally:
        gc.enable()


async def test_a_stream_asked_while_redis_is_down_gets_503_problem(
    db: Database, dev_server: WorkflowEnvironment, unused_tcp_port: int
) -> None:
    """Subscribing happens before the response starts, so an outage has a status to say."""
    down = RedisCache("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        async with served(db, dev_server, unused_tcp_port, down) as s:
            admin = await s.live.token_for(StaffRole.ADMIN)
            rid = await restaurant(s.live, admin, tables=1)
            listener = Listener(s.base_url, rid, admin)
            listener.start()
            await listener.finished()
            assert listener.status == 503, listener.body
            assert json.loads(listener.body)["status"] == 503
            assert listener.retry_after == "5"
            assert open_streams() == 0
    finally:
        await down.close()
