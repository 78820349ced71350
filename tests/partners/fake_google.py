"""A local HTTP server that speaks Google's notification.partners.bookings.patch and
its OAuth 2.0 token endpoint for service accounts.

It records each PATCH (path, updateMask, JSON body, headers) and answers with the
booking, as the Maps Booking API does; `fail_next(n, status)` makes the next n
requests fail (e.g. 503), token requests too, so a test can show the retry
delivering later.

`/token` takes the JWT bearer grant (RFC 7523) as Google's token endpoint does: a
form with `grant_type` and an RS256 `assertion` whose signature it checks against
the service account's public key (`public_key_pem`), with `aud` its own address,
`iss` the account, a `scope` and an expiry an hour at most after `iat`. It answers
an access token ("ya29.fake-<n>", an hour), or 400 `invalid_grant` as Google does
for a bad or revoked key; `refuse_tokens` refuses every grant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import jwt
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
    public_key_pem: str | None = None
    client_email: str = "bookings@partner.iam.gserviceaccount.com"
    refuse_tokens: bool = False
    tokens_issued: list[str] = field(default_factory=list)
    token_requests: int = 0
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

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        if self._failures:
            status = self._failures.pop(0)
            return web.json_response({"error": "backend_error"}, status=status)
        form = await request.post()
        assertion = form.get("assertion")
        if (
            self.refuse_tokens
            or form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer"
            or not isinstance(assertion, str)
            or self.public_key_pem is None
        ):
            return _invalid_grant("Invalid grant")
        try:
            claims = jwt.decode(
                assertion,
                self.public_key_pem,
                algorithms=["RS256"],
                audience=self.token_uri,
                issuer=self.client_email,
                options={"require": ["iat", "exp", "scope"]},
            )
        except jwt.PyJWTError as exc:
            return _invalid_grant(f"Invalid JWT: {exc}")
        if int(claims["exp"]) - int(claims["iat"]) > 3600:
            return _invalid_grant("Invalid JWT: expiry too far in the future")
        token = f"ya29.fake-{len(self.tokens_issued) + 1}"
        self.tokens_issued.append(token)
        return web.json_response(
            {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/token", self._token)
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


def _invalid_grant(description: str) -> web.Response:
    return web.json_response(
        {"error": "invalid_grant", "error_description": description}, status=400
    )
