"""The whole system as separate processes on private servers, for fault tests.

`running_stack` starts a fresh database on the private PostgreSQL cluster, a private
Redis (when asked), a private Temporal dev server, then `reservations api` and
`reservations worker` pointed at them. A test kills and restarts any of these.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from models.enums import StaffRole
from reservations.db import create_engine, session_factory
from services.staff import create_staff
from tests.conftest import JWT_SECRET, RATE_LIMITS, UNLIMITED, Database, migrate
from tests.faults.processes import (
    PrivatePostgres,
    PrivateRedis,
    PrivateTemporal,
    Service,
    free_port,
    service_env,
    wait_for,
)

BASE = "/api/v1/reservations"
TEMPLATE = "faults_template"
PASSWORD = "correct horse battery"
# how long to wait for a step that takes a second on an idle machine: CI shares 2 cores
PATIENCE = 60.0


class Cluster:
    """The private PostgreSQL cluster of the fault tests, with a migrated template."""

    def __init__(self) -> None:
        self.pg = PrivatePostgres()
        self.pg.start()
        asyncio.run(self._admin(f'CREATE DATABASE "{TEMPLATE}"'))
        migrate(self.pg.url(TEMPLATE))

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(
            host="127.0.0.1", port=self.pg.port, user="postgres", database="postgres"
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def new_database(self) -> str:
        """A fresh migrated database (a copy of the template); its URL."""
        name = f"faults_{uuid.uuid4().hex[:10]}"
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
        return self.pg.url(name)

    def close(self) -> None:
        self.pg.close()


@dataclass
class Stack:
    """API and worker processes on private servers, and an HTTP client to the API."""

    cluster: Cluster
    temporal: PrivateTemporal
    redis: PrivateRedis | None
    api: Service
    worker: Service
    db: Database
    client: httpx.AsyncClient
    task_queue: str
    _temporal_client: Client | None = field(default=None)

    @property
    def pg(self) -> PrivatePostgres:
        return self.cluster.pg

    async def admin(self) -> dict[str, str]:
        """Auth headers of a new admin, signed in over HTTP."""
        email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
        async with self.db.sessions() as session:
            await create_staff(
                session,
                email=email,
                full_name="Fault Admin",
                password=PASSWORD,
                role=StaffRole.ADMIN,
                restaurant_ids=[],
            )
            await session.commit()
        answer = await self.client.post(
            f"{BASE}/auth/token", json={"email": email, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    async def temporal_client(self) -> Client:
        """A client of the private Temporal server (reconnected after a restart)."""
        if self._temporal_client is None:
            self._temporal_client = await Client.connect(
                self.temporal.address, data_converter=pydantic_data_converter
            )
        return self._temporal_client

    async def start_worker(self) -> None:
        """Start a worker process and wait until it polls the task queue."""
        before = self.worker.output.count("worker.started")
        self.worker.start()
        await asyncio.to_thread(
            wait_for,
            "the worker polling",
            lambda: self.worker.output.count("worker.started") > before,
        )

    def kill_worker(self) -> None:
        """kill -9 the worker process."""
        self.worker.kill()


async def _api_up(client: httpx.AsyncClient) -> bool:
    try:
        return (await client.get("/healthz")).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.asynccontextmanager
async def running_stack(
    cluster: Cluster,
    directory: Path,
    *,
    with_redis: bool = False,
    settings: Mapping[str, object] | None = None,
) -> AsyncIterator[Stack]:
    """Temporal, (Redis,) API and worker processes on a fresh database, with `settings`."""
    url = await cluster.new_database()
    engine = create_engine(url)
    db = Database(kind="postgres", url=url, engine=engine, sessions=session_factory(engine))
    temporal = PrivateTemporal(directory)
    redis = PrivateRedis() if with_redis else None
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    port = free_port()
    values: dict[str, object] = {
        "database_url": url,
        "redis_url": redis.url if redis else None,
        "temporal_address": temporal.address,
        "temporal_task_queue": queue,
        "jwt_secret": JWT_SECRET,
        "public_base_url": f"http://127.0.0.1:{port}",
        "log_level": "INFO",
        **{name: UNLIMITED for name in RATE_LIMITS},
        **(settings or {}),
    }
    env = service_env(**values)
    api = Service("api", ["api", "--host", "127.0.0.1", "--port", str(port)], env, directory)
    worker = Service("worker", ["worker"], env, directory)
    client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120)
    stack = Stack(cluster, temporal, redis, api, worker, db, client, queue)
    try:
        await asyncio.to_thread(temporal.start)
        if redis is not None:
            await asyncio.to_thread(redis.start)
        api.start()
        await stack.start_worker()
        deadline = asyncio.get_running_loop().time() + 60
        while not await _api_up(client):
            assert api.alive(), f"the API exited:\n{api.output[-3000:]}"
            assert asyncio.get_running_loop().time() < deadline, api.output[-3000:]
            await asyncio.sleep(0.2)
        yield stack
    finally:
        # shown by pytest only when the test failed
        for service in (api, worker):
            print(f"--- last lines of {service.name}.log ---\n{service.output[-4000:]}")
        await client.aclose()
        api.kill()
        worker.kill()
        temporal.kill()
        if redis is not None:
            redis.kill()
        await engine.dispose()


async def restaurant(stack: Stack, admin: dict[str, str], **settings: Any) -> str:
    """A restaurant open every evening with two tables for 1 to 4; its id."""
    body = {
        "name": f"Bistro {uuid.uuid4().hex[:6]}",
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
        "settings": {"min_notice_minutes": 0, "default_seating_minutes": 90, **settings},
        "services": [
            {
                "weekday": d,
                "name": "dinner",
                "opens_at": "17:00",
                "closes_at": "23:00",
                "last_seating_at": "21:30",
            }
            for d in range(7)
        ],
    }
    made = await stack.client.post(f"{BASE}/restaurants", json=body, headers=admin)
    assert made.status_code == 201, made.text
    rid = str(made.json()["id"])
    for n in (1, 2):
        table = await stack.client.post(
            f"{BASE}/restaurants/{rid}/tables",
            json={"number": str(n), "min_capacity": 1, "max_capacity": 4},
            headers=admin,
        )
        assert table.status_code == 201, table.text
    return rid
