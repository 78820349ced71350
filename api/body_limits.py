"""Request body size limits, enforced while the body streams in."""

from __future__ import annotations

import contextlib

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response

WEBHOOK_PATHS = ("/api/v1/reservations/webhooks/", "/google/v3/")


class BodyTooLarge(HTTPException):
    """Raised into the app when the streamed body passes the limit (an HTTP error, so the
    app's handlers answer it quietly; this middleware then sends its own 413)."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="the request body is too large")


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class LimitRequestBodies:
    """ASGI middleware: a body over the limit is a 413 problem+json.

    A declared Content-Length over the limit is refused before the app runs; a chunked
    (or understated) body is counted as it is received, and the app's answer is then
    replaced by the 413, so no more than the limit is ever read into memory.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_webhook_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_webhook_bytes = max_webhook_bytes

    def _limit_for(self, path: str) -> int:
        # provider callbacks (payments, SMS, partners, Google) have their own bound
        return self.max_webhook_bytes if path.startswith(WEBHOOK_PATHS) else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # whatever the app answered to the cut-off body, the 413 is sent
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counted_receive, guarded_send)
        if exceeded and not started:
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(
            413,
            "Content too large",
            f"the request body is larger than {limit} bytes",
            instance=scope.get("path"),
            field="body",
            max_bytes=limit,
        )
        await response(scope, receive, send)
