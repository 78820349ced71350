"""The last-resort middleware: an error before the response starts is a problem+json 500;
one after it started drops the connection, unless it only says the client went away."""

from __future__ import annotations

import io

import anyio
import httpx
import pytest
import structlog
from starlette.types import Message, Receive, Scope, Send

from api.problems import AnswerUnexpectedErrors, client_went_away
from reservations.logging import processors


def _app(error: Exception, *, after_start: bool) -> AnswerUnexpectedErrors:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if after_start:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send(
                {"type": "http.response.body", "body": b"event: ready\n\n", "more_body": True}
            )
        raise error

    return AnswerUnexpectedErrors(app)


async def _get(app: AnswerUnexpectedErrors) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        return await client.get("/stream")


async def test_an_error_before_the_answer_is_a_problem_500() -> None:
    answer = await _get(_app(RuntimeError("bug"), after_start=False))
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"


async def _serve_started(app: AnswerUnexpectedErrors) -> list[Message]:
    """Run ``app`` as a server would, returning what it sent (the stream's start)."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "GET", "path": "/stream", "headers": []}
    await app(scope, receive, send)
    return sent


async def test_a_bug_after_the_answer_started_still_drops_the_connection() -> None:
    with pytest.raises(RuntimeError, match="bug"):
        await _serve_started(_app(RuntimeError("bug"), after_start=True))


@pytest.mark.parametrize(
    "gone",
    [
        # what FastAPI's event stream raises when its client left while it was writing
        ExceptionGroup("unhandled errors in a TaskGroup", [anyio.BrokenResourceError()]),
        anyio.ClosedResourceError(),
        ConnectionResetError(),
    ],
)
async def test_a_client_gone_mid_stream_is_not_an_error(gone: Exception) -> None:
    sent = await _serve_started(_app(gone, after_start=True))  # nothing raised
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]


def test_only_what_says_the_client_left_counts() -> None:
    assert client_went_away(ExceptionGroup("g", [anyio.BrokenResourceError(), ConnectionError()]))
    assert not client_went_away(ExceptionGroup("g", [anyio.BrokenResourceError(), KeyError()]))
    assert not client_went_away(ValueError())


@pytest.mark.parametrize("json", [False, True])
async def test_the_500s_log_line_carries_the_traceback_masked(json: bool) -> None:
    buffer = io.StringIO()
    previous = structlog.get_config()
    structlog.configure(
        processors=processors(json=json),
        logger_factory=structlog.WriteLoggerFactory(file=buffer),
        cache_logger_on_first_use=False,
    )
    try:
        answer = await _get(_app(RuntimeError("no row for ada@example.com"), after_start=False))
    finally:
        structlog.configure(**previous)
    assert answer.status_code == 500
    logged = buffer.getvalue()
    assert "unhandled error in a request" in logged
    # the stack itself, not `exc_info=True`: the 500 says it was logged
    assert "Traceback (most recent call last)" in logged
    assert "RuntimeError: no row for ***" in logged
    assert "ada@example.com" not in logged
