"""The configured payment provider and the credentials its webhooks must carry."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from payments.adyen import AdyenProvider
from payments.local import LocalProvider
from payments.provider import PaymentProvider
from reservations.settings import Settings

LOCAL_MERCHANT_ACCOUNT = "LocalSimulatedMerchant"


@dataclass(frozen=True, slots=True)
class WebhookCredentials:
    """What every webhook call must prove: basic auth and an HMAC key (hex) per item."""

    username: str
    password: str
    hmac_key_hex: str
    merchant_account: str


def _derived(secret: str, purpose: str) -> str:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def webhook_credentials(settings: Settings) -> WebhookCredentials:
    """Adyen's configured credentials; for the local provider, keys derived from the JWT secret.

    Deriving them keeps the local provider's webhooks signed and checked exactly like
    Adyen's, with nothing more to configure.
    """
    if settings.payment_provider == "adyen":
        assert settings.adyen_webhook_username and settings.adyen_webhook_password
        assert settings.adyen_hmac_key and settings.adyen_merchant_account
        return WebhookCredentials(
            username=settings.adyen_webhook_username,
            password=settings.adyen_webhook_password,
            hmac_key_hex=settings.adyen_hmac_key,
            merchant_account=settings.adyen_merchant_account,
        )
    secret = settings.effective_jwt_secret()
    return WebhookCredentials(
        username="local",
        password=_derived(secret, "local-payments-webhook-password"),
        hmac_key_hex=_derived(secret, "local-payments-hmac-key"),
        merchant_account=LOCAL_MERCHANT_ACCOUNT,
    )


def payment_provider(settings: Settings) -> PaymentProvider:
    """The provider the settings pick (checked at start-up by load_settings)."""
    if settings.payment_provider == "adyen":
        assert settings.adyen_api_key and settings.adyen_merchant_account
        assert settings.adyen_client_key
        return AdyenProvider(
            api_key=settings.adyen_api_key,
            merchant_account=settings.adyen_merchant_account,
            client_key=settings.adyen_client_key,
            environment=settings.adyen_environment,
            live_url_prefix=settings.adyen_live_url_prefix,
            checkout_base_url=settings.adyen_checkout_url,
            timeout_seconds=settings.adyen_timeout_seconds,
        )
    return LocalProvider(public_base_url=settings.public_base_url)
