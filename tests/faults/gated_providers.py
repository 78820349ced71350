"""Provider fakes that hold a request until the test lets it go.

A test arms the gate, waits until a request is held (the activity is then in flight
in the worker), kills the worker, and releases the gate:

- Adyen then processes the held request, as Adyen does with a request whose caller
  went away: the money moved but the answer is lost. The retry carries the same
  Idempotency-Key and gets the first answer again, so the refund is made once.
- Twilio drops the held request because its caller is gone (the connection closed
  before Twilio accepted the message). Twilio's Messages API has no idempotency key,
  so a send whose answer is lost after Twilio accepted it would go out twice: SMS is
  at-least-once in that window, which docs/operations/faults.md states.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from tests.messaging.fake_twilio import FakeTwilio
from tests.payments.fake_adyen import FakeAdyen, RecordedRequest, _Handler


class Gate:
    """Holds requests while armed; `held` is set once one is waiting."""

    def __init__(self) -> None:
        self.armed = False
        self.held = asyncio.Event()
        self._open = asyncio.Event()

    def arm(self) -> None:
        self.armed = True

    def release(self) -> None:
        self.armed = False
        self._open.set()

    async def pass_through(self) -> None:
        if not self.armed:
            return
        self.held.set()
        await self._open.wait()


class GatedAdyen(FakeAdyen):
    """FakeAdyen whose refunds wait at `refunds` while it is armed."""

    def __init__(self) -> None:
        super().__init__()
        self.refunds = Gate()

    async def _answer(
        self, recorded: RecordedRequest, raw: bytes, match: dict[str, str], handler: _Handler
    ) -> tuple[int, dict[str, Any]]:
        if recorded.endpoint.endswith("/refunds"):
            await self.refunds.pass_through()
        return await super()._answer(recorded, raw, match, handler)


class GatedTwilio(FakeTwilio):
    """FakeTwilio whose messages wait at `messages` while it is armed; a held request
    whose caller has gone is dropped (counted in `dropped`, not sent)."""

    def __init__(self) -> None:
        super().__init__()
        self.messages_gate = Gate()
        self.dropped = 0
        self._held: web.Request | None = None

    async def caller_gone(self) -> bool:
        """True once the held request's connection has closed (its caller died)."""
        transport = self._held.transport if self._held is not None else None
        return self._held is not None and (transport is None or transport.is_closing())

    async def _handle(self, request: web.Request) -> web.Response:
        if self.messages_gate.armed and request.method == "POST":
            await request.post()  # read the body before the caller can go away
            self._held = request
            await self.messages_gate.pass_through()
            if await self.caller_gone():
                self.dropped += 1
                raise ConnectionResetError("the caller went away before the send was accepted")
        return await super()._handle(request)
