"""`LocalProvider`: a simulated PSP for `reservations dev` and tests, with no network.

Every answer is derived from the request's idempotency key, so a retried call gets
the same session or pspReference, just as Adyen answers a repeated key. The guest
pays on the API's own local checkout page, which posts signed webhooks.
"""

from __future__ import annotations

import hashlib

from payments.provider import (
    ChargeResult,
    CheckoutSession,
    ModificationReceived,
    ModificationRequest,
    ProviderRefused,
    SessionRequest,
    StoredCardCharge,
)

# where the API serves the local checkout page (api/routers/local_checkout.py)
CHECKOUT_PATH = "/api/v1/reservations/payments/local/checkout"

# Stored payment method ids with this prefix are declined, so the refusal path can be tried.
REFUSED_CARD_PREFIX = "refuse"


def _digest(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:16].upper()


def local_psp_reference(seed: str) -> str:
    """A deterministic pspReference ("LOCAL-" + 16 hex characters) for `seed`."""
    return "LOCAL-" + _digest(seed)


def local_payment_psp_reference(session_id: str) -> str:
    """The pspReference of the one successful payment a local checkout session takes.

    Derived from the session alone, so a repeated or concurrent Pay sends the same
    AUTHORISATION (one event id), which the webhook route and the workflow drop as
    a redelivery: a session is paid at most once, however often Pay is pressed.
    """
    return local_psp_reference(f"{session_id}:authorised")


def local_stored_card_id(session_id: str) -> str:
    """The stored payment method id a local guarantee session files (one per session)."""
    return "LOCALCARD-" + _digest(f"{session_id}:card")[:12]


def local_session_id(idempotency_key: str) -> str:
    """The local checkout session id for a create-session idempotency key."""
    return "LOCAL-SESSION-" + _digest(idempotency_key)


def _check_amount(amount_minor: int, currency: str) -> None:
    # Refuse what Adyen would refuse with a 422, so the local flow cannot hide such bugs.
    if amount_minor < 0:
        raise ProviderRefused(f"amount must not be negative, got {amount_minor}")
    if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        raise ProviderRefused(f"currency must be an ISO 4217 code, got {currency!r}")


class LocalProvider:
    """The `PaymentProvider` of the embedded default: answers at once, settles at once."""

    name = "local"

    def __init__(self, *, public_base_url: str) -> None:
        """`public_base_url` is where guests reach the API (its checkout page lives there)."""
        self._public_base_url = public_base_url.rstrip("/")

    async def create_session(self, request: SessionRequest) -> CheckoutSession:
        """A session on the local checkout page; the same key answers the same session."""
        _check_amount(request.amount_minor, request.currency)
        session_id = local_session_id(request.idempotency_key)
        return CheckoutSession(
            session_id=session_id,
            session_data="local",
            client_key="local",
            environment="local",
            checkout_url=f"{self._public_base_url}{CHECKOUT_PATH}/{session_id}",
        )

    async def _modify(
        self, request: ModificationRequest, *, check_amount: bool = True
    ) -> ModificationReceived:
        if check_amount:
            _check_amount(request.amount_minor, request.currency)
        return ModificationReceived(
            psp_reference=local_psp_reference(request.idempotency_key), settled=True
        )

    async def refund(self, request: ModificationRequest) -> ModificationReceived:
        """A refund, settled at once."""
        return await self._modify(request)

    async def capture(self, request: ModificationRequest) -> ModificationReceived:
        """A capture, settled at once."""
        return await self._modify(request)

    async def cancel(self, request: ModificationRequest) -> ModificationReceived:
        """A cancel, settled at once (a cancel carries no amount, as at Adyen)."""
        return await self._modify(request, check_amount=False)

    async def charge_stored_card(self, request: StoredCardCharge) -> ChargeResult:
        """Authorised, unless the stored payment method id starts with "refuse"."""
        _check_amount(request.amount_minor, request.currency)
        psp_reference = local_psp_reference(request.idempotency_key)
        if request.stored_payment_method_id.startswith(REFUSED_CARD_PREFIX):
            return ChargeResult(
                psp_reference=psp_reference, result_code="Refused", refusal_reason="Refused"
            )
        return ChargeResult(psp_reference=psp_reference, result_code="Authorised")
