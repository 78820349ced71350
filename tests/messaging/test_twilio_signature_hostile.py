"""Twilio webhook signatures a caller can garble: a 403 problem+json, never a 500.

The SDK's RequestValidator compares character by character (no compare_digest), so a
non-ASCII X-Twilio-Signature (a raw 0xE9 arrives as "é") is simply wrong; pinned here
so an SDK change that starts raising is caught. Over HTTP, on both databases.
"""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from twilio.request_validator import RequestValidator

from api.app import create_app
from reservations.cache import MemoryCache
from tests.conftest import Api, Database
from tests.conftest import test_settings as settings_for
from tests.messaging.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, MESSAGING_SERVICE_SID

BASE = "/api/v1/reservations"
STATUS_PATH = f"{BASE}/webhooks/twilio/status"
SMS_PATH = f"{BASE}/webhooks/twilio/sms"
PUBLIC = "https://book.example.test"


@pytest.fixture
async def twilio_api(db: Database) -> AsyncIterator[Api]:
    settings = settings_for(
        db.url,
        public_base_url=PUBLIC,
        sms_provider="twilio",
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_messaging_service_sid=MESSAGING_SERVICE_SID,
    )
    app = create_app(settings, engine=db.engine, cache=MemoryCache())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(client=client, db=db)


def _status_params() -> dict[str, str]:
    sid = "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "To": "+31612345678",
        "MessageStatus": "delivered",
    }


@pytest.mark.parametrize(
    "signature",
    [b"\xe9", b"sha256=\xe9", b"\xe9" * 28, b"\xff" * 64],
    ids=["e-acute", "prefixed-e-acute", "sha1-length", "ff-x64"],
)
@pytest.mark.parametrize("path", [STATUS_PATH, SMS_PATH], ids=["status", "sms"])
async def test_a_non_ascii_twilio_signature_is_403(
    twilio_api: Api, path: str, signature: bytes
) -> None:
    params = {**_status_params(), "From": "+31612345678", "Body": "YES"}
    r = await twilio_api.client.post(
        path,
        content=urllib.parse.urlencode(params).encode(),
        headers={
            b"content-type": b"application/x-www-form-urlencoded",
            b"X-Twilio-Signature": signature,
        },
    )
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_a_form_value_that_is_not_utf8_is_403_unsigned_and_204_signed(
    twilio_api: Api,
) -> None:
    # %ED%A0%80 is a UTF-8-encoded surrogate, %FF no UTF-8 at all: read as U+FFFD
    params = _status_params()
    raw = urllib.parse.urlencode(params) + "&ErrorMessage=%ED%A0%80%FF"
    headers = {b"content-type": b"application/x-www-form-urlencoded"}
    forged = await twilio_api.client.post(
        STATUS_PATH, content=raw.encode(), headers={**headers, b"X-Twilio-Signature": b"\xe9"}
    )
    assert forged.status_code == 403, forged.text
    # signed over the values as the server reads them, it is a genuine report
    read = dict(urllib.parse.parse_qsl(raw))
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + STATUS_PATH, read)
    ok = await twilio_api.client.post(
        STATUS_PATH,
        content=raw.encode(),
        headers={**headers, b"X-Twilio-Signature": signature.encode()},
    )
    assert ok.status_code == 204, ok.text
