"""Twilio webhooks: signature check and parsing of status callbacks and inbound SMS.

Twilio signs each webhook with the account auth token over the full URL it
called plus the sorted POST parameters (header `X-Twilio-Signature`); the
SDK's `RequestValidator` does the computation. The URL must be the public
one Twilio used, not the one a proxy forwarded to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"


def validate_signature(
    *, auth_token: str, url: str, params: Mapping[str, str], signature: str | None
) -> bool:
    """True when `signature` is Twilio's signature of `url` + `params` under `auth_token`."""
    if not signature:
        return False
    validator = RequestValidator(auth_token)
    return bool(validator.validate(url, dict(params), signature))


@dataclass(frozen=True, slots=True)
class StatusCallback:
    """A delivery report for a message we sent."""

    message_sid: str
    status: str  # queued, sending, sent, delivered, undelivered, failed, ...
    error_code: str | None
    to: str


@dataclass(frozen=True, slots=True)
class InboundSms:
    """An SMS a guest sent to one of our numbers (e.g. a reply to a reminder)."""

    message_sid: str
    from_number: str
    to_number: str
    body: str


def _required(params: Mapping[str, str], *names: str) -> str:
    """The first present field among `names` (Twilio sends legacy aliases too)."""
    for name in names:
        value = params.get(name)
        if value:
            return value
    raise ValueError(f"missing Twilio webhook field: {names[0]}")


def parse_status_callback(params: Mapping[str, str]) -> StatusCallback:
    """Read a status callback's form fields; raise ValueError naming a missing field."""
    return StatusCallback(
        message_sid=_required(params, "MessageSid", "SmsSid"),
        status=_required(params, "MessageStatus", "SmsStatus"),
        error_code=params.get("ErrorCode") or None,
        to=_required(params, "To"),
    )


def parse_inbound_sms(params: Mapping[str, str]) -> InboundSms:
    """Read an inbound message's form fields; raise ValueError naming a missing field."""
    if "Body" not in params:
        raise ValueError("missing Twilio webhook field: Body")
    return InboundSms(
        message_sid=_required(params, "MessageSid", "SmsSid"),
        from_number=_required(params, "From"),
        to_number=_required(params, "To"),
        # an empty body is legitimate (e.g. an MMS with only media)
        body=params["Body"],
    )
