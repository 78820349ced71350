"""AdyenProvider: the real Adyen SDK against a local server speaking the Checkout API."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from dataclasses import replace

import pytest

from payments.adyen import AdyenProvider, adyen_idempotency_key
from payments.provider import (
    ModificationRequest,
    PaymentProvider,
    ProviderRefused,
    ProviderUnavailable,
    SessionRequest,
    StoredCardCharge,
)
from tests.payments.fake_adyen import API_KEY, MERCHANT_ACCOUNT, FakeAdyen, fake_adyen

__all__ = ["fake_adyen"]  # the fixture, imported for pytest

EXPIRES = dt.datetime(2031, 5, 17, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def provider_for(server: FakeAdyen, **overrides: object) -> AdyenProvider:
    options: dict[str, object] = {
        "api_key": API_KEY,
        "merchant_account": MERCHANT_ACCOUNT,
        "client_key": "test_CLIENTKEY",
        "environment": "test",
        "checkout_base_url": server.checkout_url,
        "timeout_seconds": 5,
    }
    options.update(overrides)
    return AdyenProvider(**options)  # type: ignore[arg-type]


def session_request(*, store_card: bool, key: str = "session-key-1") -> SessionRequest:
    return SessionRequest(
        reservation_reference="RES-2031-000042",
        shopper_reference="guest-7f3a",
        shopper_email="ada@example.com",
        amount_minor=0 if store_card else 2500,
        currency="EUR",
        store_card=store_card,
        return_url="https://book.example.com/r/RES-2031-000042",
        expires_at=EXPIRES,
        country_code="NL",
        shopper_locale="nl-NL",
        idempotency_key=key,
    )


def modification(key: str = "refund-key-1") -> ModificationRequest:
    return ModificationRequest(
        payment_psp_reference="PSP0000000000001",
        amount_minor=1500,
        currency="EUR",
        reservation_reference="RES-2031-000042",
        idempotency_key=key,
    )


def charge(stored_id: str = "STORED00000001", key: str = "noshow-key-1") -> StoredCardCharge:
    return StoredCardCharge(
        shopper_reference="guest-7f3a",
        stored_payment_method_id=stored_id,
        amount_minor=4000,
        currency="EUR",
        reservation_reference="RES-2031-000042",
        idempotency_key=key,
    )


def test_is_a_payment_provider() -> None:
    provider: PaymentProvider = AdyenProvider(
        api_key="k", merchant_account="m", client_key="c", environment="test"
    )
    assert provider.name == "adyen"


def test_live_needs_its_url_prefix() -> None:
    with pytest.raises(ValueError, match="live_url_prefix"):
        AdyenProvider(api_key="k", merchant_account="m", client_key="c", environment="live")


async def test_deposit_session(fake_adyen: FakeAdyen) -> None:
    session = await provider_for(fake_adyen).create_session(session_request(store_card=False))

    [sent] = fake_adyen.received("/sessions")
    assert sent.method == "POST"
    assert sent.path == "/checkout/v72/sessions"
    assert sent.headers["x-api-key"] == API_KEY
    assert sent.idempotency_key == "session-key-1"
    assert sent.json == {
        "merchantAccount": MERCHANT_ACCOUNT,
        "amount": {"value": 2500, "currency": "EUR"},
        "reference": "RES-2031-000042",
        "returnUrl": "https://book.example.com/r/RES-2031-000042",
        "expiresAt": "2031-05-17T16:30:00+00:00",
        "shopperReference": "guest-7f3a",
        "shopperEmail": "ada@example.com",
        "shopperLocale": "nl-NL",
        "countryCode": "NL",
    }
    assert session.session_id.startswith("CS")
    assert session.session_data.startswith("Ab02b4c0!")
    assert session.client_key == "test_CLIENTKEY"
    assert session.environment == "test"
    assert session.checkout_url is None


async def test_guarantee_session_stores_the_card(fake_adyen: FakeAdyen) -> None:
    request = session_request(store_card=True, key="guarantee-key-1")
    await provider_for(fake_adyen).create_session(request)

    [sent] = fake_adyen.received("/sessions")
    assert sent.idempotency_key == "guarantee-key-1"
    assert sent.json["amount"] == {"value": 0, "currency": "EUR"}
    assert sent.json["storePaymentMethod"] is True
    assert sent.json["recurringProcessingModel"] == "UnscheduledCardOnFile"
    assert sent.json["shopperInteraction"] == "Ecommerce"
    assert sent.json["shopperReference"] == "guest-7f3a"
    assert sent.json["reference"] == "RES-2031-000042"


async def test_session_without_country_leaves_it_out(fake_adyen: FakeAdyen) -> None:
    request = replace(session_request(store_card=False), country_code=None)
    await provider_for(fake_adyen).create_session(request)
    assert "countryCode" not in fake_adyen.received("/sessions")[0].json


async def test_naive_expiry_is_refused_before_sending(fake_adyen: FakeAdyen) -> None:
    request = replace(session_request(store_card=False), expires_at=dt.datetime(2031, 1, 1))
    with pytest.raises(ProviderRefused):
        await provider_for(fake_adyen).create_session(request)
    assert fake_adyen.requests == []


@pytest.mark.parametrize(
    ("operation", "kind"), [("refund", "refunds"), ("capture", "captures"), ("cancel", "cancels")]
)
async def test_modifications(fake_adyen: FakeAdyen, operation: str, kind: str) -> None:
    provider = provider_for(fake_adyen)
    received = await getattr(provider, operation)(modification(key=f"{operation}-key"))

    [sent] = fake_adyen.received(kind)
    assert sent.path == f"/checkout/v72/payments/PSP0000000000001/{kind}"
    assert sent.idempotency_key == f"{operation}-key"
    expected = {"merchantAccount": MERCHANT_ACCOUNT, "reference": "RES-2031-000042"}
    if kind != "cancels":
        expected["amount"] = {"value": 1500, "currency": "EUR"}  # type: ignore[assignment]
    assert sent.json == expected
    # The modification's own pspReference, not the payment's.
    assert received.psp_reference != "PSP0000000000001"
    assert len(received.psp_reference) == 16
    assert received.settled is False


async def test_stored_card_charge_is_merchant_initiated(fake_adyen: FakeAdyen) -> None:
    result = await provider_for(fake_adyen).charge_stored_card(charge())

    [sent] = fake_adyen.received("/payments")
    assert sent.idempotency_key == "noshow-key-1"
    assert sent.json == {
        "merchantAccount": MERCHANT_ACCOUNT,
        "amount": {"value": 4000, "currency": "EUR"},
        "reference": "RES-2031-000042",
        "shopperReference": "guest-7f3a",
        "paymentMethod": {"type": "scheme", "storedPaymentMethodId": "STORED00000001"},
        "shopperInteraction": "ContAuth",
        "recurringProcessingModel": "UnscheduledCardOnFile",
    }
    assert result.result_code == "Authorised"
    assert result.psp_reference is not None
    assert result.refusal_reason is None


async def test_refused_charge(fake_adyen: FakeAdyen) -> None:
    result = await provider_for(fake_adyen).charge_stored_card(charge("refuse-me"))
    assert result.result_code == "Refused"
    assert result.refusal_reason == "Refused"
    assert result.psp_reference is not None


async def test_repeated_idempotency_key_charges_once(fake_adyen: FakeAdyen) -> None:
    provider = provider_for(fake_adyen)
    first = await provider.charge_stored_card(charge(key="noshow-once"))
    second = await provider.charge_stored_card(charge(key="noshow-once"))

    assert first == second
    assert len(fake_adyen.received("/payments")) == 2
    assert len(fake_adyen.processed("/payments")) == 1


async def test_concurrent_calls_do_not_interfere(fake_adyen: FakeAdyen) -> None:
    provider = provider_for(fake_adyen)
    results = await asyncio.gather(
        *(provider.charge_stored_card(charge(key=f"parallel-{n}")) for n in range(8))
    )
    assert len({r.psp_reference for r in results}) == 8
    assert sorted(r.idempotency_key or "" for r in fake_adyen.requests) == sorted(
        f"parallel-{n}" for n in range(8)
    )


async def test_long_idempotency_key_is_hashed_to_adyens_limit(fake_adyen: FakeAdyen) -> None:
    key = "reservation-" + "x" * 80
    await provider_for(fake_adyen).refund(modification(key=key))
    [sent] = fake_adyen.requests
    assert sent.idempotency_key == adyen_idempotency_key(key)
    assert len(sent.idempotency_key) == 64


async def test_server_error_is_unavailable_then_retry_succeeds(fake_adyen: FakeAdyen) -> None:
    provider = provider_for(fake_adyen)
    fake_adyen.fail_next(2)
    for _ in range(2):
        with pytest.raises(ProviderUnavailable, match="500"):
            await provider.refund(modification(key="refund-retry"))
    received = await provider.refund(modification(key="refund-retry"))

    assert received.psp_reference
    assert len(fake_adyen.received("refunds")) == 3
    assert len(fake_adyen.processed("refunds")) == 1


@pytest.mark.parametrize("status", [408, 429, 502, 503])
async def test_throttling_and_gateway_errors_are_unavailable(
    fake_adyen: FakeAdyen, status: int
) -> None:
    fake_adyen.fail_next(1, status=status)
    with pytest.raises(ProviderUnavailable, match=str(status)):
        await provider_for(fake_adyen).capture(modification())


async def test_validation_error_is_refused(fake_adyen: FakeAdyen) -> None:
    request = replace(session_request(store_card=False), currency="eur")
    with pytest.raises(ProviderRefused, match="422"):
        await provider_for(fake_adyen).create_session(request)
    assert fake_adyen.processed() == []


async def test_wrong_api_key_is_refused(fake_adyen: FakeAdyen) -> None:
    with pytest.raises(ProviderRefused, match="401"):
        await provider_for(fake_adyen, api_key="wrong").cancel(modification())


async def test_wrong_merchant_account_is_refused(fake_adyen: FakeAdyen) -> None:
    with pytest.raises(ProviderRefused, match="901"):
        await provider_for(fake_adyen, merchant_account="Other").cancel(modification())


async def test_unreachable_server_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = AdyenProvider(
        api_key=API_KEY,
        merchant_account=MERCHANT_ACCOUNT,
        client_key="c",
        environment="test",
        checkout_base_url=f"http://127.0.0.1:{port}/checkout/v72",
        timeout_seconds=2,
    )
    with pytest.raises(ProviderUnavailable):
        await provider.charge_stored_card(charge())


async def test_timeout_is_unavailable(fake_adyen: FakeAdyen) -> None:
    fake_adyen.delay_next(1.0)
    with pytest.raises(ProviderUnavailable):
        await provider_for(fake_adyen, timeout_seconds=0.2).refund(modification())
