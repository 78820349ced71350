"""`AdyenProvider`: the payment provider interface over the official Adyen SDK (Checkout API).

The SDK is synchronous, so every call runs in a worker thread (`asyncio.to_thread`)
with an SDK client of its own: nothing is shared between concurrent calls.

Endpoints come from the SDK's Checkout services (`PaymentsApi`, `ModificationsApi`);
their `baseUrl` attribute is the SDK's own per-service endpoint setting, which
`checkout_base_url` overrides (tests point the real SDK at a local server that
way). Otherwise the SDK derives the live URL from `platform="live"` and the
account's live URL prefix.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import http.client
from collections.abc import Callable
from typing import Any, Literal, cast, get_args
from urllib.parse import quote

import Adyen

from payments.adyen_units import NotPayable, to_adyen
from payments.provider import (
    ChargeResult,
    CheckoutSession,
    ModificationReceived,
    ModificationRequest,
    ProviderRefused,
    ProviderUnavailable,
    SessionRequest,
    StoredCardCharge,
)
from reservations.http_answers import is_transient

# Adyen accepts idempotency keys of at most 64 characters.
MAX_IDEMPOTENCY_KEY_LENGTH = 64

ResultCode = Literal["Authorised", "Refused", "Received", "Error", "Cancelled", "Pending"]
_KNOWN_RESULT_CODES: frozenset[str] = frozenset(get_args(ResultCode))

# One SDK call against a fresh AdyenCheckoutApi; answers the SDK's AdyenResult.
_Operation = Callable[[Any], Any]


def adyen_idempotency_key(key: str) -> str:
    """The `Idempotency-Key` header for our key: itself if Adyen accepts its length,
    otherwise its sha256 (64 hex characters), which is just as stable across retries."""
    if len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        return key
    return hashlib.sha256(key.encode()).hexdigest()


def _amount(value: int, currency: str) -> dict[str, Any]:
    try:
        return {"value": to_adyen(value, currency), "currency": currency}
    except NotPayable as exc:
        raise ProviderRefused(str(exc)) from None


def _error_from_sdk(exc: Exception) -> ProviderUnavailable | ProviderRefused:
    """Map an SDK `AdyenError` to ours by HTTP status: the SDK's classes do not separate
    retryable from final answers (it raises AdyenAPICommunicationError for 404 and 500
    alike, and the base AdyenAPIResponseError for 429, 502, 503...)."""
    status = getattr(exc, "status_code", None)
    error_code = getattr(exc, "error_code", None)
    detail = (
        f"Adyen answered HTTP {status} (errorCode {error_code}): {getattr(exc, 'message', exc)}"
    )
    if isinstance(status, int):
        if is_transient(status):
            return ProviderUnavailable(detail)
        if 400 <= status < 500:
            return ProviderRefused(detail)
        return ProviderUnavailable(detail)
    # No HTTP status: the SDK refused before sending (missing credentials, live prefix).
    return ProviderRefused(f"Adyen SDK refused the request: {getattr(exc, 'message', exc)}")


def _field(message: dict[str, Any], name: str, operation: str) -> str:
    value = message.get(name)
    if not isinstance(value, str) or not value:
        # A 2xx without the field: we cannot tell what happened, and a retry with the same
        # idempotency key is safe, so let the caller retry.
        raise ProviderUnavailable(f"Adyen {operation} response has no {name!r}")
    return value


class AdyenProvider:
    """The `PaymentProvider` for Adyen's Checkout API (hosted sessions, modifications,
    merchant-initiated stored-card payments)."""

    name = "adyen"

    def __init__(
        self,
        *,
        api_key: str,
        merchant_account: str,
        client_key: str,
        environment: Literal["test", "live"],
        live_url_prefix: str | None = None,
        checkout_base_url: str | None = None,
        timeout_seconds: float = 15,
    ) -> None:
        """Configure the provider; raises ValueError for a configuration the SDK would
        only reject at the first payment (a live account without its URL prefix)."""
        if environment not in ("test", "live"):
            raise ValueError(f"environment must be 'test' or 'live', not {environment!r}")
        if environment == "live" and not live_url_prefix and not checkout_base_url:
            raise ValueError("a live Adyen environment needs live_url_prefix")
        if not api_key or not merchant_account:
            raise ValueError("api_key and merchant_account are required")
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        self._api_key = api_key
        self._merchant_account = merchant_account
        self._client_key = client_key
        self._environment = environment
        self._live_url_prefix = live_url_prefix
        self._checkout_base_url = checkout_base_url.rstrip("/") if checkout_base_url else None
        self._timeout_seconds = timeout_seconds

    def _checkout_api(self) -> Any:
        """A fresh SDK client and Checkout service, so concurrent calls share no state."""
        client = Adyen.AdyenClient(
            xapikey=self._api_key,
            platform=self._environment,
            live_endpoint_prefix=self._live_url_prefix,
            http_timeout=self._timeout_seconds,
            application_name="reservations",
        )
        checkout = Adyen.AdyenCheckoutApi(client=client)
        if self._checkout_base_url is not None:
            checkout.payments_api.baseUrl = self._checkout_base_url
            checkout.modifications_api.baseUrl = self._checkout_base_url
        return checkout

    def _call_blocking(self, operation: _Operation, what: str) -> dict[str, Any]:
        try:
            result = operation(self._checkout_api())
        except Adyen.AdyenError as exc:
            raise _error_from_sdk(exc) from exc
        except (OSError, http.client.HTTPException) as exc:
            # requests' exceptions derive from OSError, as do urllib's URLError and timeouts.
            raise ProviderUnavailable(f"Adyen {what} failed: {exc}") from exc
        message = result.message
        if not isinstance(message, dict):
            raise ProviderUnavailable(f"Adyen {what} answered a body that is not an object")
        return cast(dict[str, Any], message)

    async def _call(self, operation: _Operation, what: str) -> dict[str, Any]:
        return await asyncio.to_thread(self._call_blocking, operation, what)

    async def create_session(self, request: SessionRequest) -> CheckoutSession:
        """`POST /sessions`: a Drop-in session; a guarantee stores the card for later
        merchant-initiated charges."""
        if request.expires_at.utcoffset() is None:
            raise ProviderRefused("expires_at must be timezone-aware")
        body: dict[str, Any] = {
            "merchantAccount": self._merchant_account,
            "amount": _amount(request.amount_minor, request.currency),
            "reference": request.reservation_reference,
            "returnUrl": request.return_url,
            "expiresAt": request.expires_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
            "shopperReference": request.shopper_reference,
            "shopperEmail": request.shopper_email,
            "shopperLocale": request.shopper_locale,
        }
        if request.country_code:
            body["countryCode"] = request.country_code
        if request.store_card:
            body["storePaymentMethod"] = True
            body["recurringProcessingModel"] = "UnscheduledCardOnFile"
            body["shopperInteraction"] = "Ecommerce"
        key = adyen_idempotency_key(request.idempotency_key)
        message = await self._call(
            lambda checkout: checkout.payments_api.sessions(body, idempotency_key=key),
            "session",
        )
        return CheckoutSession(
            session_id=_field(message, "id", "session"),
            session_data=_field(message, "sessionData", "session"),
            client_key=self._client_key,
            environment=self._environment,
        )

    async def _modify(
        self, request: ModificationRequest, kind: Literal["refund", "capture", "cancel"]
    ) -> ModificationReceived:
        body: dict[str, Any] = {
            "merchantAccount": self._merchant_account,
            "reference": request.reservation_reference,
        }
        if kind != "cancel":
            body["amount"] = _amount(request.amount_minor, request.currency)
        # The SDK puts the pspReference into the path as is.
        psp = quote(request.payment_psp_reference, safe="")
        key = adyen_idempotency_key(request.idempotency_key)

        def operation(checkout: Any) -> Any:
            api = checkout.modifications_api
            if kind == "refund":
                return api.refund_captured_payment(body, psp, idempotency_key=key)
            if kind == "capture":
                return api.capture_authorised_payment(body, psp, idempotency_key=key)
            return api.cancel_authorised_payment_by_psp_reference(body, psp, idempotency_key=key)

        message = await self._call(operation, kind)
        return ModificationReceived(psp_reference=_field(message, "pspReference", kind))

    async def refund(self, request: ModificationRequest) -> ModificationReceived:
        """`POST /payments/{psp}/refunds`; the outcome arrives as a REFUND webhook."""
        return await self._modify(request, "refund")

    async def capture(self, request: ModificationRequest) -> ModificationReceived:
        """`POST /payments/{psp}/captures`; the outcome arrives as a CAPTURE webhook."""
        return await self._modify(request, "capture")

    async def cancel(self, request: ModificationRequest) -> ModificationReceived:
        """`POST /payments/{psp}/cancels`; the outcome arrives as a CANCELLATION webhook."""
        return await self._modify(request, "cancel")

    async def charge_stored_card(self, request: StoredCardCharge) -> ChargeResult:
        """`POST /payments` on a stored card, merchant-initiated (ContAuth, unscheduled)."""
        body: dict[str, Any] = {
            "merchantAccount": self._merchant_account,
            "amount": _amount(request.amount_minor, request.currency),
            "reference": request.reservation_reference,
            "shopperReference": request.shopper_reference,
            "paymentMethod": {
                "type": "scheme",
                "storedPaymentMethodId": request.stored_payment_method_id,
            },
            "shopperInteraction": "ContAuth",
            "recurringProcessingModel": "UnscheduledCardOnFile",
        }
        key = adyen_idempotency_key(request.idempotency_key)
        message = await self._call(
            lambda checkout: checkout.payments_api.payments(body, idempotency_key=key),
            "payment",
        )
        code = _field(message, "resultCode", "payment")
        psp = message.get("pspReference")
        psp_reference = psp if isinstance(psp, str) and psp else None
        reason = message.get("refusalReason")
        refusal_reason = reason if isinstance(reason, str) and reason else None
        if code not in _KNOWN_RESULT_CODES:
            # Shopper actions (RedirectShopper, ChallengeShopper...) cannot happen without a
            # shopper present: report the charge as failed rather than guess.
            return ChargeResult(
                psp_reference=psp_reference,
                result_code="Error",
                refusal_reason=f"unexpected resultCode {code!r}",
            )
        return ChargeResult(
            psp_reference=psp_reference,
            result_code=cast(ResultCode, code),
            refusal_reason=refusal_reason,
        )
