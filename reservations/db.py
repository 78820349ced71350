"""Async engine and sessions for PostgreSQL (asyncpg) and the embedded SQLite default."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

if TYPE_CHECKING:
    from reservations.settings import Settings


def engine_for(settings: Settings) -> AsyncEngine:
    """The engine of a server process: the settings' database and pool sizes."""
    return create_engine(
        settings.effective_database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Engine for `url`; on SQLite, foreign keys on, WAL, and BEGIN IMMEDIATE transactions.

    BEGIN IMMEDIATE takes SQLite's write lock at the start of every transaction, so
    read-check-write sequences (holding tables, pacing) are serialized.
    """
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30})
        # SQLite's pool is per file and takes no sizes
        kwargs.pop("pool_size", None)
        kwargs.pop("max_overflow", None)
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = create_async_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        event.listen(engine.sync_engine.pool, "checkout", _ping_on_checkout)
    return engine


def _ping_on_checkout(dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: Any) -> None:
    """A pooled connection answers one query before it is used, or is replaced.

    What `pool_pre_ping` does, in one round trip instead of its three: for asyncpg it
    wraps its ping in a transaction of its own (BEGIN, query, ROLLBACK) because an
    extended-protocol query outside a transaction breaks PgBouncer's transaction mode.
    asyncpg's `execute` without arguments uses the simple protocol, one message, safe
    there too (not an empty query: asyncpg cannot read its answer). A
    DisconnectionError makes the pool discard the connection and check out another.
    """
    try:
        dbapi_connection.run_async(lambda connection: connection.execute("SELECT 1"))
    except Exception as exc:
        raise DisconnectionError(f"a pooled connection did not answer: {exc}") from exc


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # let SQLAlchemy, not the driver, decide when transactions begin
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose work commits on success and rolls back on error."""
    async with factory() as session, session.begin():
        yield session


@asynccontextmanager
async def command_sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions of a one-off command (the CLI's): an engine of its own, disposed at the end."""
    engine = create_engine(settings.effective_database_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


def is_postgres(engine: AsyncEngine) -> bool:
    """True when the engine talks to PostgreSQL."""
    return engine.dialect.name == "postgresql"


def upsert_insert(session: AsyncSession) -> Any:
    """The session's dialect's INSERT, which has ON CONFLICT DO NOTHING / DO UPDATE."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
