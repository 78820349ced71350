"""A local stand-in for Twilio's Messages API (2010-04-01), for tests.

It speaks the documented wire format: `POST
/2010-04-01/Accounts/{AccountSid}/Messages.json` with form fields To, From or
MessagingServiceSid, Body, StatusCallback; HTTP basic auth with the account
SID and auth token; JSON error bodies `{code, message, more_info, status}`;
201 with a Message resource on success.

    fake = FakeTwilio()
    await fake.start()
    sender = TwilioSender(..., api_base_url=fake.url)
    ...
    await fake.stop()
"""

from __future__ import annotations

import asyncio
import base64
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from aiohttp import web

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "f" * 32
MESSAGING_SERVICE_SID = "MG" + "fedcba9876543210" * 2
FROM_NUMBER = "+15005550006"

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it (whatever the outcome)."""

    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]
    status: int  # what the fake answered


class FakeTwilio:
    """An aiohttp server on 127.0.0.1 (free port) answering like Twilio's Messages API."""

    def __init__(self, *, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests: list[RecordedRequest] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self._failures: list[int] = []
        # seconds to wait before answering, to exercise client timeouts
        self.delay_seconds = 0.0
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @property
    def url(self) -> str:
        """Base URL to give `TwilioSender(api_base_url=...)`."""
        if self._port is None:
            raise RuntimeError("FakeTwilio is not started")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> None:
        """Listen on a free port."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Close the server."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def fail_next(self, count: int = 1, *, status: int = 500) -> None:
        """Answer the next `count` message requests with `status` (500, 503 or 429)."""
        self._failures.extend([status] * count)

    # --- request handling -------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        response = self._respond(request, form)
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                form=form,
                headers=dict(request.headers),
                status=response.status,
            )
        )
        return response

    def _respond(self, request: web.Request, form: dict[str, str]) -> web.Response:
        match = MESSAGES_PATH.match(request.path)
        if match is None or request.method != "POST":
            return _error(404, 20404, f"The requested resource {request.path} was not found")
        if not self._authorized(request.headers.get("Authorization"), match["account"]):
            return _error(
                401,
                20003,
                "Authenticate",
                detail="Your AccountSid or AuthToken was incorrect.",
            )
        if self._failures:
            status = self._failures.pop(0)
            if status == 429:
                return _error(429, 20429, "Too Many Requests")
            return _error(status, 20500, "An internal server error has occurred")
        to = form.get("To", "")
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if not E164.match(to):
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return _error(400, 21603, "A 'From' phone number is required.")
        if not form.get("Body"):
            return _error(400, 21602, "Message body is required.")
        message = self._message_resource(form)
        self.messages[message["sid"]] = message
        return web.json_response(message, status=201)

    def _authorized(self, header: str | None, account_in_path: str) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return (user, password, account_in_path) == (
            self.account_sid,
            self.auth_token,
            self.account_sid,
        )

    def _message_resource(self, form: dict[str, str]) -> dict[str, Any]:
        sid = "SM" + secrets.token_hex(16)
        now = format_datetime(datetime.now(UTC))
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json"
        service = form.get("MessagingServiceSid")
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": form["Body"],
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            # with a messaging service Twilio picks the sender later
            "from": form.get("From"),
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if service and not form.get("From") else "queued",
            "subresource_uris": {"media": uri.removesuffix(".json") + "/Media.json"},
            "to": form["To"],
            "uri": uri,
        }


def _error(status: int, code: int, message: str, *, detail: str | None = None) -> web.Response:
    body: dict[str, Any] = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    return web.json_response(body, status=status)
