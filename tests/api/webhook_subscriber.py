"""A local webhook subscriber: verifies Standard Webhooks signatures as a partner would.

It listens on a free port of 127.0.0.1 and, with its `secret` set, checks every
request with the `standardwebhooks` package (a bad signature is answered 401 and
counted). Tests script its next answers: a status (500, 410...) or a stall longer
than our client's timeout.

    async with WebhookSubscriber() as subscriber:
        subscriber.secret = created["secret"]
        subscriber.answer_next(500, 500)     # then 200 again
        subscriber.stall_next(seconds=2)     # hold one request past the timeout
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from standardwebhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Received:
    """One request as the subscriber saw it, and what it answered."""

    webhook_id: str
    payload: dict[str, Any]
    answered: int | None  # None: stalled (the sender gave up first)


@dataclass
class WebhookSubscriber:
    secret: str | None = None
    received: list[Received] = field(default_factory=list)
    bad_signatures: int = 0
    _plan: list[int | float] = field(default_factory=list)  # int: status; float: stall
    _runner: web.AppRunner | None = None
    _port: int | None = None

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("the subscriber is not started")
        return f"http://127.0.0.1:{self._port}/hooks"

    def answer_next(self, *statuses: int) -> None:
        """Answer the next requests with these statuses, then 200 again."""
        self._plan.extend(statuses)

    def answer_always(self, status: int, count: int = 1000) -> None:
        self._plan.extend([status] * count)

    def stall_next(self, *, seconds: float) -> None:
        """Hold the next request `seconds` before answering 200."""
        self._plan.append(float(seconds))

    def types(self) -> list[str]:
        """The event types received with a good signature and answered 2xx."""
        return [r.payload["type"] for r in self.received if r.answered and 200 <= r.answered < 300]

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.text()
        try:
            if self.secret is None:
                raise WebhookVerificationError("no secret set")
            payload = Webhook(self.secret).verify(body, dict(request.headers))
        except WebhookVerificationError:
            self.bad_signatures += 1
            return web.json_response({"error": "bad signature"}, status=401)
        step = self._plan.pop(0) if self._plan else 200
        webhook_id = request.headers["webhook-id"]
        if isinstance(step, float):
            self.received.append(Received(webhook_id, payload, None))
            await asyncio.sleep(step)
            return web.json_response({"ok": True})
        self.received.append(Received(webhook_id, payload, step))
        return web.Response(status=step, text=json.dumps({"status": step}))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hooks", self._hook)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> WebhookSubscriber:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
