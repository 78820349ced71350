"""Quick companions of the process-level fault tests: the API in-process on a database
port where nothing listens, and which errors count as an outage."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
import pytest
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError

from api.app import create_app
from api.outages import is_outage
from reservations.cache import MemoryCache
from reservations.db import create_engine
from tests.conftest import test_settings as settings_for
from tests.faults.processes import free_port

BASE = "/api/v1/reservations"


async def test_nothing_listening_on_the_database_port_is_a_503_not_a_500() -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere"
    engine = create_engine(url)
    app = create_app(
        settings_for(url, temporal_address=f"127.0.0.1:{free_port()}"),
        engine=engine,
        cache=MemoryCache(),
    )
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                for path in (
                    f"{BASE}/restaurants/{uuid.uuid4()}/availability?date=2030-01-01&party_size=2",
                    "/healthz",
                    "/readyz",
                ):
                    answer = await client.get(path)
                    assert answer.status_code == 503, (path, answer.text)
                    assert answer.headers["content-type"] == "application/problem+json"
                    assert int(answer.headers["retry-after"]) > 0
                checks = (await client.get("/readyz")).json()["checks"]
                assert checks["database"].startswith("unavailable")
                assert checks["temporal"].startswith("unavailable")
                assert "redis" not in checks  # no Redis configured, nothing to report
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (OperationalError("SELECT 1", {}, Exception("server closed the connection")), True),
        (InterfaceError("SELECT 1", {}, Exception("connection is closed")), True),
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError(), True),
        (IntegrityError("INSERT", {}, Exception("duplicate key")), False),
        (DataError("INSERT", {}, Exception("value out of range")), False),
        (ValueError("a bug"), False),
    ],
)
def test_only_connection_failures_count_as_an_outage(error: BaseException, outage: bool) -> None:
    assert is_outage(error) is outage


async def test_a_server_refusing_more_connections_is_a_503_not_a_500() -> None:
    """ "too many clients" (SQLSTATE 53300) is the database being full, not a bug."""
    role = f"full_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
    await admin.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0")
    url = f"postgresql+asyncpg://{role}@127.0.0.1:5432/test"
    engine = create_engine(url)
    app = create_app(
        settings_for(url, temporal_address=f"127.0.0.1:{free_port()}"),
        engine=engine,
        cache=MemoryCache(),
    )
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                answer = await client.get(
                    f"{BASE}/restaurants/{uuid.uuid4()}/availability?date=2030-01-01&party_size=2"
                )
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert int(answer.headers["retry-after"]) > 0
    finally:
        await engine.dispose()
        await admin.execute(f"DROP ROLE {role}")
        await admin.close()
