"""Adyen notification items the SDK's HMAC check cannot even compute: a 401, never a 500.

Each case is a correctly signed notification with one field changed, posted with the
right basic auth. A signature that cannot be computed (a field missing, text UTF-8
cannot encode, a signature that is not ASCII) is not an authentic one. Over HTTP, on
both databases; nothing here gets as far as a worker.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from models.orm import ProcessedWebhookEvent
from payments.config import WebhookCredentials, webhook_credentials
from payments.notifications import parse_notification_items, signed_notification, verify_hmac
from tests.conftest import Api
from tests.conftest import test_settings as settings_for

WEBHOOK = "/api/v1/reservations/webhooks/adyen"
HMAC_MISMATCH = "a notification item's HMAC signature does not match"
Item = dict[str, Any]


def _credentials(api: Api) -> WebhookCredentials:
    # the local provider's: derived from the test settings' JWT secret
    return webhook_credentials(settings_for(api.db.url))


def _signed(creds: WebhookCredentials, psp: str = "PSPHOSTILE000001", **extra: Any) -> Item:
    return signed_notification(
        hmac_key_hex=creds.hmac_key_hex,
        event_code="AUTHORISATION",
        success=True,
        psp_reference=psp,
        merchant_reference="HOSTILE1",
        merchant_account=creds.merchant_account,
        amount_minor=2500,
        currency="EUR",
        **extra,
    )


def _item(body: Item) -> Item:
    item: Item = body["notificationItems"][0]["NotificationRequestItem"]
    return item


async def _post(api: Api, creds: WebhookCredentials, body: Item | bytes) -> httpx.Response:
    raw = f"{creds.username}:{creds.password}".encode()
    # json.dumps escapes a lone surrogate as \ud800, as a hostile sender would write it
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await api.client.post(
        WEBHOOK,
        content=content,
        headers={
            "Authorization": "Basic " + base64.b64encode(raw).decode(),
            "content-type": "application/json",
        },
    )


async def _processed(api: Api) -> int:
    async with api.db.sessions() as session:
        return int(
            await session.scalar(select(func.count()).select_from(ProcessedWebhookEvent)) or 0
        )


def _set_signature(value: str) -> Callable[[Item], None]:
    def change(item: Item) -> None:
        item["additionalData"]["hmacSignature"] = value

    return change


def _set(name: str, value: Any) -> Callable[[Item], None]:
    def change(item: Item) -> None:
        item[name] = value

    return change


def _nest_a_genuine_item(genuine: Callable[[], Item]) -> Callable[[Item], None]:
    """The SDK checks `item["notificationItems"][0]` when an item has that key: a replayed
    genuine item inside would vouch for the forged one around it."""

    def change(item: Item) -> None:
        item["amount"]["value"] = 999_999
        item["additionalData"]["hmacSignature"] = "forged"
        item["notificationItems"] = genuine()["notificationItems"]

    return change


def _deep(depth: int) -> Any:
    return json.loads("[" * depth + "]" * depth)


def _refused_with_deep_psp(item: Item) -> None:
    # past any use (so not refused as malformed first), its pspReference nested 600 deep
    item["amount"]["value"] = 2**63
    item["pspReference"] = _deep(600)


UNCOMPUTABLE: list[tuple[str, Callable[[Item], None]]] = [
    ("non-ascii-signature", _set_signature("é")),
    ("non-ascii-signature-full-length", _set_signature("é" * 44)),
    ("amount-2^63-without-currency", _set("amount", {"value": 2**63})),
    ("amount-negative-without-currency", _set("amount", {"value": -1})),
    ("lone-surrogate-pspReference", _set("pspReference", "\ud800")),
    ("lone-surrogate-merchantReference", _set("merchantReference", "\udfff")),
    ("pspReference-nested-600-deep", _refused_with_deep_psp),
]


@pytest.mark.parametrize(
    "change", [c for _, c in UNCOMPUTABLE], ids=[name for name, _ in UNCOMPUTABLE]
)
async def test_an_item_whose_hmac_cannot_be_computed_is_401(
    api: Api, change: Callable[[Item], None]
) -> None:
    creds = _credentials(api)
    body = _signed(creds)
    change(_item(body))
    r = await _post(api, creds, body)
    assert r.status_code == 401, r.text[:500]
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == HMAC_MISMATCH
    assert await _processed(api) == 0


async def test_a_genuine_item_nested_in_a_forged_one_does_not_vouch_for_it(api: Api) -> None:
    creds = _credentials(api)
    body = _signed(creds, psp="PSPFORGED0000001")
    _nest_a_genuine_item(lambda: _signed(creds))(_item(body))
    r = await _post(api, creds, body)
    assert r.status_code == 401, r.text[:500]
    assert r.json()["detail"] == HMAC_MISMATCH
    assert await _processed(api) == 0


@pytest.mark.parametrize("nested", [[], {"a": 1}, [1]], ids=["empty", "object", "not-an-item"])
async def test_a_genuine_item_with_a_stray_notification_items_key_is_checked_as_itself(
    api: Api, nested: Any
) -> None:
    # the key is not signed: the item's own signature decides, whatever the key holds
    creds = _credentials(api)
    body = _signed(creds)
    _item(body)["notificationItems"] = nested
    r = await _post(api, creds, body)
    assert r.status_code == 200, r.text[:500]
    assert r.text == "[accepted]"


async def test_a_genuine_item_with_a_deeply_nested_unsigned_field_is_accepted(api: Api) -> None:
    # under the JSON decoder's depth limit, past what copying the whole item can take
    creds = _credentials(api)
    body = _signed(creds, additional_data={"tokenization.storedPaymentMethodId": "M5N7TQ4TG5"})
    _item(body)["additionalData"]["nested"] = _deep(600)
    r = await _post(api, creds, body)
    assert r.status_code == 200, r.text[:500]
    assert r.text == "[accepted]"


async def test_genuine_items_are_still_accepted(api: Api) -> None:
    creds = _credentials(api)
    for body in (_signed(creds), _signed(creds, psp="PSPHOSTILE000002")):
        r = await _post(api, creds, body)
        assert r.status_code == 200, r.text[:500]
        assert r.text == "[accepted]"
    # genuinely signed but past any use: refused for ops, still accepted
    huge = signed_notification(
        hmac_key_hex=creds.hmac_key_hex,
        event_code="AUTHORISATION",
        success=True,
        psp_reference="PSPHOSTILE000003",
        merchant_reference="HOSTILE1",
        merchant_account=creds.merchant_account,
        amount_minor=2**63,
        currency="EUR",
    )
    r = await _post(api, creds, huge)
    assert r.status_code == 200 and r.text == "[accepted]", r.text[:500]


async def test_a_body_with_an_integer_past_the_decoders_digit_limit_is_422(api: Api) -> None:
    creds = _credentials(api)
    body = json.dumps(_signed(creds)).encode().replace(b'"value": 2500', b'"value": ' + b"9" * 5000)
    r = await _post(api, creds, body)
    assert r.status_code == 422, r.text[:500]
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await _processed(api) == 0


# ---- the check itself, without HTTP --------------------------------------------------------


def test_verify_hmac_answers_false_for_every_uncomputable_item() -> None:
    key = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"
    creds = WebhookCredentials("u", "p", key, "TestMerchant")
    genuine = _signed(creds)
    (item,) = parse_notification_items(genuine)
    assert verify_hmac(item, key)
    changes = [c for _, c in UNCOMPUTABLE] + [_nest_a_genuine_item(lambda: _signed(creds))]
    for change in changes:
        body = copy.deepcopy(genuine)
        change(_item(body))
        (parsed,) = parse_notification_items(body)
        assert verify_hmac(parsed, key) is False, _item(body)
