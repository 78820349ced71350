"""A local HTTP server that speaks the part of Square's Orders API the POS adapter reads.

`GET /v2/orders/{order_id}` with `Authorization: Bearer <token>` answers
`{"order": {...}}` as Square documents it, 401 without the token and 404 with
Square's error body for an unknown order. Tests put orders in `orders`.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "EAAA-test-square-token"


@dataclass
class FakeSquare:
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    url: str = ""
    _runner: web.AppRunner | None = None

    def put_order(
        self, order_id: str, *, location_id: str, ticket_name: str, state: str, total: int = 0
    ) -> None:
        self.orders[order_id] = {
            "id": order_id,
            "location_id": location_id,
            "ticket_name": ticket_name,
            "state": state,
            "version": 1,
            "total_money": {"amount": total, "currency": "EUR"},
        }

    async def _get(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response(
                {"errors": [{"category": "AUTHENTICATION_ERROR", "code": "UNAUTHORIZED"}]},
                status=401,
            )
        order = self.orders.get(request.match_info["order_id"])
        if order is None:
            return web.json_response(
                {"errors": [{"category": "INVALID_REQUEST_ERROR", "code": "NOT_FOUND"}]},
                status=404,
            )
        return web.json_response({"order": order})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/v2/orders/{order_id}", self._get)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
