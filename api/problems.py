"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import anyio
import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.utils import ClientDisconnected

from models.schemas.common import UNSTORABLE_TEXT

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger()


class Problem(Exception):
    """An error the API answers with a problem+json body."""

    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        if status is not None:
            self.status = status
        self.extra = extra or {}
        self.headers = headers


class NotFound(Problem):
    status = 404
    title = "Not found"


class Conflict(Problem):
    status = 409
    title = "Conflict"


class Unauthorized(Problem):
    status = 401
    title = "Unauthorized"


class Forbidden(Problem):
    status = 403
    title = "Forbidden"


class InvalidInput(Problem):
    status = 422
    title = "Invalid input"


class TooManyRequests(Problem):
    status = 429
    title = "Too many requests"


class ServiceUnavailable(Problem):
    status = 503
    title = "Service unavailable"


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(
        jsonable_encoder(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _field_path(loc: tuple[int | str, ...]) -> str:
    # drop the "body"/"query"/"path" prefix only when it is followed by a real field
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts)


def _json_position(document: Any, position: int) -> str:
    """'line L, column C' of a character offset, as Python's JSON decoder counts them."""
    if isinstance(document, bytes | bytearray):
        document = document.decode("utf-8", errors="replace")
    if not isinstance(document, str):
        return f"character {position + 1}"
    line = document.count("\n", 0, position) + 1
    column = position - document.rfind("\n", 0, position)
    return f"line {line}, column {column}"


def _error_entry(error: Any, body: Any) -> dict[str, str]:
    loc = tuple(error["loc"])
    if error.get("type") == "json_invalid":
        # the location is a character offset into the body, not a field
        position = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
        reason = (error.get("ctx") or {}).get("error")
        message = f"malformed JSON at {_json_position(body, position)}"
        return {
            "field": "body",
            "message": f"{message}: {reason}" if reason else message,
            "in": "body",
        }
    return {"field": _field_path(loc), "message": error["msg"], "in": str(loc[0])}


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_error_entry(e, exc.body) for e in exc.errors()]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    return problem_response(
        422,
        "Invalid input",
        f"{first['field']}: {first['message']}" if first["field"] else first["message"],
        instance=request.url.path,
        field=first["field"] or None,
        errors=errors,
    )


async def _problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        instance=request.url.path,
        field=exc.field,
        headers=exc.headers,
        **exc.extra,
    )


def _unparsable(cause: BaseException) -> str:
    if isinstance(cause, RecursionError):
        return "nested too deeply"
    if isinstance(cause, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(cause)[:200]


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    cause = exc.__cause__
    if exc.status_code == 400 and isinstance(cause, RecursionError | ValueError):
        # FastAPI's bare "error parsing the body" for JSON its decoder raised on with
        # something other than a JSONDecodeError (nested past the decoder's depth, bytes
        # that are not UTF-8, an integer of more digits than Python converts): malformed
        # JSON like any other, so answered like it
        return problem_response(
            422,
            "Invalid input",
            f"body: malformed JSON: {_unparsable(cause)}",
            instance=request.url.path,
            field="body",
        )
    titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized"}
    return problem_response(
        exc.status_code,
        titles.get(exc.status_code, "Error"),
        str(exc.detail),
        instance=request.url.path,
        headers=dict(exc.headers) if exc.headers else None,
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Answer validation errors, domain problems and HTTP errors with problem+json;
    refuse control characters in query strings and paths; answer any other exception with
    a problem+json 500 that keeps the connection open."""
    # added first, so it sits innermost: middleware added later (metrics) sees the 500
    app.add_middleware(AnswerUnexpectedErrors)
    app.add_middleware(RefuseUnstorableText)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(StarletteHTTPException, _http)


# what writing to a client that has gone raises, directly or from a streaming response's
# task group (FastAPI's event streams hand items between tasks over memory streams)
_GONE: tuple[type[BaseException], ...] = (
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    ConnectionError,
    ClientDisconnected,
)


def client_went_away(exc: BaseException) -> bool:
    """Whether ``exc`` (or every exception of its group) says the client went away."""
    if isinstance(exc, BaseExceptionGroup):
        return all(client_went_away(e) for e in exc.exceptions)
    return isinstance(exc, _GONE)


class AnswerUnexpectedErrors:
    """ASGI middleware: an exception no handler took is logged with its traceback and
    answered as a problem+json 500.

    Without it the exception reaches Starlette's ServerErrorMiddleware, which answers but
    then re-raises, and the server closes the client's keep-alive connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started and client_went_away(exc):
                # a stream's client left mid-response (a closed tab): nothing is wrong here
                log.info("http.client_gone", method=scope.get("method"), path=scope.get("path"))
                return
            log.exception(
                "unhandled error in a request", method=scope.get("method"), path=scope.get("path")
            )
            if started:
                raise  # half a response is out: only dropping the connection tells the client
            response = problem_response(
                500,
                "Internal server error",
                "an unexpected error occurred; it has been logged",
                instance=scope.get("path"),
            )
            await response(scope, receive, send)


class RefuseUnstorableText:
    """ASGI middleware: a query parameter or path holding NUL, another control character
    or a lone surrogate is a 422 naming it, before any route (or database) sees it.

    Bodies are checked by the request models (StrictModel); query strings are text every
    route reads, so one check here covers them all.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = _unstorable_in(scope)
            if refusal is not None:
                field, where = refusal
                response = problem_response(
                    422,
                    "Invalid input",
                    f"{field}: control characters are not allowed",
                    instance=None,
                    field=field,
                    errors=[
                        {
                            "field": field,
                            "message": "control characters are not allowed",
                            "in": where,
                        }
                    ],
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _unstorable_in(scope: Scope) -> tuple[str, str] | None:
    """(field, "query" or "path") of the first unstorable text in the request line."""
    path = scope.get("path", "")
    if isinstance(path, str) and UNSTORABLE_TEXT.search(path):
        return "path", "path"
    raw = scope.get("query_string", b"")
    if not raw:
        return None
    # decoded as Starlette decodes it, so the check sees what the route will see
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if UNSTORABLE_TEXT.search(name):
            return "query", "query"
        if UNSTORABLE_TEXT.search(value):
            return name, "query"
    return None
