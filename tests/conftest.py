"""Shared fixtures: real PostgreSQL and SQLite databases per test, Redis, and the HTTP API.

Each test gets its own database: on PostgreSQL a copy of a migrated template
database (CREATE DATABASE ... TEMPLATE), on SQLite a copy of a migrated file.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import asyncpg
import httpx
import pytest
import redis
import structlog
from alembic import command
from alembic.config import Config
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.app import create_app
from models.enums import StaffRole
from reservations.cache import MemoryCache
from reservations.db import create_engine, session_factory
from reservations.settings import Settings
from services import staff as staff_service
from services.staff import create_staff

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("TEST_PG_USER", "postgres")
PG_ADMIN_DB = os.environ.get("TEST_PG_DATABASE", "test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RUN_ID = uuid.uuid4().hex[:8]
JWT_SECRET = "test-secret-" + "x" * 40


def pg_url(database: str) -> str:
    return f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def _ensure_services() -> None:
    """Start PostgreSQL and Redis when they are down; fail loudly if they stay down."""
    probe = ["pg_isready", "-h", PG_HOST, "-p", str(PG_PORT)]
    if subprocess.run(probe, capture_output=True).returncode != 0:
        versions = os.listdir("/etc/postgresql")
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main", "start"],
            check=True,
        )
        for _ in range(50):
            if subprocess.run(probe, capture_output=True).returncode == 0:
                break
            subprocess.run(["sleep", "0.2"])
        else:
            raise RuntimeError("PostgreSQL did not start")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
            ],
            check=True,
        )
        for _ in range(50):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                subprocess.run(["sleep", "0.1"])
        else:
            raise RuntimeError("Redis did not start")


def migrate(url: str, revision: str = "head") -> None:
    """Run Alembic migrations against `url`."""
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["url"] = url
    command.upgrade(config, revision)


def downgrade(url: str, revision: str = "base") -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["url"] = url
    command.downgrade(config, revision)


async def _pg_exec(sql: str) -> None:
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database=PG_ADMIN_DB)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pytest_sessionstart(session: pytest.Session) -> None:
    _ensure_services()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "long_running: takes tens of seconds; collected first (see below)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long tests first, the rest in their usual order.

    pytest-xdist hands out work in collection order (multi-test xdist groups before
    single tests), so a long test collected late could start when the other worker is
    almost done and leave it idle; started early, the short tests fill in around it.
    """
    items.sort(key=lambda item: item.get_closest_marker("long_running") is None)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """argon2id at its lowest cost: hashes stay real argon2id, but cost ~1 ms, not ~0.15 s.

    Nearly every API test signs a staff member in (one hash and one verify each);
    at the production cost that was a large share of the suite's time on 2 cores.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        yield


@pytest.fixture(autouse=True)
def structlog_left_as_found(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts from the structlog configuration the one before it found.

    Tests that run the CLI in-process (CliRunner) let it configure logging with
    cache_logger_on_first_use: a module's logger used afterwards keeps that
    configuration for the rest of the worker's run, and a later test that captures
    log lines (test_request_logs, test_no_personal_data_leaks) saw nothing; whether
    it failed depended on which tests a worker ran first. Caching only saves time, so
    it is turned off here, and the configuration is put back after the test.
    """
    configure = structlog.configure

    def without_caching(**settings: Any) -> None:
        configure(**{**settings, "cache_logger_on_first_use": False})

    before = structlog.get_config()
    monkeypatch.setattr(structlog, "configure", without_caching)
    try:
        yield
    finally:
        configure(**before)


@dataclass
class Templates:
    pg_template: str
    sqlite_template: Path
    tmp: Path


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    tmp = tmp_path_factory.mktemp("db")
    sqlite_template = tmp / "template.db"
    migrate(f"sqlite+aiosqlite:///{sqlite_template}")
    pg_template = f"rt_tmpl_{RUN_ID}"
    asyncio.run(_pg_exec(f'CREATE DATABASE "{pg_template}"'))
    migrate(pg_url(pg_template))
    yield Templates(pg_template=pg_template, sqlite_template=sqlite_template, tmp=tmp)
    asyncio.run(_pg_exec(f'DROP DATABASE IF EXISTS "{pg_template}" WITH (FORCE)'))


@dataclass
class Database:
    kind: str
    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


async def _make_database(kind: str, templates: Templates) -> tuple[str, str]:
    name = f"rt_{RUN_ID}_{uuid.uuid4().hex[:10]}"
    if kind == "postgres":
        await _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{templates.pg_template}"')
        return name, pg_url(name)
    path = templates.tmp / f"{name}.db"
    shutil.copyfile(templates.sqlite_template, path)
    return name, f"sqlite+aiosqlite:///{path}"


class SpareDatabases:
    """Each test's PostgreSQL database, copied one test ahead and dropped behind it.

    CREATE DATABASE ... TEMPLATE and DROP DATABASE each take most of a second on a
    busy 2-core machine, nearly all of it spent waiting on the server. So the copy the
    next test will get is made while this test runs, and a finished test's database is
    dropped while the next one runs (tasks on the session's event loop). Every test
    still gets a fresh copy of the migrated template that no other test touches.
    """

    def __init__(self, template: str) -> None:
        self._template = template
        self._next: asyncio.Task[str] | None = None
        self._drops: set[asyncio.Task[None]] = set()
        self._failures: list[BaseException] = []

    async def _create(self) -> str:
        name = f"rt_{RUN_ID}_{uuid.uuid4().hex[:10]}"
        await _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        return name

    async def take(self) -> str:
        """A fresh copy of the template for one test (its name); starts the next one."""
        made = self._next or asyncio.ensure_future(self._create())
        self._next = None
        name = await made
        self._next = asyncio.ensure_future(self._create())
        return name

    def drop_later(self, name: str) -> None:
        """Drop a test's database in the background (its engine is already disposed)."""
        task = asyncio.ensure_future(_pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._drops.add(task)
        task.add_done_callback(self._dropped)

    def _dropped(self, task: asyncio.Task[None]) -> None:
        self._drops.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._failures.append(cast(BaseException, task.exception()))

    async def close(self) -> None:
        """Drop the unused spare and wait for every drop; a failed drop fails here."""
        if self._next is not None:
            self.drop_later(await self._next)
            self._next = None
        await asyncio.gather(*self._drops, return_exceptions=True)
        if self._failures:
            raise RuntimeError(f"test databases not dropped: {self._failures!r}")


@pytest.fixture(scope="session")
async def spare_databases(templates: Templates) -> AsyncIterator[SpareDatabases]:
    spares = SpareDatabases(templates.pg_template)
    try:
        yield spares
    finally:
        await spares.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def db(
    request: pytest.FixtureRequest, templates: Templates, spare_databases: SpareDatabases
) -> AsyncIterator[Database]:
    """A fresh, migrated database of each kind for one test."""
    kind = str(request.param)
    if kind == "postgres":
        name = await spare_databases.take()
        url = pg_url(name)
    else:
        name, url = await _make_database(kind, templates)
    engine = create_engine(url)
    try:
        yield Database(kind=kind, url=url, engine=engine, sessions=session_factory(engine))
    finally:
        await engine.dispose()
        if kind == "postgres":
            spare_databases.drop_later(name)


@pytest.fixture
async def pg_db(spare_databases: SpareDatabases) -> AsyncIterator[Database]:
    """A fresh, migrated PostgreSQL database (for PostgreSQL-only behaviour)."""
    name = await spare_databases.take()
    url = pg_url(name)
    engine = create_engine(url, pool_size=20, max_overflow=30)
    try:
        yield Database(kind="postgres", url=url, engine=engine, sessions=session_factory(engine))
    finally:
        await engine.dispose()
        spare_databases.drop_later(name)


RATE_LIMITS = [name for name in Settings.model_fields if name.startswith("rate_limit_")]
RATE_LIMITS.remove("rate_limit_window_seconds")
RATE_LIMITS.remove("rate_limit_exempt")
UNLIMITED = 1_000_000


def test_settings(url: str, **overrides: object) -> Settings:
    """Settings for a test app (no .env file is read)."""
    values: dict[str, object] = {"database_url": url, "jwt_secret": JWT_SECRET}
    # tests book many times from one address; tests/api/test_hardening.py keeps the defaults
    values.update({name: UNLIMITED for name in RATE_LIMITS})
    values.update(overrides)
    return cast(Any, Settings)(_env_file=None, **values)  # type: ignore[no-any-return]


@dataclass
class Api:
    client: httpx.AsyncClient
    db: Database

    async def token_for(
        self, role: StaffRole, restaurant_ids: list[uuid.UUID] | list[str] | None = None
    ) -> dict[str, str]:
        """Create a staff account with `role` and sign in over HTTP; returns auth headers."""
        email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.com"
        async with self.db.sessions() as session:
            await create_staff(
                session,
                email=email,
                full_name=f"Test {role.value}",
                password="correct horse battery",
                role=role,
                restaurant_ids=[uuid.UUID(str(r)) for r in restaurant_ids or []],
            )
            await session.commit()
        response = await self.client.post(
            "/api/v1/reservations/auth/token",
            json={"email": email, "password": "correct horse battery"},
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
async def api(db: Database) -> AsyncIterator[Api]:
    """The API over HTTP (ASGI transport) on the test's database."""
    app = create_app(test_settings(db.url), engine=db.engine, cache=MemoryCache())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(client=client, db=db)


@pytest.fixture
async def admin(api: Api) -> dict[str, str]:
    """Auth headers of an admin."""
    return await api.token_for(StaffRole.ADMIN)
