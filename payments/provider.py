"""The payment provider interface: what the reservation workflow's activities ask of a PSP.

Two implementations sit behind it: `payments.adyen.AdyenProvider` (the official
Adyen SDK, Checkout API) and `payments.local.LocalProvider` (a simulated PSP for
`reservations dev` and tests). Amounts are integer minor units throughout.

Every call carries an idempotency key derived from the reservation and the money
movement; a provider must treat a repeated key as the same request (Adyen does,
for seven days), so a retried activity never moves money twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered 5xx/429: retrying may succeed."""


class ProviderRefused(Exception):
    """The provider rejected the request itself (4xx other than 429): retrying cannot help."""


@dataclass(frozen=True, slots=True)
class SessionRequest:
    """A hosted checkout for a booking's deposit (charged now) or guarantee (card stored)."""

    reservation_reference: str  # merchantReference: the reservation's RES-YYYY-NNNNNN
    shopper_reference: str  # the guest's id: stored cards are filed under it
    shopper_email: str
    amount_minor: int  # 0 for a guarantee: the card is verified and stored, nothing charged
    currency: str
    store_card: bool  # a guarantee keeps the card for a possible no-show fee
    return_url: str
    expires_at: dt.datetime
    country_code: str | None
    shopper_locale: str  # e.g. "nl-NL"
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    """What a Drop-in (or the local checkout page) needs to take the payment."""

    session_id: str
    session_data: str
    client_key: str
    environment: str  # "test", "live" or "local"
    checkout_url: str | None = None  # the local provider's own page; None for Adyen Drop-in


@dataclass(frozen=True, slots=True)
class ModificationRequest:
    """A refund, capture or cancel of an earlier payment, identified by its pspReference."""

    payment_psp_reference: str
    amount_minor: int
    currency: str
    reservation_reference: str
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class StoredCardCharge:
    """A merchant-initiated charge on a guarantee's stored card (no-show or late-cancel fee)."""

    shopper_reference: str
    stored_payment_method_id: str
    amount_minor: int
    currency: str
    reservation_reference: str
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class ModificationReceived:
    """The provider accepted a modification; its outcome arrives later as a webhook.

    `settled` is True when the provider reports the outcome at once (the local
    provider does); the caller then records the outcome without waiting.
    """

    psp_reference: str
    settled: bool = False


@dataclass(frozen=True, slots=True)
class ChargeResult:
    """The synchronous answer to a stored-card charge."""

    psp_reference: str | None
    result_code: Literal["Authorised", "Refused", "Received", "Error", "Cancelled", "Pending"]
    refusal_reason: str | None = None


class PaymentProvider(Protocol):
    """A payment service provider as the activities see it. Raise ProviderUnavailable
    for anything worth retrying and ProviderRefused for anything that is not."""

    name: str

    async def create_session(self, request: SessionRequest) -> CheckoutSession:
        """Create a checkout session (Adyen `POST /sessions`)."""
        ...

    async def refund(self, request: ModificationRequest) -> ModificationReceived:
        """Refund a captured payment (Adyen `POST /payments/{psp}/refunds`)."""
        ...

    async def capture(self, request: ModificationRequest) -> ModificationReceived:
        """Capture an authorised payment (Adyen `POST /payments/{psp}/captures`)."""
        ...

    async def cancel(self, request: ModificationRequest) -> ModificationReceived:
        """Cancel an uncaptured authorisation (Adyen `POST /payments/{psp}/cancels`)."""
        ...

    async def charge_stored_card(self, request: StoredCardCharge) -> ChargeResult:
        """Charge a stored card, merchant-initiated (Adyen `POST /payments`, ContAuth)."""
        ...
