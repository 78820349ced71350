"""A request id on every request: the caller's X-Request-ID when sane, else a new one.

It is echoed in the answer's X-Request-ID, bound into structlog's context so every log
line of the request carries it, and set on the request's span when tracing is on. One
`http.request` line per request closes it (route template, status, milliseconds; never
the path or query, which may hold a guest's token or address).
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("api.requests")

HEADER = b"x-request-id"
# what a proxy or load balancer sends (UUIDs, hex, dotted or dashed tokens); anything
# else (long, spaces, control characters) is replaced rather than logged
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def request_id_from(value: str | None) -> str:
    """The incoming id when it is sane, else a fresh one."""
    if value is not None and _SANE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIds:
    """ASGI middleware: `app.add_middleware(RequestIds)`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v for k, v in scope["headers"] if k.lower() == HEADER), None)
        request_id = request_id_from(incoming.decode("latin-1") if incoming else None)
        scope.setdefault("state", {})["request_id"] = request_id
        span = trace.get_current_span()
        if span.is_recording():
            span.set_attribute("http.request.id", request_id)

        started = time.perf_counter()
        answered: dict[str, Any] = {}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered["status"] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                headers.append((HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                log.info(
                    "http.request",
                    method=scope["method"],
                    route=getattr(scope.get("route"), "path", None) or "unmatched",
                    status=answered.get("status"),
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                )
