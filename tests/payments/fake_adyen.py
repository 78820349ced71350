"""A local HTTP server that speaks the parts of Adyen's Checkout API we use.

It answers like Adyen documents: `X-API-Key` authentication (401 otherwise), the
merchant account must be the server's (403, errorCode 901), required fields
(422 with Adyen's error body), `Idempotency-Key` (a repeated key with the same
body replays the first answer and is processed once; with another body it is a
422), `201 Created` for sessions and modifications, `200` for payments.

Use it from any test file:

    from tests.payments.fake_adyen import FakeAdyen, fake_adyen  # noqa: F401 (fixture)

    async def test_x(fake_adyen: FakeAdyen) -> None:
        provider = AdyenProvider(..., checkout_base_url=fake_adyen.checkout_url)

or start one yourself with `async with FakeAdyen() as server:` / `start()` and `stop()`.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import pytest_asyncio
from aiohttp import web

API_KEY = "test-api-key"
MERCHANT_ACCOUNT = "TestMerchantECOM"
CHECKOUT_VERSION = "v72"  # what Adyen SDK 16 calls; any vNN path is served the same

_Handler = Callable[["_Call"], Awaitable[tuple[int, dict[str, Any]]]]


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as the server received it."""

    method: str
    path: str  # the full path, e.g. /checkout/v72/payments/ABC/refunds
    endpoint: str  # the path below the version, e.g. /payments/ABC/refunds
    headers: Mapping[str, str]  # keys lower-cased
    json: Any

    @property
    def idempotency_key(self) -> str | None:
        """The `Idempotency-Key` header, if sent."""
        return self.headers.get("idempotency-key")


@dataclass
class _Call:
    request: RecordedRequest
    body: dict[str, Any]
    match: Mapping[str, str]


def _error(status: int, code: str, message: str, error_type: str) -> tuple[int, dict[str, Any]]:
    return status, {
        "status": status,
        "errorCode": code,
        "message": message,
        "errorType": error_type,
    }


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _require(body: Mapping[str, Any], name: str, where: str = "") -> Any:
    value = body.get(name)
    if value is None or value == "":
        raise _Invalid("000", f"Required field '{where}{name}' is not provided.")
    return value


def _require_amount(body: Mapping[str, Any]) -> dict[str, Any]:
    amount = body.get("amount")
    if not isinstance(amount, dict):
        raise _Invalid("100", "Required object 'amount' is not provided.")
    value = amount.get("value")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Invalid("137", "Invalid amount specified")
    currency = amount.get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        raise _Invalid("000", "Required field 'amount.currency' is not provided.")
    return cast(dict[str, Any], amount)


@dataclass
class FakeAdyen:
    """The fake Checkout API. `requests` holds every request received (replays and
    failures included); `operations` holds each request the server actually processed,
    once per idempotency key."""

    api_key: str = API_KEY
    merchant_account: str = MERCHANT_ACCOUNT
    requests: list[RecordedRequest] = field(default_factory=list)
    operations: list[RecordedRequest] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _port: int | None = None
    _counter: int = 0
    _fail: list[int] = field(default_factory=list)
    _delay: list[float] = field(default_factory=list)
    _idempotent: dict[str, tuple[str, int, dict[str, Any]]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The server root, e.g. http://127.0.0.1:54321."""
        if self._port is None:
            raise RuntimeError("FakeAdyen is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def checkout_url(self) -> str:
        """The Checkout API base to give `AdyenProvider(checkout_base_url=...)`."""
        return f"{self.url}/checkout/{CHECKOUT_VERSION}"

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next `count` requests with `status` (500 by default, or 429, 503...)."""
        self._fail.extend([status] * count)

    def delay_next(self, seconds: float) -> None:
        """Hold the next request `seconds` before answering (to provoke client timeouts)."""
        self._delay.append(seconds)

    def received(self, endpoint_suffix: str = "") -> list[RecordedRequest]:
        """The requests received whose endpoint ends with `endpoint_suffix`."""
        return [r for r in self.requests if r.endpoint.endswith(endpoint_suffix)]

    def processed(self, endpoint_suffix: str = "") -> list[RecordedRequest]:
        """The requests processed (not replayed) whose endpoint ends with `endpoint_suffix`."""
        return [r for r in self.operations if r.endpoint.endswith(endpoint_suffix)]

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        base = "/checkout/{version:v[0-9]+}"
        app.router.add_post(base + "/sessions", self._route(self._sessions))
        app.router.add_post(base + "/payments", self._route(self._payments))
        app.router.add_post(
            base + "/payments/{psp}/{kind:refunds|captures|cancels}",
            self._route(self._modification),
        )
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeAdyen:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _next_reference(self, prefix: str = "") -> str:
        # Adyen pspReferences are 16 alphanumeric characters.
        self._counter += 1
        return f"{prefix}{self._counter:0{16 - len(prefix)}d}"

    def _route(self, handler: _Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def serve(request: web.Request) -> web.Response:
            raw = await request.read()
            try:
                parsed: Any = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                parsed = None
            version_prefix = f"/checkout/{request.match_info['version']}"
            recorded = RecordedRequest(
                method=request.method,
                path=request.path,
                endpoint=request.path.removeprefix(version_prefix),
                headers={k.lower(): v for k, v in request.headers.items()},
                json=parsed,
            )
            self.requests.append(recorded)
            status, body = await self._answer(recorded, raw, dict(request.match_info), handler)
            headers = {"pspReference": str(body.get("pspReference", ""))} if status < 300 else {}
            if recorded.idempotency_key and status < 300:
                headers["Idempotency-Key"] = recorded.idempotency_key
            return web.json_response(body, status=status, headers=headers)

        return serve

    async def _answer(
        self, recorded: RecordedRequest, raw: bytes, match: dict[str, str], handler: _Handler
    ) -> tuple[int, dict[str, Any]]:
        if self._delay:
            await asyncio.sleep(self._delay.pop(0))
        if self._fail:
            status = self._fail.pop(0)
            if status == 429:
                return _error(429, "000", "Too many requests", "internal")
            return _error(status, "000", "Internal error", "internal")
        if recorded.headers.get("x-api-key") != self.api_key:
            return _error(401, "000", "HTTP Status Response - Unauthorized", "security")
        if not isinstance(recorded.json, dict):
            return _error(400, "000", "Unable to parse message", "validation")
        body = cast(dict[str, Any], recorded.json)
        key = recorded.idempotency_key
        fingerprint = recorded.endpoint + " " + json.dumps(body, sort_keys=True)
        if key is not None:
            if len(key) > 64:
                return _error(422, "000", "Idempotency-Key exceeds 64 characters", "validation")
            stored = self._idempotent.get(key)
            if stored is not None:
                if stored[0] != fingerprint:
                    return _error(
                        422, "000", "Idempotency key already used for another request", "validation"
                    )
                return stored[1], stored[2]
        if body.get("merchantAccount") and body["merchantAccount"] != self.merchant_account:
            return _error(403, "901", "Invalid Merchant Account", "security")
        try:
            _require(body, "merchantAccount")
            status, answer = await handler(_Call(recorded, body, match))
        except _Invalid as exc:
            return _error(422, exc.code, exc.message, "validation")
        self.operations.append(recorded)
        if key is not None:
            # Only completed requests are kept: after a 5xx the same key may be retried.
            self._idempotent[key] = (fingerprint, status, answer)
        return status, answer

    async def _sessions(self, call: _Call) -> tuple[int, dict[str, Any]]:
        body = call.body
        amount = _require_amount(body)
        reference = _require(body, "reference")
        return_url = _require(body, "returnUrl")
        if body.get("storePaymentMethod"):
            _require(body, "shopperReference")
            _require(body, "recurringProcessingModel")
        expires_at = body.get("expiresAt")
        if expires_at is None:
            expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        else:
            try:
                expires = dt.datetime.fromisoformat(str(expires_at))
            except ValueError as exc:
                raise _Invalid("000", "Field 'expiresAt' is not a valid date") from exc
        session_id = "CS" + self._next_reference()[2:]
        session_data = base64.b64encode(
            json.dumps({"id": session_id, "reference": reference}).encode()
        ).decode()
        answer: dict[str, Any] = {
            "id": session_id,
            "sessionData": "Ab02b4c0!" + session_data,
            "amount": amount,
            "expiresAt": expires.isoformat(),
            "merchantAccount": body["merchantAccount"],
            "reference": reference,
            "returnUrl": return_url,
            "mode": "embedded",
        }
        for name in (
            "shopperReference",
            "shopperEmail",
            "shopperLocale",
            "countryCode",
            "storePaymentMethod",
            "recurringProcessingModel",
            "shopperInteraction",
        ):
            if name in body:
                answer[name] = body[name]
        return 201, answer

    async def _payments(self, call: _Call) -> tuple[int, dict[str, Any]]:
        body = call.body
        amount = _require_amount(body)
        reference = _require(body, "reference")
        method = _require(body, "paymentMethod")
        if not isinstance(method, dict):
            raise _Invalid("000", "Required object 'paymentMethod' is not provided.")
        _require(method, "type", "paymentMethod.")
        if body.get("shopperInteraction") == "ContAuth":
            _require(body, "shopperReference")
            _require(body, "recurringProcessingModel")
            stored_id = str(_require(method, "storedPaymentMethodId", "paymentMethod."))
        else:
            stored_id = str(method.get("storedPaymentMethodId", ""))
        answer: dict[str, Any] = {
            "pspReference": self._next_reference(),
            "amount": amount,
            "merchantReference": reference,
        }
        if stored_id.startswith("refuse"):
            answer.update(resultCode="Refused", refusalReason="Refused", refusalReasonCode="2")
        else:
            answer.update(resultCode="Authorised", additionalData={"authCode": "012345"})
        return 200, answer

    async def _modification(self, call: _Call) -> tuple[int, dict[str, Any]]:
        body = call.body
        answer: dict[str, Any] = {
            "merchantAccount": body["merchantAccount"],
            "paymentPspReference": call.match["psp"],
            "pspReference": self._next_reference(),
            "status": "received",
        }
        if call.match["kind"] != "cancels":
            answer["amount"] = _require_amount(body)
        if "reference" in body:
            answer["reference"] = body["reference"]
        return 201, answer


@pytest_asyncio.fixture
async def fake_adyen() -> AsyncIterator[FakeAdyen]:
    """A started FakeAdyen, stopped after the test."""
    async with FakeAdyen() as server:
        yield server
