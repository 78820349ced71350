"""A local HTTP server that speaks Google's notification.partners.bookings.patch.

It records each PATCH (path, updateMask, JSON body, headers) and answers with the
booking, as the Maps Booking API does; `fail_next(n, status)` makes the next n
requests fail (e.g. 503), so a test can show the retry delivering later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Patch:
    partner_id: str
    booking_id: str
    update_mask: str
    body: dict[str, Any]
    authorization: str | None


@dataclass
class FakeGoogle:
    patches: list[Patch] = field(default_factory=list)
    attempts: int = 0
    _failures: list[int] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _port: int | None = None

    @property
    def url(self) -> str:
        assert self._port is not None
        return f"http://127.0.0.1:{self._port}"

    def fail_next(self, count: int, status: int = 503) -> None:
        self._failures += [status] * count

    async def _patch(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self._failures:
            status = self._failures.pop(0)
            return web.json_response({"error": {"code": status}}, status=status)
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return web.json_response({"error": {"code": 400}}, status=400)
        mask = request.query.get("updateMask", "")
        if not mask or "name" not in body or "merchantId" not in body:
            return web.json_response({"error": {"code": 400}}, status=400)
        self.patches.append(
            Patch(
                partner_id=request.match_info["partner"],
                booking_id=request.match_info["booking"],
                update_mask=mask,
                body=body,
                authorization=request.headers.get("Authorization"),
            )
        )
        return web.json_response(body)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_patch(
            "/v1alpha/notification/partners/{partner}/bookings/{booking}", self._patch
        )
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self._port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
