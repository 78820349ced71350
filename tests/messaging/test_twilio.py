"""TwilioSender through the official SDK against the local fake, and the webhook helpers."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from twilio.request_validator import RequestValidator

from messaging.channels import SendRejected, SendRetryable, SmsMessage
from messaging.twilio_sms import TwilioSender
from messaging.twilio_webhooks import (
    InboundSms,
    StatusCallback,
    parse_inbound_sms,
    parse_status_callback,
    validate_signature,
)
from tests.messaging.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    MESSAGING_SERVICE_SID,
    FakeTwilio,
)

SID = re.compile(r"^SM[0-9a-f]{32}$")
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
CALLBACK = "https://book.example/webhooks/twilio/status?outbox=42"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwilio]:
    server = FakeTwilio()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def sender_for(fake: FakeTwilio, **overrides: Any) -> TwilioSender:
    options: dict[str, Any] = {
        "account_sid": ACCOUNT_SID,
        "auth_token": AUTH_TOKEN,
        "messaging_service_sid": MESSAGING_SERVICE_SID,
        "from_number": None,
        "api_base_url": fake.url,
        "timeout_seconds": 5,
    }
    options.update(overrides)
    return TwilioSender(**options)


SMS = SmsMessage(
    to="+33612345678", body="Chez Léa: table pour 2 demain à 20:00. Répondez C pour annuler."
)


async def test_messaging_service_request_shape(fake: FakeTwilio) -> None:
    receipt = await sender_for(fake, from_number=FROM_NUMBER).send_sms(SMS)

    assert SID.match(receipt.provider_message_id)
    [request] = fake.requests
    assert (request.method, request.path, request.status) == ("POST", MESSAGES_PATH, 201)
    # the service wins over the number: Twilio gets exactly one sender field
    assert request.form == {
        "To": "+33612345678",
        "Body": SMS.body,
        "MessagingServiceSid": MESSAGING_SERVICE_SID,
    }
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert fake.messages[receipt.provider_message_id]["body"] == SMS.body


async def test_from_number_request_shape_with_status_callback(fake: FakeTwilio) -> None:
    sender = sender_for(fake, messaging_service_sid=None, from_number=FROM_NUMBER)
    message = SmsMessage(to="+14155550123", body="Reminder", status_callback_url=CALLBACK)

    receipt = await sender.send_sms(message)

    [request] = fake.requests
    assert request.form == {
        "To": "+14155550123",
        "From": FROM_NUMBER,
        "Body": "Reminder",
        "StatusCallback": CALLBACK,
    }
    assert fake.messages[receipt.provider_message_id]["status"] == "queued"


async def test_server_error_is_retryable_then_the_retry_succeeds(fake: FakeTwilio) -> None:
    sender = sender_for(fake)
    fake.fail_next(1, status=500)

    with pytest.raises(SendRetryable, match="500"):
        await sender.send_sms(SMS)
    receipt = await sender.send_sms(SMS)

    assert [r.status for r in fake.requests] == [500, 201]
    assert SID.match(receipt.provider_message_id)


async def test_throttling_is_retryable(fake: FakeTwilio) -> None:
    fake.fail_next(1, status=429)
    with pytest.raises(SendRetryable, match="20429"):
        await sender_for(fake).send_sms(SMS)


async def test_a_request_timeout_is_retryable(fake: FakeTwilio) -> None:
    fake.fail_next(1, status=408)
    with pytest.raises(SendRetryable, match="408"):
        await sender_for(fake).send_sms(SMS)


async def test_invalid_number_is_rejected_with_twilio_code(fake: FakeTwilio) -> None:
    with pytest.raises(SendRejected, match="21211") as caught:
        await sender_for(fake).send_sms(SmsMessage(to="0612345678", body="Hi"))
    assert "not a valid phone number" in str(caught.value)
    assert [r.status for r in fake.requests] == [400]


async def test_basic_auth_is_checked(fake: FakeTwilio) -> None:
    sender = sender_for(fake, auth_token="0" * 32)
    with pytest.raises(SendRejected, match="20003"):
        await sender.send_sms(SMS)
    assert [r.status for r in fake.requests] == [401]
    assert fake.messages == {}


async def test_nothing_listening_is_retryable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sender = TwilioSender(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        messaging_service_sid=MESSAGING_SERVICE_SID,
        from_number=None,
        api_base_url=f"http://127.0.0.1:{port}",
    )
    with pytest.raises(SendRetryable, match="unreachable"):
        await sender.send_sms(SMS)


async def test_slow_answer_times_out_as_retryable(fake: FakeTwilio) -> None:
    fake.delay_seconds = 1.0
    with pytest.raises(SendRetryable, match="unreachable"):
        await sender_for(fake, timeout_seconds=0.2).send_sms(SMS)


def test_a_sender_is_required() -> None:
    with pytest.raises(ValueError, match="from number"):
        TwilioSender(
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            messaging_service_sid=None,
            from_number=None,
        )


# --- webhooks ---------------------------------------------------------------

WEBHOOK_URL = "https://book.example/webhooks/twilio/status?outbox=42"
STATUS_PARAMS = {
    "AccountSid": ACCOUNT_SID,
    "ApiVersion": "2010-04-01",
    "From": FROM_NUMBER,
    "MessageSid": "SM" + "a" * 32,
    "MessageStatus": "undelivered",
    "SmsSid": "SM" + "a" * 32,
    "SmsStatus": "undelivered",
    "ErrorCode": "30003",
    "To": "+33612345678",
}


def signed(url: str, params: dict[str, str]) -> str:
    return str(RequestValidator(AUTH_TOKEN).compute_signature(url, params))


def test_valid_signature_is_accepted() -> None:
    signature = signed(WEBHOOK_URL, STATUS_PARAMS)
    assert validate_signature(
        auth_token=AUTH_TOKEN, url=WEBHOOK_URL, params=STATUS_PARAMS, signature=signature
    )


def test_tampered_param_is_rejected() -> None:
    signature = signed(WEBHOOK_URL, STATUS_PARAMS)
    tampered = {**STATUS_PARAMS, "MessageStatus": "delivered"}
    assert not validate_signature(
        auth_token=AUTH_TOKEN, url=WEBHOOK_URL, params=tampered, signature=signature
    )


def test_wrong_url_is_rejected() -> None:
    signature = signed(WEBHOOK_URL, STATUS_PARAMS)
    assert not validate_signature(
        auth_token=AUTH_TOKEN,
        url=WEBHOOK_URL.replace("outbox=42", "outbox=43"),
        params=STATUS_PARAMS,
        signature=signature,
    )


def test_wrong_token_and_missing_header_are_rejected() -> None:
    signature = signed(WEBHOOK_URL, STATUS_PARAMS)
    assert not validate_signature(
        auth_token="e" * 32, url=WEBHOOK_URL, params=STATUS_PARAMS, signature=signature
    )
    for missing in (None, ""):
        assert not validate_signature(
            auth_token=AUTH_TOKEN, url=WEBHOOK_URL, params=STATUS_PARAMS, signature=missing
        )


def test_parse_status_callback() -> None:
    assert parse_status_callback(STATUS_PARAMS) == StatusCallback(
        message_sid="SM" + "a" * 32, status="undelivered", error_code="30003", to="+33612345678"
    )
    delivered = {k: v for k, v in STATUS_PARAMS.items() if k != "ErrorCode"}
    delivered["MessageStatus"] = "delivered"
    parsed = parse_status_callback(delivered)
    assert (parsed.status, parsed.error_code) == ("delivered", None)


@pytest.mark.parametrize("field", ["MessageSid", "MessageStatus", "To"])
def test_status_callback_names_a_missing_field(field: str) -> None:
    params = {
        k: v
        for k, v in STATUS_PARAMS.items()
        if k != field and k != field.replace("Message", "Sms")
    }
    with pytest.raises(ValueError, match=field):
        parse_status_callback(params)


INBOUND = {
    "AccountSid": ACCOUNT_SID,
    "MessageSid": "SM" + "b" * 32,
    "From": "+33612345678",
    "To": FROM_NUMBER,
    "Body": "C",
    "NumMedia": "0",
}


def test_parse_inbound_sms() -> None:
    assert parse_inbound_sms(INBOUND) == InboundSms(
        message_sid="SM" + "b" * 32, from_number="+33612345678", to_number=FROM_NUMBER, body="C"
    )


@pytest.mark.parametrize("field", ["MessageSid", "From", "To", "Body"])
def test_inbound_sms_names_a_missing_field(field: str) -> None:
    params = {k: v for k, v in INBOUND.items() if k != field}
    with pytest.raises(ValueError, match=field):
        parse_inbound_sms(params)
