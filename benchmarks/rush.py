"""The release rush: a crowd books one restaurant-day at the same moment.

Target: 1,000 simultaneous requests for a day with 20 free tables: exactly 20 win,
all answered, p99 < 3 s; a refusal is never wrong and costs little.

One restaurant, one day, one time (19:00, party of 2), every request a new guest
with its own Idempotency-Key, all sent at once over loopback, each on a connection
of its own (aiohttp: httpx's pool spends more CPU on a thousand connections than
the API does answering them), to the API (uvicorn subprocess, PostgreSQL, Redis db
14) with the worker in this process ("client+worker" in the CPU lines) and the
Temporal dev server. Each row runs on a fresh restaurant; the "without pre-check"
row starts the API with BOOKING_PRECHECK=false (every request starts a workflow,
as before the pre-check). After each rush it reads back the winners' tables (no
table held twice), counts the workflows Temporal started, checks that no refusal
came before the day was full, and then sends more requests to the full day to
measure what one refusal costs in CPU, per process. With --apis N, N API processes
share the requests round-robin (as operators run several behind a balancer).

Run: python -m benchmarks.rush [--requests 1000] [--tables 20] [--before-requests 200]
     [--apis 1]  (--before-requests 0 skips the slow rows at 200 requests)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time as clock
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, cast

import aiohttp
import httpx
from sqlalchemy import func, select
from temporalio.testing import WorkflowEnvironment

from benchmarks import ROOT, ZONE, fresh_database, median, percentile
from benchmarks.booking_latency import (
    JWT_SECRET,
    REDIS_URL,
    CpuMeter,
    _child,
    free_port,
    start_dev_server,
)
from benchmarks.in_process_workers import InProcessWorkers
from models.enums import AllocationStatus
from models.orm import TableAllocation
from models.schemas.floor import TableCreate
from models.schemas.restaurant import BookingSettings, RestaurantCreate, ServiceHours
from reservations.cache import MemoryCache, create_cache
from reservations.db import create_engine, session_factory
from reservations.settings import Settings
from services.floor import create_table
from services.restaurants import create_restaurant
from worker.deps import WorkerDeps

DAY = (datetime.now(UTC) + timedelta(days=30)).date()  # the clock is real over HTTP
AT = time(19)
REFUSAL_PROBE = 200  # refusals sent after each rush to measure their CPU


def start_api(
    url: str, queue: str, env: WorkflowEnvironment, *, redis_url: str | None, precheck: bool = True
) -> tuple[subprocess.Popen[bytes], int]:
    """`reservations api` (as operators run it, logging at WARNING) on a free port."""
    port = free_port()
    api_env = dict(
        os.environ, DATABASE_URL=url, JWT_SECRET=JWT_SECRET, TEMPORAL_TASK_QUEUE=queue,
        TEMPORAL_ADDRESS=env.client.service_client.config.target_host, LOG_LEVEL="WARNING",
        BOOKING_PRECHECK="true" if precheck else "false", REDIS_URL=redis_url or "",
    )  # fmt: skip
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "reservations"), "api",
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=api_env,
    )  # fmt: skip
    return server, port


async def wait_healthy(client: httpx.AsyncClient, server: subprocess.Popen[bytes]) -> None:
    """Until /healthz answers; start-up takes 20 s and more on a busy two-core box."""
    deadline = clock.monotonic() + 180
    while clock.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the API exited with {server.returncode}")
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("the API did not become healthy")


async def seed(url: str, tables: int) -> uuid.UUID:
    """A restaurant with `tables` tables for two, dinner every day, no notice."""
    engine = create_engine(url)
    async with session_factory(engine)() as session, session.begin():
        restaurant = await create_restaurant(
            session,
            data=RestaurantCreate(
                name=f"Rush {uuid.uuid4().hex[:6]}",
                timezone=ZONE,
                currency="EUR",
                settings=BookingSettings(min_notice_minutes=0, advance_booking_days=365),
                services=[
                    ServiceHours(weekday=d, opens_at=time(17), closes_at=time(23)) for d in range(7)
                ],
            ),
        )
        for i in range(tables):
            await create_table(
                session,
                restaurant_id=restaurant.id,
                data=TableCreate(number=str(i + 1), min_capacity=1, max_capacity=2),
            )
    await engine.dispose()
    return restaurant.id


async def _post(http: aiohttp.ClientSession, rid: uuid.UUID, tag: str) -> tuple[float, float, int]:
    """(latency ms, answered at (wall clock, seconds), status)."""
    body = {
        "restaurant_id": str(rid),
        "date": DAY.isoformat(),
        "time": AT.isoformat("minutes"),
        "party_size": 2,
        "guest": {"email": f"{tag}@example.com", "first_name": "Rush"},
    }
    started = clock.perf_counter()
    async with http.post(
        "/api/v1/reservations/reservations", json=body, headers={"Idempotency-Key": tag}
    ) as response:
        answer = await response.read()
    elapsed = (clock.perf_counter() - started) * 1000
    if response.status == 409:
        refusal = json.loads(answer)
        assert refusal["reason"] in ("no_table_fits", "pacing_limit_reached"), answer
        assert refusal["alternatives"], answer
    return elapsed, clock.time(), response.status


async def _winners_valid(url: str, rid: uuid.UUID) -> tuple[int, int, datetime | None]:
    """(live allocations, distinct tables among them, when the last one was written)."""
    engine = create_engine(url)
    a = TableAllocation
    async with session_factory(engine)() as session:
        rows = (
            await session.execute(
                select(
                    func.count(), func.count(a.table_id.distinct()), func.max(a.created_at)
                ).where(a.restaurant_id == rid, a.status != AllocationStatus.RELEASED)
            )
        ).one()
    await engine.dispose()
    return int(rows[0]), int(rows[1]), rows[2]


async def rush(
    env: WorkflowEnvironment,
    url: str,
    *,
    requests: int,
    tables: int,
    precheck: bool,
    apis: int = 1,
) -> list[str]:
    rid = await seed(url, tables)
    queue = f"rush-{uuid.uuid4().hex[:8]}"
    redis_url = REDIS_URL or None
    settings = cast(Any, Settings)(
        _env_file=None, database_url=url, redis_url=redis_url, jwt_secret=JWT_SECRET,
        temporal_task_queue=queue, log_level="WARNING",
    )  # fmt: skip
    worker_engine = create_engine(url)
    deps = WorkerDeps(
        settings=settings, engine=worker_engine, sessions=session_factory(worker_engine),
        cache=create_cache(redis_url) if redis_url else MemoryCache(),
    )  # fmt: skip
    worker = InProcessWorkers(env.client, settings, deps)
    running = asyncio.create_task(worker.run())
    servers = [
        start_api(url, queue, env, redis_url=redis_url, precheck=precheck) for _ in range(apis)
    ]
    pids = {"client+worker": os.getpid()} | {
        f"API{n + 1 if apis > 1 else ''}": server.pid for n, (server, _) in enumerate(servers)
    }
    temporal = _child("temporal")
    if temporal is not None:
        pids["Temporal"] = temporal
    meter = CpuMeter(pids)
    label = "with pre-check" if precheck else "without pre-check (every request a workflow)"
    lines = [
        f"rush {label}: {requests} simultaneous requests, {tables} free tables, {apis} API"
        f" process{'es' if apis > 1 else ''}"
    ]
    clients: list[aiohttp.ClientSession] = []
    try:
        clients = [
            aiohttp.ClientSession(
                f"http://127.0.0.1:{port}",
                connector=aiohttp.TCPConnector(limit=requests),
                timeout=aiohttp.ClientTimeout(total=300),
            )
            for _, port in servers
        ]
        for server, port in servers:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as probe_client:
                await wait_healthy(probe_client, server)
        print(f"  ({label}: API ready, sending)", flush=True)
        tag = uuid.uuid4().hex[:6]
        meter.start()
        started = clock.perf_counter()
        answers = await asyncio.gather(
            *(_post(clients[i % apis], rid, f"{tag}-{i}") for i in range(requests)),
            return_exceptions=True,
        )
        wall = clock.perf_counter() - started
        cpu = meter.line(requests).replace("per booking", "per request")
        ok = [a for a in answers if not isinstance(a, BaseException)]
        failed = [a for a in answers if isinstance(a, BaseException)]
        won = [a for a in ok if a[2] == 201]
        refused = [a for a in ok if a[2] == 409]
        other = [a for a in ok if a[2] not in (201, 409)]
        latencies = [a[0] for a in ok]
        count, distinct, last_held = await _winners_valid(url, rid)
        started_workflows = (await env.client.count_workflows(f'TaskQueue="{queue}"')).count
        # a refusal answered before the last table was held was wrong
        full_at = last_held.timestamp() if last_held is not None else 0.0
        early = sum(1 for a in refused if a[1] < full_at)
        lines.append(
            f"  answered {len(ok)}/{requests} in {wall:.1f} s: {len(won)} won, "
            f"{len(refused)} refused (409 with alternatives), {len(other)} other "
            f"{sorted({a[2] for a in other})}, {len(failed)} failed "
            f"{sorted({type(a).__name__ for a in failed})}"
        )
        lines.append(
            f"  latency p50 {median(latencies):7.0f} ms  p90 {percentile(latencies, 90):7.0f}"
            f"  p99 {percentile(latencies, 99):7.0f}  max {max(latencies):7.0f} ms"
            f"  (won p50 {median([a[0] for a in won]) if won else 0:.0f} ms,"
            f" refused p50 {median([a[0] for a in refused]) if refused else 0:.0f} ms)"
        )
        lines.append(
            f"  tables held {count}, distinct {distinct} (no table twice: "
            f"{'yes' if count == distinct else 'NO'}); workflows started "
            f"{started_workflows}; refusals answered before the last table was held {early}"
        )
        lines.append(cpu)
        # what one refusal of a full day costs now: more requests, 50 at a time
        meter.start()
        probe = asyncio.Semaphore(10)  # the database is shared: few connections

        async def refuse(i: int) -> int:
            async with probe:
                try:
                    return (await _post(clients[i % apis], rid, f"{tag}-late-{i}"))[2]
                except aiohttp.ClientConnectionError:
                    # a pooled connection the API closed while idle (its keep-alive is
                    # 5 s, and the checks above can take longer): send again, with the
                    # same Idempotency-Key, as a real client would
                    return (await _post(clients[i % apis], rid, f"{tag}-late-{i}"))[2]

        codes = await asyncio.gather(*(refuse(i) for i in range(REFUSAL_PROBE)))
        assert set(codes) == {409}, codes
        lines.append(meter.line(REFUSAL_PROBE).replace("per booking", "per refusal (day full)"))
    finally:
        for http in clients:
            await http.close()
        for server, _ in servers:
            server.terminate()
        for server, _ in servers:
            server.wait(timeout=10)
        await worker.shutdown()
        await running
        await deps.aclose()
    return lines


async def main(
    requests: int, tables: int, before_requests: int, before_tables: int, apis: int
) -> None:
    async with fresh_database("rush") as url:
        env = await start_dev_server()
        try:
            if before_requests:
                for line in await rush(
                    env, url, requests=before_requests, tables=before_tables, precheck=False
                ):
                    print(line, flush=True)
                for line in await rush(
                    env, url, requests=before_requests, tables=before_tables, precheck=True
                ):
                    print(line, flush=True)
            for line in await rush(
                env, url, requests=requests, tables=tables, precheck=True, apis=apis
            ):
                print(line, flush=True)
        finally:
            await env.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--tables", type=int, default=20)
    parser.add_argument("--before-requests", type=int, default=200)
    parser.add_argument("--before-tables", type=int, default=5)
    parser.add_argument("--apis", type=int, default=1, help="reservations api processes")
    args = parser.parse_args()
    asyncio.run(
        main(args.requests, args.tables, args.before_requests, args.before_tables, args.apis)
    )
