"""An API app built from explicit settings, reached from chosen client addresses."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

import httpx
from fastapi import FastAPI

from api.app import create_app
from reservations.cache import Cache
from reservations.settings import Settings
from tests.conftest import Database

Client = Callable[[str], httpx.AsyncClient]


@contextlib.asynccontextmanager
async def edge_app(
    db: Database, settings: Settings, *, cache: Cache | None = None
) -> AsyncIterator[tuple[FastAPI, Client]]:
    """The app (lifespan running) and a factory of clients calling from a given IP;
    the clients are closed with the app."""
    app = create_app(settings, engine=db.engine, cache=cache)
    async with app.router.lifespan_context(app), contextlib.AsyncExitStack() as clients:

        def client(ip: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app, client=(ip, 40000))
            made = httpx.AsyncClient(transport=transport, base_url="http://test")
            clients.push_async_callback(made.aclose)
            return made

        yield app, client
