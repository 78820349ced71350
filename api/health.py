"""Liveness (/healthz) and readiness (/readyz) of the API process.

/readyz is what a load balancer or compose health check asks: 503 while the database or
Temporal cannot be reached, so traffic goes elsewhere until they are back. Redis is
reported but does not make the API unready: every cached answer degrades to the database.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.outages import RETRY_AFTER_SECONDS
from api.problems import problem_response

CHECK_SECONDS = 2.0


async def _database(request: Request) -> str:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            async with request.app.state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to answer SELECT 1 means "not ready"
        return f"unavailable: {type(exc).__name__}"
    return "ok"


async def _temporal(request: Request) -> str:
    state = request.app.state
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            if state.temporal is None:
                state.temporal = await state.temporal_connect()
            healthy = await state.temporal.service_client.check_health()
    except Exception as exc:  # unreachable, refused, timed out: all "not ready"
        return f"unavailable: {type(exc).__name__}"
    return "ok" if healthy else "unavailable: not serving"


async def _redis(request: Request) -> str | None:
    ping = getattr(request.app.state.cache, "ping", None)
    if ping is None:
        return None  # no Redis configured
    return "ok" if await ping() else "unavailable (answers come from the database)"


def install_health(app: FastAPI) -> None:
    """Register /healthz and /readyz."""

    @app.get("/healthz", tags=["ops"], summary="Liveness and database reachability")
    async def healthz(request: Request) -> JSONResponse:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok"})

    @app.get(
        "/readyz",
        tags=["ops"],
        summary="Readiness: database and Temporal reachable (Redis reported)",
        responses={503: {"description": "a dependency is unreachable"}},
    )
    async def readyz(request: Request) -> JSONResponse:
        database, temporal, redis = await asyncio.gather(
            _database(request), _temporal(request), _redis(request)
        )
        checks: dict[str, Any] = {"database": database, "temporal": temporal}
        if redis is not None:
            checks["redis"] = redis
        if database == "ok" and temporal == "ok":
            return JSONResponse({"status": "ready", "checks": checks})
        return problem_response(
            503,
            "Service unavailable",
            "not ready: " + ", ".join(f"{k} {v}" for k, v in checks.items() if v != "ok"),
            instance="/readyz",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            checks=checks,
        )
