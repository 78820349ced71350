"""The API's Temporal connection as a FastAPI dependency (`TemporalDep`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from temporalio.client import Client

from api.problems import ServiceUnavailable


class TemporalConnection:
    """The app's Temporal client, connected when a route first needs it.

    Lazy on purpose: a request with bad input gets its 422 even while Temporal is
    down, and reads never wait for Temporal at all.
    """

    def __init__(self, request: Request) -> None:
        self._state = request.app.state

    async def client(self) -> Client:
        """The connected client; 503 while Temporal is unreachable."""
        client: Client | None = self._state.temporal
        if client is None:
            try:
                client = await self._state.temporal_connect()
            except Exception as exc:  # any connection failure means the same to the caller
                raise ServiceUnavailable(f"the workflow service is unreachable: {exc}") from None
            self._state.temporal = client
        return client


async def temporal_connection(request: Request) -> TemporalConnection:
    """The dependency: a coroutine, so FastAPI does not hand it to a worker thread."""
    return TemporalConnection(request)


TemporalDep = Annotated[TemporalConnection, Depends(temporal_connection)]
