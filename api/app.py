"""The FastAPI application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from api.docs import install_docs
from api.hardening import install_hardening
from api.health import install_health
from api.metrics import install_metrics
from api.openapi import describe_local_times, describe_problems
from api.outages import install_outage_handlers
from api.problems import install_problem_handlers, problem_response
from api.request_ids import RequestIds
from api.routers import (
    analytics,
    availability,
    contact,
    floor,
    google,
    guest_consent,
    guest_merge,
    guests,
    live_floor,
    local_checkout,
    manage_page,
    marketing,
    marketing_page,
    optimizer,
    partner_admin,
    partner_webhooks,
    partners,
    privacy,
    reservations,
    restaurant_groups,
    restaurants,
    service,
    staff,
    waitlist,
    waitlist_page,
    webhook_subscriptions,
    webhooks,
)
from api.tracing import RequestSpans
from api.web_pages import install_web_pages
from reservations.cache import Cache, MemoryCache, NullCache, create_cache
from reservations.db import engine_for, session_factory
from reservations.settings import Settings, get_settings
from reservations.tracing import Tracing, tracing_from_settings
from services.errors import ConflictError, InvalidError, NotFoundError, ServiceError

API_PREFIX = "/api/v1/reservations"


def create_app(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    cache: Cache | None = None,
    temporal_client: Client | None = None,
    tracing: Tracing | None = None,
) -> FastAPI:
    """Build the API. Tests pass their own engine, cache, Temporal client and tracing."""
    settings = settings or get_settings()
    own_tracing = tracing is None
    tracing = tracing or tracing_from_settings(settings, service="reservations-api")

    async def connect_temporal() -> Client:
        from worker.temporal import connect

        return await connect(settings, interceptors=tracing.client_interceptors())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_engine = engine is None
        app.state.engine = engine or engine_for(settings)
        app.state.sessions = session_factory(app.state.engine)
        tracing.trace_sql(app.state.engine)
        own_cache = cache is None
        # without Redis the worker's invalidations cannot reach this process, so the
        # API then computes every answer rather than serve a stale one
        app.state.cache = cache or (
            create_cache(settings.redis_url, max_connections=settings.redis_max_connections)
            if settings.redis_url
            else NullCache()
        )
        # rate-limit counters need no invalidation: without Redis they count in-process
        app.state.counters = (
            MemoryCache() if isinstance(app.state.cache, NullCache) else app.state.cache
        )
        # connected on first use, so reads keep working while Temporal is down
        app.state.temporal = temporal_client
        app.state.temporal_connect = connect_temporal
        if own_engine:
            # a server process: keep start-up's objects (modules, routes, schemas) out of
            # every later full collection, which otherwise walks them all again
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if own_cache:
                await app.state.cache.close()
            if own_engine:
                await app.state.engine.dispose()
            if own_tracing:
                tracing.shutdown()

    app = FastAPI(
        title="Reservations API",
        version="0.1.0",
        description="Durable restaurant reservations. Errors are RFC 9457 problem+json.",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs, from local files
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.jwt_secret = settings.effective_jwt_secret()
    install_problem_handlers(app)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    install_outage_handlers(app)
    install_hardening(app, settings)  # before metrics, so 429s and 413s are measured
    install_metrics(app)
    # request ids inside the request's span, so the span can carry the id
    app.add_middleware(RequestIds)
    if tracing.enabled:
        app.add_middleware(RequestSpans, tracer=tracing.tracer)
    install_docs(app)
    describe_local_times(app)
    describe_problems(app)

    for router in (
        restaurants.router,
        floor.router,
        live_floor.router,
        staff.router,
        webhook_subscriptions.router,
        marketing.router,
        guest_consent.router,
        partner_admin.router,
        partner_webhooks.router,  # before reservations: /webhooks/thefork, /webhooks/pos/...
        webhooks.router,  # before reservations: its paths must not read as reservation ids
        reservations.router,
        service.router,
        optimizer.router,
        contact.router,
        guest_merge.router,
        local_checkout.router,
        partners.router,
        waitlist.router,
        waitlist_page.links,
        guests.router,
        restaurant_groups.router,
        privacy.router,
        analytics.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(manage_page.router)
    app.include_router(marketing_page.router)
    app.include_router(waitlist_page.router)
    app.include_router(google.router)  # Google calls fixed paths under /google/v3
    app.include_router(availability.router, prefix=API_PREFIX)

    install_health(app)
    install_web_pages(app, settings.web_dist_dir)

    return app


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    if isinstance(exc, NotFoundError):
        status, title = 404, "Not found"
    elif isinstance(exc, ConflictError):
        status, title = 409, "Conflict"
    elif isinstance(exc, InvalidError):
        status, title = 422, "Invalid input"
    else:
        status, title = 400, "Bad request"
    return problem_response(
        status, title, exc.detail, instance=request.url.path, field=exc.field, reason=exc.reason
    )


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # a constraint caught what the service checks missed (a race): a conflict, not a 500
    return problem_response(
        409,
        "Conflict",
        "the change conflicts with data stored meanwhile; reload and try again",
        instance=request.url.path,
    )
