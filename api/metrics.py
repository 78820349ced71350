"""Prometheus metrics for the API: request counts and latencies by route."""

from __future__ import annotations

import time

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter(
    "reservations_http_requests_total", "HTTP requests", ["method", "route", "status"]
)
LATENCY = Histogram(
    "reservations_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class MeasureRequests:
    """ASGI middleware: count each answered request and time it, by route template.

    Plain ASGI rather than `@app.middleware("http")`, whose request/response streams
    cost every request CPU for nothing here (the release rush is CPU-bound on them).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, noting_status)
        if status is None:
            return  # nothing was answered
        # the router writes the matched route into this same scope
        path = getattr(scope.get("route"), "path", "unmatched")
        method = scope["method"]
        LATENCY.labels(method, path).observe(time.perf_counter() - started)
        REQUESTS.labels(method, path, str(status)).inc()


def install_metrics(app: FastAPI) -> None:
    """Record every request and serve /metrics."""
    app.add_middleware(MeasureRequests)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
