"""SMS through Twilio's Messages API with the official SDK (async client).

Twilio's HTTP status decides the outcome: 429 and 5xx (and network failures)
are temporary, any other 4xx is a refusal of this message, carrying Twilio's
error code (21211 invalid 'To', 21610 unsubscribed recipient, 20003 bad
credentials, ...).
"""

from __future__ import annotations

import base64
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from messaging.channels import SendReceipt, SendRejected, SendRetryable, SmsMessage
from reservations.http_answers import is_transient


class _TwilioHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]  # SDK is untyped
    """The SDK's aiohttp client with a default timeout and an optional origin override.

    The SDK documents a custom `http_client` as the way to change how requests
    are made; here it points every request at `base_url` (a local stand-in for
    tests and `dev`), keeping the path the SDK built.
    """

    def __init__(self, *, timeout: float, base_url: str | None) -> None:
        super().__init__(timeout=timeout)
        self._origin = urlsplit(base_url) if base_url else None

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the SDK calls request() with it
        allow_redirects: bool = False,
    ) -> Response:
        """Rewrite the origin if configured and apply the client timeout, then send."""
        if self._origin is not None:
            parts = urlsplit(url)
            url = urlunsplit(
                (
                    self._origin.scheme,
                    self._origin.netloc,
                    self._origin.path.rstrip("/") + parts.path,
                    parts.query,
                    parts.fragment,
                )
            )
        # the async client ignores its own timeout and would otherwise wait forever
        effective_timeout = timeout if timeout is not None else self.timeout
        if auth is not None:
            # send basic auth as a header: aiohttp deprecates its `auth=` argument
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            headers = {**(headers or {}), "Authorization": f"Basic {token}"}
        response: Response = await super().request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            auth=None,
            timeout=effective_timeout,
            allow_redirects=allow_redirects,
        )
        return response


class TwilioSender:
    """An `SmsSender` backed by Twilio Programmable Messaging."""

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        messaging_service_sid: str | None,
        from_number: str | None,
        api_base_url: str | None = None,
        timeout_seconds: float = 20,
    ) -> None:
        if not messaging_service_sid and not from_number:
            raise ValueError("Twilio needs a messaging service SID or a from number")
        self._account_sid = account_sid
        self._auth_token = auth_token
        # a messaging service picks the best sender from its pool, so it wins
        self._messaging_service_sid = messaging_service_sid or None
        self._from_number = None if self._messaging_service_sid else from_number
        self._api_base_url = api_base_url
        self._timeout = timeout_seconds

    async def send_sms(self, message: SmsMessage) -> SendReceipt:
        """Create the Message resource; raise SendRetryable or SendRejected."""
        kwargs: dict[str, str] = {"to": message.to, "body": message.body}
        if self._messaging_service_sid:
            kwargs["messaging_service_sid"] = self._messaging_service_sid
        else:
            assert self._from_number is not None
            kwargs["from_"] = self._from_number
        if message.status_callback_url:
            kwargs["status_callback"] = message.status_callback_url
        try:
            # a client per send: its aiohttp session is created and closed inside
            # the running loop, so nothing outlives the call or crosses loops
            async with _TwilioHttpClient(
                timeout=self._timeout, base_url=self._api_base_url
            ) as http_client:
                client = Client(self._account_sid, self._auth_token, http_client=http_client)
                created = await client.messages.create_async(**kwargs)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise _classify(exc.status, exc.code, _error_text(exc)) from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendRetryable(f"Twilio unreachable: {type(exc).__name__}: {exc}") from exc
        sid = getattr(created, "sid", None)
        if not isinstance(sid, str) or not sid:
            # accepted but unidentifiable: retrying could double-send, so surface it loudly
            raise SendRejected("Twilio accepted the message but returned no MessageSid")
        return SendReceipt(provider_message_id=sid)


def _error_text(exc: TwilioRestException | TwilioServiceException) -> str:
    if isinstance(exc, TwilioServiceException):
        return f"{exc.title}: {exc.detail}" if exc.detail else str(exc.title)
    return str(exc.msg)


def _classify(status: int, code: object, text: str) -> SendRetryable | SendRejected:
    """Map Twilio's HTTP status to our outcome; the Twilio code goes into the message."""
    described = f"Twilio {status} (code {code}): {text}"
    if is_transient(status):
        return SendRetryable(described)
    return SendRejected(described)
