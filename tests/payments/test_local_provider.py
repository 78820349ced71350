"""LocalProvider: deterministic answers per idempotency key, no network."""

from __future__ import annotations

import datetime as dt

import pytest

from payments.local import LocalProvider, local_psp_reference, local_session_id
from payments.provider import (
    ModificationRequest,
    PaymentProvider,
    ProviderRefused,
    SessionRequest,
    StoredCardCharge,
)

BASE = "http://localhost:8000"


def session_request(key: str, *, amount: int = 2500) -> SessionRequest:
    return SessionRequest(
        reservation_reference="RES-2031-000042",
        shopper_reference="guest-7f3a",
        shopper_email="ada@example.com",
        amount_minor=amount,
        currency="EUR",
        store_card=False,
        return_url="http://localhost:8000/done",
        expires_at=dt.datetime(2031, 5, 17, 18, 30, tzinfo=dt.UTC),
        country_code=None,
        shopper_locale="en-GB",
        idempotency_key=key,
    )


def modification(key: str, *, amount: int = 1500) -> ModificationRequest:
    return ModificationRequest(
        payment_psp_reference="LOCAL-0000000000000000",
        amount_minor=amount,
        currency="EUR",
        reservation_reference="RES-2031-000042",
        idempotency_key=key,
    )


def charge(stored_id: str, key: str = "noshow-1") -> StoredCardCharge:
    return StoredCardCharge(
        shopper_reference="guest-7f3a",
        stored_payment_method_id=stored_id,
        amount_minor=4000,
        currency="EUR",
        reservation_reference="RES-2031-000042",
        idempotency_key=key,
    )


async def test_session_is_deterministic_per_key() -> None:
    provider: PaymentProvider = LocalProvider(public_base_url=BASE + "/")
    assert provider.name == "local"
    first = await provider.create_session(session_request("k1"))
    again = await provider.create_session(session_request("k1"))
    other = await provider.create_session(session_request("k2"))

    assert first == again
    assert first.session_id != other.session_id
    assert first.session_id == local_session_id("k1")
    assert first.session_id.startswith("LOCAL-SESSION-")
    assert first.session_data == "local"
    assert first.client_key == "local"
    assert first.environment == "local"
    assert (
        first.checkout_url
        == f"{BASE}/api/v1/reservations/payments/local/checkout/{first.session_id}"
    )


@pytest.mark.parametrize("operation", ["refund", "capture", "cancel"])
async def test_modifications_settle_at_once(operation: str) -> None:
    provider = LocalProvider(public_base_url=BASE)
    received = await getattr(provider, operation)(modification(f"{operation}-1"))
    again = await getattr(provider, operation)(modification(f"{operation}-1"))

    assert received == again
    assert received.settled is True
    assert received.psp_reference == local_psp_reference(f"{operation}-1")
    assert received.psp_reference.startswith("LOCAL-")


async def test_stored_card_charge() -> None:
    provider = LocalProvider(public_base_url=BASE)
    result = await provider.charge_stored_card(charge("STORED-1", key="fee-1"))
    assert result.result_code == "Authorised"
    assert result.psp_reference == local_psp_reference("fee-1")
    assert result.refusal_reason is None


async def test_refuse_prefix_is_refused() -> None:
    result = await LocalProvider(public_base_url=BASE).charge_stored_card(charge("refuse-1"))
    assert result.result_code == "Refused"
    assert result.refusal_reason == "Refused"
    assert result.psp_reference is not None


def test_psp_reference_is_stable_and_seed_specific() -> None:
    assert local_psp_reference("a") == local_psp_reference("a")
    assert local_psp_reference("a") != local_psp_reference("b")
    assert len(local_psp_reference("a")) == len("LOCAL-") + 16


async def test_invalid_amounts_are_refused_like_adyen() -> None:
    provider = LocalProvider(public_base_url=BASE)
    with pytest.raises(ProviderRefused):
        await provider.create_session(session_request("k", amount=-1))
    with pytest.raises(ProviderRefused):
        await provider.refund(modification("r", amount=-5))
