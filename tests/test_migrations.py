"""Alembic migrations up and down on PostgreSQL and SQLite, and in step with the ORM."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from models.orm import Base
from reservations.db import create_engine
from tests.conftest import _pg_exec, downgrade, migrate, pg_url


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"rt_mig_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_exec(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_url(name)
    finally:
        asyncio.run(_pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _inspect(url: str) -> tuple[set[str], list[object], set[str]]:
    async def run() -> tuple[set[str], list[object], set[str]]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:

                def look(sync: Connection) -> tuple[set[str], list[object], set[str]]:
                    tables = set(inspect(sync).get_table_names())
                    diff: list[object] = []
                    if "restaurants" in tables:
                        context = MigrationContext.configure(sync)
                        diff = list(compare_metadata(context, Base.metadata))
                    constraints: set[str] = set()
                    if sync.dialect.name == "postgresql":
                        constraints = set(
                            sync.execute(
                                text("SELECT conname FROM pg_constraint WHERE contype = 'x'")
                            ).scalars()
                        )
                    return tables, diff, constraints

                return await conn.run_sync(look)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.mark.long_running
def test_upgrade_downgrade_upgrade(empty_url: str) -> None:
    migrate(empty_url)
    tables, diff, constraints = _inspect(empty_url)
    assert {"restaurants", "restaurant_tables", "reservations", "table_allocations"} <= tables
    assert diff == []  # the migrations build exactly what the ORM declares
    if empty_url.startswith("postgresql"):
        assert constraints == {"ex_table_allocations_no_overlap"}

    downgrade(empty_url, "0001")
    assert _inspect(empty_url)[2] == set()

    downgrade(empty_url)
    tables, _, _ = _inspect(empty_url)
    assert tables <= {"alembic_version"}

    migrate(empty_url)
    assert "reservations" in _inspect(empty_url)[0]
