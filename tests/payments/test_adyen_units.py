"""Adyen counts CLP and ISK with two decimals and CVE with none, unlike the standard."""

from __future__ import annotations

import pytest

from payments.adyen_units import NotPayable, from_adyen, to_adyen
from payments.notifications import (
    NotificationItem,
    parse_notification_items,
    signed_notification,
)

KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"


@pytest.mark.parametrize(
    ("ours", "currency", "adyens"),
    [
        (2500, "EUR", 2500),
        (1500, "JPY", 1500),
        (6000, "BHD", 6000),
        (5000, "CLP", 500000),  # 5,000 pesos
        (2500, "ISK", 250000),  # 2,500 kronur
        (150000, "CVE", 1500),  # 1,500 escudos
        (50000, "IDR", 50000),
    ],
)
def test_amounts_cross_the_boundary_in_each_sides_units(
    ours: int, currency: str, adyens: int
) -> None:
    assert to_adyen(ours, currency) == adyens
    assert from_adyen(adyens, currency) == ours


def test_a_fraction_either_side_cannot_express_is_refused() -> None:
    with pytest.raises(NotPayable):
        to_adyen(150050, "CVE")  # 1,500.50 escudos: Adyen has no centavos
    with pytest.raises(NotPayable):
        from_adyen(250050, "ISK")


def test_a_notification_carries_our_units() -> None:
    body = signed_notification(
        hmac_key_hex=KEY,
        event_code="AUTHORISATION",
        success=True,
        psp_reference="PSPCLP0000000001",
        merchant_reference="RES-2026-000001",
        merchant_account="TestMerchant",
        amount_minor=5000,
        currency="CLP",
    )
    assert body["notificationItems"][0]["NotificationRequestItem"]["amount"]["value"] == 500000
    (item,) = parse_notification_items(body)
    assert isinstance(item, NotificationItem) and item.amount_minor == 5000
