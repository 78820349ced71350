"""A pooled PostgreSQL connection that died while idle is replaced before anyone uses it."""

from __future__ import annotations

from sqlalchemy import text

from reservations.db import create_engine
from tests.conftest import Database


async def test_a_connection_killed_while_pooled_is_replaced_unseen(pg_db: Database) -> None:
    engine = create_engine(pg_db.url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            first = await connection.scalar(text("SELECT pg_backend_pid()"))
        # PostgreSQL restarts, a proxy drops it, an idle timeout fires: the pooled
        # connection is dead and the pool does not know
        async with pg_db.engine.connect() as other:
            killed = await other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        assert killed
        async with engine.connect() as connection:
            second = await connection.scalar(text("SELECT pg_backend_pid()"))
        assert second != first
    finally:
        await engine.dispose()


async def test_a_checkout_pings_without_a_transaction(pg_db: Database) -> None:
    # one query by the simple protocol, not BEGIN / query / ROLLBACK: a pooled
    # connection costs one round trip before its work, and PgBouncer's transaction
    # mode is not broken by it
    engine = create_engine(pg_db.url, pool_size=1, max_overflow=0)
    sent: list[str] = []
    try:
        async with engine.connect() as connection:
            await connection.scalar(text("SELECT 1"))
        raw = await engine.raw_connection()
        try:
            asyncpg_connection = raw.driver_connection
            assert asyncpg_connection is not None
            asyncpg_connection.add_query_logger(lambda record: sent.append(record.query))
        finally:
            raw.close()
        async with engine.connect() as connection:
            await connection.scalar(text("SELECT 2"))
        # the ping, then the work's own transaction (pool_pre_ping sent BEGIN; ROLLBACK;
        # around its ping first)
        assert sent[:2] == ["SELECT 1", "BEGIN;"], sent
    finally:
        await engine.dispose()
