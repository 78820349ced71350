"""Fixtures shared by the allocation race tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reservations.db import create_engine, session_factory
from tests.allocation.helpers import Db


@pytest.fixture
async def pg_sessions(pg_db: Db) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a fresh PostgreSQL database, with a pool sized for races.

    Our own pool: the server caps connections at 100 and other suites share it.
    """
    engine = create_engine(pg_db.url, pool_size=40, max_overflow=0, pool_timeout=300)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()
