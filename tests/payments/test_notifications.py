"""Adyen standard webhooks: parsing, HMAC signatures (the SDK's), basic auth."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
from typing import Any

import pytest

from payments.notifications import (
    MalformedNotification,
    check_basic_auth,
    parse_notification,
    signed_notification,
    verify_hmac,
)

KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"
OTHER_KEY = "00" * 32
WHEN = dt.datetime(2031, 5, 17, 18, 31, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def authorisation(**overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "hmac_key_hex": KEY,
        "event_code": "AUTHORISATION",
        "success": True,
        "psp_reference": "7914073381342284",
        "merchant_reference": "RES-2031-000042",
        "merchant_account": "TestMerchantECOM",
        "amount_minor": 2500,
        "currency": "EUR",
        "event_date": WHEN,
        "additional_data": {"tokenization.storedPaymentMethodId": "M5N7TQ4TG5PFWR50"},
    }
    options.update(overrides)
    return signed_notification(**options)


def item_of(body: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = body["notificationItems"][0]["NotificationRequestItem"]
    return item


def test_signed_notification_shape() -> None:
    body = authorisation(reason="012345:1111:03/2030")
    assert body["live"] == "false"
    item = item_of(body)
    assert item["success"] == "true"
    assert item["amount"] == {"value": 2500, "currency": "EUR"}
    assert item["merchantAccountCode"] == "TestMerchantECOM"
    assert item["eventDate"] == "2031-05-17T18:31:05+02:00"
    assert item["additionalData"]["hmacSignature"]
    assert "originalReference" not in item


def test_parse_typed_fields() -> None:
    [item] = parse_notification(json.dumps(authorisation(reason="012345:1111:03/2030")).encode())
    assert item.event_code == "AUTHORISATION"
    assert item.success is True
    assert item.psp_reference == "7914073381342284"
    assert item.original_reference is None
    assert item.merchant_reference == "RES-2031-000042"
    assert item.merchant_account == "TestMerchantECOM"
    assert item.amount_minor == 2500
    assert item.currency == "EUR"
    assert item.reason == "012345:1111:03/2030"
    assert item.event_date == WHEN
    assert item.event_date is not None and item.event_date.utcoffset() is not None
    assert item.stored_payment_method_id == "M5N7TQ4TG5PFWR50"
    assert item.event_id == "7914073381342284:AUTHORISATION:true"
    assert item.live is False
    assert item.raw["additionalData"]["hmacSignature"]


def test_parse_refund_failure_and_legacy_recurring_reference() -> None:
    body = authorisation(
        event_code="REFUND",
        success=False,
        psp_reference="8825000000000001",
        original_reference="7914073381342284",
        additional_data={"recurring.recurringDetailReference": "8415000000000000"},
        live=True,
    )
    [item] = parse_notification(json.dumps(body))
    assert item.success is False
    assert item.original_reference == "7914073381342284"
    assert item.stored_payment_method_id == "8415000000000000"
    assert item.event_id == "8825000000000001:REFUND:false"
    assert item.live is True


def test_parse_several_items() -> None:
    first, second = authorisation(), authorisation(event_code="CAPTURE", psp_reference="X2")
    body = {
        "live": "false",
        "notificationItems": first["notificationItems"] + second["notificationItems"],
    }
    items = parse_notification(body)
    assert [i.event_code for i in items] == ["AUTHORISATION", "CAPTURE"]


def test_items_are_hashable_values() -> None:
    body = authorisation()
    assert parse_notification(body) == parse_notification(copy.deepcopy(body))
    assert len({parse_notification(body)[0], parse_notification(copy.deepcopy(body))[0]}) == 1


def test_hmac_valid() -> None:
    [item] = parse_notification(authorisation(original_reference="ORIG1", reason="x"))
    assert verify_hmac(item, KEY) is True
    assert verify_hmac(item, KEY.lower()) is True


def test_hmac_wrong_key() -> None:
    [item] = parse_notification(authorisation())
    assert verify_hmac(item, OTHER_KEY) is False


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("amount", "value"), 1),
        (("amount", "currency"), "USD"),
        (("success",), "false"),
        (("eventCode",), "REFUND"),
        (("merchantReference",), "RES-2031-000043"),
        (("pspReference",), "7914073381342285"),
    ],
)
def test_hmac_tampered(path: tuple[str, ...], value: Any) -> None:
    body = authorisation()
    target = item_of(body)
    for name in path[:-1]:
        target = target[name]
    target[path[-1]] = value
    [item] = parse_notification(body)
    assert verify_hmac(item, KEY) is False


def test_hmac_missing_or_empty_signature() -> None:
    body = authorisation()
    del item_of(body)["additionalData"]
    [item] = parse_notification(body)
    assert verify_hmac(item, KEY) is False

    body = authorisation()
    item_of(body)["additionalData"]["hmacSignature"] = ""
    [item] = parse_notification(body)
    assert verify_hmac(item, KEY) is False

    body = authorisation()
    del item_of(body)["additionalData"]["hmacSignature"]
    [item] = parse_notification(body)
    assert verify_hmac(item, KEY) is False


def test_hmac_key_that_is_not_hex_is_a_configuration_error() -> None:
    [item] = parse_notification(authorisation())
    with pytest.raises(ValueError, match="hexadecimal"):
        verify_hmac(item, "not-a-hex-key")


def test_signed_notification_needs_an_aware_date() -> None:
    with pytest.raises(ValueError, match="timezone"):
        authorisation(event_date=dt.datetime(2031, 1, 1))


def test_signed_notification_defaults_to_now() -> None:
    [item] = parse_notification(authorisation(event_date=None))
    assert item.event_date is not None
    assert abs(item.event_date - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def _wrap(item: Any) -> dict[str, Any]:
    return {"live": "false", "notificationItems": [{"NotificationRequestItem": item}]}


def _without(name: str) -> dict[str, Any]:
    item = item_of(authorisation())
    del item[name]
    return _wrap(item)


def _with(name: str, value: Any) -> dict[str, Any]:
    item = item_of(authorisation())
    item[name] = value
    return _wrap(item)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[" * 60_000, "nested too deeply"),
        ("[1, 2]", "not a JSON object"),
        ({"live": "false"}, "notificationItems"),
        ({"live": "false", "notificationItems": []}, "notificationItems"),
        ({"live": "maybe", "notificationItems": [{}]}, "live"),
        ({"notificationItems": ["x"]}, r"notificationItems\[0\] is not an object"),
        ({"notificationItems": [{"Other": {}}]}, "NotificationRequestItem is missing"),
        (_without("eventCode"), "eventCode"),
        (_without("pspReference"), "pspReference"),
        (_without("merchantAccountCode"), "merchantAccountCode"),
        (_without("amount"), "amount"),
        (_with("amount", {"value": "25", "currency": "EUR"}), "amount.value"),
        (_with("amount", {"value": 25}), "amount.currency"),
        (_with("success", True), "success"),
        (_with("success", "yes"), "success"),
        (_with("eventDate", "yesterday"), "eventDate"),
        (_with("additionalData", ["x"]), "additionalData"),
        (_with("reason", 5), "reason"),
    ],
)
def test_malformed(body: Any, named: str) -> None:
    with pytest.raises(MalformedNotification, match=named):
        parse_notification(body)


def test_malformed_is_a_value_error() -> None:
    assert issubclass(MalformedNotification, ValueError)


def test_naive_event_date_is_read_as_utc() -> None:
    [item] = parse_notification(_with("eventDate", "2031-05-17T16:31:05"))
    assert item.event_date == dt.datetime(2031, 5, 17, 16, 31, 5, tzinfo=dt.UTC)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (_basic("adyen", "s3cret:with:colons"), True),
        ("basic " + _basic("adyen", "s3cret:with:colons")[6:], True),
        (_basic("adyen", "wrong"), False),
        (_basic("other", "s3cret:with:colons"), False),
        (_basic("adyen", "s3cret:with:colon"), False),
        ("Basic " + base64.b64encode(b"adyen").decode(), False),
        ("Bearer " + _basic("adyen", "s3cret:with:colons")[6:], False),
        ("Basic !!!not-base64!!!", False),
        ("Basic", False),
        ("", False),
        (None, False),
    ],
)
def test_basic_auth(header: str | None, expected: bool) -> None:
    assert check_basic_auth(header, username="adyen", password="s3cret:with:colons") is expected
