"""Open live event streams, and ending them when the server stops.

uvicorn's graceful shutdown waits for every response to finish, and an event stream
never finishes by itself: without help a SIGTERM would hang until the process is
killed. ``ApiServer`` ends every open stream as its shutdown begins, so the streams
close cleanly, their connections go and the shutdown carries on (clients reconnect to
another instance).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

_open: set[asyncio.Event] = set()


@contextmanager
def stream_stopper() -> Iterator[asyncio.Event]:
    """An event set when the server stops, for one stream while it is open."""
    stop = asyncio.Event()
    _open.add(stop)
    try:
        yield stop
    finally:
        _open.discard(stop)


def open_streams() -> int:
    """How many streams are open in this process."""
    return len(_open)


def end_all_streams() -> int:
    """Ask every open stream to end; returns how many were asked."""
    stops = list(_open)
    for stop in stops:
        stop.set()
    return len(stops)


class ApiServer(uvicorn.Server):
    """uvicorn's server, which ends the live event streams when it shuts down."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        end_all_streams()
        await super().shutdown(sockets)
