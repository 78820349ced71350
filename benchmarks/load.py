"""Load test: mixed traffic at a target rate against the real processes, then the invariants.

Starts everything itself on loopback (benchmarks/load_stack.py): a fresh
PostgreSQL database, the Temporal dev server, Redis db 13, `reservations worker`
x --workers and `reservations api` x --apis (requests are spread round-robin, as
a load balancer would).  Seeds --restaurants restaurants through the API (every
third takes a 25 EUR deposit), then for --duration seconds sends a mix at --rate
requests per second: availability reads, bookings, modifications, cancellations
and signed Adyen-style AUTHORISATION webhooks for the deposit bookings (one in
five delivered twice).  Prints throughput, p50/p99 per operation, answers by
status, the 5xx count, CPU seconds and resident memory per process kind; waits
until every workflow is final or waiting, then checks the invariants in SQL
(services/ops/invariants.py) and in Temporal.  Exits 1 on any 5xx, transport
error or broken invariant.

--saturate drops the rate and the mix: --clients tasks book back to back, to
find the bookings per second the stack sustains (the scale-out figure).

Run: python -m benchmarks.load [--rate 20] [--duration 120] [--workers 1] [--apis 1]
         [--restaurants 100] [--saturate --clients 32]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import os
import random
import re
import sys
import time as clock
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

import httpx
import redis.asyncio as aioredis
from temporalio.client import Client, WorkflowExecutionStatus

from benchmarks import percentile
from benchmarks.load_stack import (
    JWT_SECRET,
    REDIS_URL,
    CpuMeter,
    LockSampler,
    Stack,
    rss_mib,
    running_stack,
)
from payments.config import webhook_credentials
from payments.notifications import signed_notification
from reservations.db import create_engine, session_factory
from reservations.settings import Settings
from services.ops.invariants import CheckResult, check_invariants

API = "/api/v1/reservations"
TABLES = 12
DEPOSIT = 2500
DAYS = 28
TIMES = [time(17 + m // 60, m % 60) for m in range(0, 4 * 60 + 31, 15)]  # 17:00-21:30
MIX = {"availability": 45, "book": 30, "modify": 10, "cancel": 8, "webhook": 7}
MAX_IN_FLIGHT = 200
SETTLE_SECONDS = 180.0
# a key's shape: ids and dates replaced, so keys group by kind
SHAPES = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d{2}-\d{2}"
)


@dataclass(frozen=True)
class LoadConfig:
    """One run: the rate (requests/s) or saturation, its length and the stack's shape."""

    rate: float = 20.0
    duration: float = 120.0
    workers: int = 1
    apis: int = 1
    restaurants: int = 100
    saturate: bool = False
    clients: int = 32
    seed: int = 5
    redis_url: str = REDIS_URL
    cover: bool = True  # end with each operation once (outside the timed figures' seconds)


@dataclass(frozen=True)
class Place:
    restaurant_id: str
    deposit: bool


@dataclass
class Booked:
    id: str
    token: str
    reference: str
    place: Place
    party: int


@dataclass
class Recorder:
    """Latencies (ms) and answers by operation."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    transport_errors: Counter[str] = field(default_factory=Counter)
    late_starts: int = 0

    def record(self, op: str, started: float, status: int) -> None:
        self.latencies[op].append((clock.perf_counter() - started) * 1000)
        self.statuses[op][status] += 1

    @property
    def server_errors(self) -> int:
        return sum(n for c in self.statuses.values() for s, n in c.items() if s >= 500)

    def answered(self, op: str, *codes: int) -> int:
        return sum(self.statuses[op][c] for c in codes)


@dataclass
class LoadResult:
    """Everything a run measured, and the invariant checks after it."""

    config: LoadConfig
    seconds: float
    recorder: Recorder
    cpu: dict[str, float]
    rss: dict[str, list[float]]
    invariants: list[CheckResult]
    workflows: dict[str, int]
    workflow_problems: list[str]
    storage: list[str]
    load_average: tuple[float, float] = (0.0, 0.0)  # the machine's, before and after driving
    locks: str = ""

    @property
    def bookings_made(self) -> int:
        return self.recorder.answered("book", 201)

    @property
    def ok(self) -> bool:
        return (
            self.recorder.server_errors == 0
            and not self.recorder.transport_errors
            and all(check.ok for check in self.invariants)
            and not self.workflow_problems
        )


class Workload:
    """The traffic: one method per operation, sharing what earlier answers made possible."""

    def __init__(self, stack: Stack, places: list[Place], recorder: Recorder, seed: int) -> None:
        self.stack = stack
        self.places = places
        self.recorder = recorder
        self.rng = random.Random(seed)
        self.live: list[Booked] = []  # bookings a guest may change or cancel
        self.unpaid: list[Booked] = []  # deposit bookings waiting for their payment
        self.redeliver: list[dict[str, Any]] = []
        self.first_day = datetime.now(UTC).date() + timedelta(days=2)
        settings = cast(Any, Settings)(_env_file=None, jwt_secret=JWT_SECRET)
        self.credentials = webhook_credentials(settings)
        basic = f"{self.credentials.username}:{self.credentials.password}".encode()
        self.webhook_auth = {"Authorization": f"Basic {base64.b64encode(basic).decode()}"}
        self._clients = itertools.cycle(range(len(stack.api_ports)))
        limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=64)
        self.http = [
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{p}", timeout=120, limits=limits)
            for p in stack.api_ports
        ]

    async def aclose(self) -> None:
        for client in self.http:
            await client.aclose()

    def client(self) -> httpx.AsyncClient:
        """The next API process, round-robin."""
        return self.http[next(self._clients)]

    async def call(self, op: str, method: str, url: str, **kwargs: Any) -> httpx.Response | None:
        started = clock.perf_counter()
        try:
            response = await self.client().request(method, url, **kwargs)
        except httpx.TransportError as exc:
            self.recorder.transport_errors[f"{op}: {type(exc).__name__}"] += 1
            return None
        self.recorder.record(op, started, response.status_code)
        return response

    def _slot(self) -> tuple[date, time]:
        return self.first_day + timedelta(days=self.rng.randrange(DAYS)), self.rng.choice(TIMES)

    async def availability(self) -> None:
        place = self.rng.choice(self.places)
        day, at = self._slot()
        params = {"date": day.isoformat(), "party_size": str(self.rng.randint(2, 4))}
        if self.rng.random() < 0.5:
            params["time"] = at.isoformat("minutes")
        await self.call(
            "availability", "GET", f"{API}/restaurants/{place.restaurant_id}/availability",
            params=params,
        )  # fmt: skip

    async def book(self) -> None:
        await self._book_at(self.rng.choice(self.places))

    async def _book_at(self, place: Place) -> None:
        day, at = self._slot()
        party = self.rng.randint(2, 4)
        body = {
            "restaurant_id": place.restaurant_id, "date": day.isoformat(),
            "time": at.isoformat("minutes"), "party_size": party,
            "guest": {"email": f"load-{uuid.uuid4().hex[:10]}@example.com",
                      "first_name": "Load"},
        }  # fmt: skip
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        answer = await self.call("book", "POST", f"{API}/reservations", json=body, headers=headers)
        if answer is None or answer.status_code != 201:
            return
        data = answer.json()
        booked = Booked(data["id"], data["manage_token"], data["reference"], place, party)
        (self.unpaid if place.deposit else self.live).append(booked)

    def _take(self, pool: list[Booked]) -> Booked | None:
        if not pool:
            return None
        return pool.pop(self.rng.randrange(len(pool)))

    async def modify(self) -> None:
        booked = self._take(self.live)
        if booked is None:
            return await self.book()
        if self.rng.random() < 0.5:
            change: dict[str, Any] = {"party_size": 3 if booked.party == 2 else 2}
        else:
            change = {"time": self.rng.choice(TIMES).isoformat("minutes")}
        answer = await self.call(
            "modify", "PATCH", f"{API}/reservations/{booked.id}", json=change,
            params={"token": booked.token},
        )  # fmt: skip
        if answer is not None and answer.status_code == 200:
            booked.party = answer.json()["party_size"]
        self.live.append(booked)

    async def cancel(self) -> None:
        booked = self._take(self.live)
        if booked is None:
            return await self.book()
        answer = await self.call(
            "cancel", "POST", f"{API}/reservations/{booked.id}/cancel",
            params={"token": booked.token},
        )  # fmt: skip
        if answer is None or answer.status_code != 200:
            self.live.append(booked)

    async def webhook(self) -> None:
        if self.redeliver and self.rng.random() < 0.2:
            body = self.redeliver.pop()
            await self.call("webhook (again)", "POST", f"{API}/webhooks/adyen", json=body,
                            headers=self.webhook_auth)  # fmt: skip
            return
        await self._pay()

    async def _pay(self) -> None:
        booked = self._take(self.unpaid)
        if booked is None:
            return await self.book()
        body = signed_notification(
            hmac_key_hex=self.credentials.hmac_key_hex,
            event_code="AUTHORISATION",
            success=True,
            psp_reference=f"LOAD{uuid.uuid4().hex[:12].upper()}",
            merchant_reference=booked.reference,
            merchant_account=self.credentials.merchant_account,
            amount_minor=DEPOSIT,
            currency="EUR",
        )
        answer = await self.call(
            "webhook", "POST", f"{API}/webhooks/adyen", json=body, headers=self.webhook_auth
        )
        if answer is not None and answer.status_code == 200:
            self.live.append(booked)  # paid: the guest may now change or cancel it
            self.redeliver.append(body)

    async def cover(self) -> None:
        """After the timed traffic: each operation once more, in an order that makes each
        possible, so a run on a slow machine still exercises every kind."""
        for deposit in (False, True):
            place = next((p for p in self.places if p.deposit is deposit), None)
            if place is not None:
                await self._book_at(place)
        await self._pay()
        await self.modify()
        await self.availability()
        await self.cancel()

    def pick(self) -> Callable[[], Coroutine[Any, Any, None]]:
        name = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        operation: Callable[[], Coroutine[Any, Any, None]] = getattr(self, name)
        return operation


async def seed_restaurants(stack: Stack, count: int) -> list[Place]:
    """`count` restaurants with TABLES tables each, created through the admin API (spread
    over the API processes); every third takes a deposit."""
    auth = {"Authorization": f"Bearer {stack.admin_token}"}
    clients = [
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60, headers=auth)
        for port in stack.api_ports
    ]

    async def one(i: int) -> Place:
        http = clients[i % len(clients)]
        deposit = i % 3 == 0
        settings: dict[str, Any] = {
            "min_notice_minutes": 0, "advance_booking_days": 365, "default_seating_minutes": 90,
        }  # fmt: skip
        if deposit:
            settings |= {"payment_mode": "deposit", "payment_fixed_minor": DEPOSIT}
        body = {
            "name": f"Load {i:04d}", "timezone": "Europe/Amsterdam", "currency": "EUR",
            "settings": settings,
            "services": [{"weekday": d, "opens_at": "17:00", "closes_at": "23:00",
                          "last_seating_at": "21:30"} for d in range(7)],
        }  # fmt: skip
        answer = await http.post(f"{API}/restaurants", json=body)
        answer.raise_for_status()
        rid = answer.json()["id"]
        for t in range(TABLES):
            table = {"number": str(t + 1), "min_capacity": 1, "max_capacity": 2 + 2 * (t % 2)}
            (await http.post(f"{API}/restaurants/{rid}/tables", json=table)).raise_for_status()
        return Place(rid, deposit)

    places: list[Place] = []
    try:
        for start in range(0, count, 16):
            places += await asyncio.gather(*(one(i) for i in range(start, min(count, start + 16))))
    finally:
        for client in clients:
            await client.aclose()
    return places


async def open_loop(work: Workload, rate: float, duration: float) -> None:
    """Start one operation every 1/rate s for `duration` s, however slow the answers."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    room = asyncio.Semaphore(MAX_IN_FLIGHT)
    running: set[asyncio.Task[None]] = set()
    for n in itertools.count():
        due = began + n / rate
        if due >= began + duration:
            break
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        await room.acquire()
        if loop.time() - due > 1.0:
            work.recorder.late_starts += 1
        task = asyncio.create_task(work.pick()())
        running.add(task)
        task.add_done_callback(running.discard)
        task.add_done_callback(lambda _: room.release())
        if n % 100 == 0:
            work.stack.check_alive()
    await asyncio.gather(*running)


async def closed_loop(work: Workload, clients: int, duration: float) -> None:
    """`clients` tasks each booking back to back for `duration` s (saturation)."""
    loop = asyncio.get_running_loop()
    ends = loop.time() + duration

    async def client() -> None:
        while loop.time() < ends:
            await work.book()

    await asyncio.gather(*(client() for _ in range(clients)))
    work.stack.check_alive()


async def workflow_states(client: Client, queue: str) -> tuple[dict[str, int], list[str]]:
    """Workflows by status, and those neither final nor waiting (failed, or with work
    pending: an activity retrying, a workflow task not done)."""
    counts: Counter[str] = Counter()
    running: list[str] = []
    problems: list[str] = []
    async for wf in client.list_workflows(f'TaskQueue="{queue}"'):
        status = wf.status.name if wf.status else "UNKNOWN"
        counts[status] += 1
        if wf.status is WorkflowExecutionStatus.RUNNING:
            running.append(wf.id)
        elif wf.status is not WorkflowExecutionStatus.COMPLETED:
            problems.append(f"{wf.id}: {status}")

    async def busy(workflow_id: str) -> str | None:
        raw = (await client.get_workflow_handle(workflow_id).describe()).raw_description
        if raw.pending_activities:
            first = raw.pending_activities[0]
            return (f"{workflow_id}: activity {first.activity_type.name} pending, "
                    f"attempt {first.attempt}")  # fmt: skip
        if raw.HasField("pending_workflow_task"):
            return f"{workflow_id}: workflow task pending"
        return None

    for start in range(0, len(running), 50):
        found = await asyncio.gather(*(busy(w) for w in running[start : start + 50]))
        problems += [p for p in found if p]
    return dict(counts), problems


async def settle(stack: Stack) -> tuple[dict[str, int], list[str]]:
    """Wait until every workflow is final or waiting (or SETTLE_SECONDS pass)."""
    deadline = asyncio.get_running_loop().time() + SETTLE_SECONDS
    while True:
        counts, problems = await workflow_states(stack.temporal, stack.task_queue)
        if not problems or asyncio.get_running_loop().time() > deadline:
            return counts, problems
        await asyncio.sleep(1.0)


async def sql_invariants(stack: Stack) -> list[CheckResult]:
    engine = create_engine(stack.database_url)
    try:
        async with session_factory(engine)() as session:
            return await check_invariants(session)
    finally:
        await engine.dispose()


async def storage_figures(stack: Stack, bookings: int) -> list[str]:
    """Bytes per booking in PostgreSQL (by table) and Redis (by key kind), for sizing."""
    lines = []
    engine = create_engine(stack.database_url)
    try:
        async with engine.connect() as conn:
            rows: list[Any] = list(
                await conn.exec_driver_sql(
                    "SELECT relname, n_live_tup, pg_total_relation_size(relid) "
                    "FROM pg_stat_user_tables ORDER BY 3 DESC LIMIT 8"
                )
            )
            total = (
                await conn.exec_driver_sql("SELECT pg_database_size(current_database())")
            ).scalar_one()
    finally:
        await engine.dispose()
    per = max(bookings, 1)
    lines.append(f"  PostgreSQL database {total / 2**20:.1f} MiB after {bookings} bookings "
                 "(includes the empty schema)")  # fmt: skip
    for row in rows:
        name, live, size = str(row[0]), int(row[1]), int(row[2])
        lines.append(f"    {name:28s} {live:7d} rows  {size / per:8.0f} bytes per booking")
    redis = aioredis.from_url(stack.redis_url)
    try:
        kinds: dict[str, list[int]] = defaultdict(list)
        async for key in redis.scan_iter(count=500):
            kind = SHAPES.sub(lambda m: "{id}" if len(m[0]) == 36 else "{date}", key.decode())
            kind = re.sub(r"[0-9a-f]{16,}|\d+", "{n}", kind)
            if len(kinds[kind]) < 200:
                kinds[kind].append(int(await redis.memory_usage(key) or 0))
            else:
                kinds[kind].append(-1)  # counted, not sized
        for kind, sizes in sorted(kinds.items()):
            sized = [s for s in sizes if s >= 0]
            each = sum(sized) / max(len(sized), 1)
            lines.append(f"  Redis {kind[:60]:60s} {len(sizes):6d} keys, {each:6.0f} bytes each")
    finally:
        await redis.aclose()
    return lines


async def run_load(config: LoadConfig, *, log: Callable[[str], None] = print) -> LoadResult:
    """Start the stack, seed it, drive it, settle it and check it: the whole run."""
    async with running_stack(
        workers=config.workers, apis=config.apis, redis_url=config.redis_url
    ) as stack:
        log(f"stack up: {config.workers} worker(s), {config.apis} API(s); seeding...")
        places = await seed_restaurants(stack, config.restaurants)
        recorder = Recorder()
        work = Workload(stack, places, recorder, config.seed)
        meter = CpuMeter(stack)
        try:
            log(f"{len(places)} restaurants; driving for {config.duration:.0f} s")
            await meter.start()
            sampler = LockSampler(stack)
            sampling = asyncio.create_task(sampler.run())
            before = os.getloadavg()[0]
            started = clock.perf_counter()
            if config.saturate:
                await closed_loop(work, config.clients, config.duration)
            else:
                await open_loop(work, config.rate, config.duration)
            seconds = clock.perf_counter() - started
            if config.cover and not config.saturate:
                await work.cover()
            cpu = await meter.read()
            sampling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampling
            load_average = (before, os.getloadavg()[0])
        finally:
            await work.aclose()
        rss = {kind: [rss_mib(pid) for pid in pids] for kind, pids in stack.pids().items()
               if kind in ("api", "worker", "temporal")}  # fmt: skip
        log("settling: waiting for every workflow to be final or waiting...")
        counts, problems = await settle(stack)
        invariants = await sql_invariants(stack)
        storage = await storage_figures(stack, recorder.answered("book", 201))
        stack.check_alive()
    return LoadResult(
        config,
        seconds,
        recorder,
        cpu,
        rss,
        invariants,
        counts,
        problems,
        storage,
        load_average,
        sampler.line(),
    )


def report(result: LoadResult) -> list[str]:
    """The printed figures of one run."""
    c, rec = result.config, result.recorder
    mode = f"saturation, {c.clients} clients booking" if c.saturate else f"{c.rate:g} req/s mixed"
    total = sum(len(v) for v in rec.latencies.values())
    lines = [
        f"load: {mode}, {result.seconds:.0f} s, {c.workers} worker process(es), {c.apis} API "
        f"process(es), {c.restaurants} restaurants x {TABLES} tables; PostgreSQL, Redis, "
        f"Temporal dev server; {os.cpu_count()} CPUs, load average {result.load_average[0]:.1f} "
        f"before, {result.load_average[1]:.1f} after (others' work included)",
        f"  throughput {total / result.seconds:.1f} req/s answered; bookings made "
        f"{result.bookings_made / result.seconds:.1f}/s ({result.bookings_made}); "
        f"late starts (> 1 s behind schedule) {rec.late_starts}",
    ]
    for op, values in sorted(rec.latencies.items()):
        codes = ", ".join(f"{s}: {n}" for s, n in sorted(rec.statuses[op].items()))
        lines.append(
            f"  {op:16s} {len(values):6d}  p50 {percentile(values, 50):8.1f}  "
            f"p99 {percentile(values, 99):8.1f} ms   [{codes}]"
        )
    lines.append(f"  5xx answers: {rec.server_errors}   transport errors: "
                 f"{dict(rec.transport_errors) or 0}")  # fmt: skip
    per = max(result.bookings_made, 1)
    cpu = ", ".join(f"{k} {v:.1f} s ({100 * v / result.seconds:.0f}% of a core, "
                    f"{1000 * v / per:.0f} ms/booking)" for k, v in result.cpu.items())  # fmt: skip
    lines.append(f"  CPU: {cpu}")
    # a single-threaded process tops out at one core: its ceiling in bookings/s
    ceilings = ", ".join(
        f"{k} {per / result.cpu[k]:.1f} bookings/s per process"
        for k in ("worker", "api")
        if result.cpu.get(k)
    )
    lines.append(f"  one core each: {ceilings}")
    lines.append(result.locks)
    rss = ", ".join(f"{k} " + "/".join(f"{v:.0f}" for v in vals) for k, vals in result.rss.items())
    lines.append(f"  RSS MiB: {rss}")
    lines.append(f"  workflows: {result.workflows}")
    lines.append("  invariants after the run:")
    lines += [check.line() for check in result.invariants]
    if result.workflow_problems:
        lines.append(f"  FAIL  workflows neither final nor waiting: {len(result.workflow_problems)}"
                     f", e.g. {result.workflow_problems[:3]}")  # fmt: skip
    else:
        lines.append("  ok    every workflow is final or waiting (no failed run, no pending work)")
    lines += result.storage
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second (mixed)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of traffic")
    parser.add_argument("--workers", type=int, default=1, help="reservations worker processes")
    parser.add_argument("--apis", type=int, default=1, help="reservations api processes")
    parser.add_argument("--restaurants", type=int, default=100)
    parser.add_argument("--saturate", action="store_true", help="book back to back instead")
    parser.add_argument("--clients", type=int, default=32, help="booking tasks with --saturate")
    args = parser.parse_args()
    config = LoadConfig(
        rate=args.rate, duration=args.duration, workers=args.workers, apis=args.apis,
        restaurants=args.restaurants, saturate=args.saturate, clients=args.clients,
    )  # fmt: skip
    result = asyncio.run(run_load(config, log=lambda line: print(line, file=sys.stderr)))
    print("\n".join(report(result)))
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
