from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.payment_policy import (
    NO_TERMS,
    BookingMoment,
    Outcome,
    PaymentMode,
    PaymentPolicy,
    PaymentTerms,
    Settlement,
    amount_for,
    fee_for,
    settle,
    terms_for,
)

DEPOSIT = PaymentPolicy(
    mode=PaymentMode.DEPOSIT,
    fixed_minor=2000,
    percentage=Decimal("20"),
    average_spend_per_cover_minor=4550,
)
SATURDAY = 5


def moment(party_size: int = 2, weekday: int = SATURDAY, **kw: object) -> BookingMoment:
    return BookingMoment(party_size=party_size, weekday=weekday, **kw)  # type: ignore[arg-type]


def test_nothing_due_without_a_policy() -> None:
    assert terms_for(PaymentPolicy(fixed_minor=5000), moment(4)) == NO_TERMS


def test_amount_is_the_larger_of_fixed_and_percentage_of_the_estimated_bill() -> None:
    assert terms_for(DEPOSIT, moment(2)) == PaymentTerms(PaymentMode.DEPOSIT, 2000)  # 18.20 < 20
    assert terms_for(DEPOSIT, moment(6)) == PaymentTerms(PaymentMode.DEPOSIT, 5460)  # 20% of 273


def test_percentage_rounds_half_up_to_minor_units() -> None:
    policy = PaymentPolicy(
        mode=PaymentMode.DEPOSIT, percentage=Decimal("12.5"), average_spend_per_cover_minor=101
    )
    assert amount_for(policy, party_size=1) == 13  # 12.625 -> 13


def test_a_zero_amount_asks_for_nothing() -> None:
    assert terms_for(PaymentPolicy(mode=PaymentMode.GUARANTEE), moment()) == NO_TERMS


def test_minimum_party_size_condition() -> None:
    policy = PaymentPolicy(mode=PaymentMode.GUARANTEE, fixed_minor=3000, min_party_size=6)
    assert terms_for(policy, moment(5)) == NO_TERMS
    assert terms_for(policy, moment(6)) == PaymentTerms(PaymentMode.GUARANTEE, 3000)


@pytest.mark.parametrize(
    ("policy_kw", "booking_kw", "applies"),
    [
        ({"weekdays": frozenset({4, 5})}, {"weekday": 5}, True),
        ({"weekdays": frozenset({4, 5})}, {"weekday": 2}, False),
        ({"services": frozenset({"Dinner"})}, {"weekday": 2, "service_name": "Dinner"}, True),
        ({"services": frozenset({"Dinner"})}, {"weekday": 2, "service_name": "Lunch"}, False),
        ({"on_special_days": True}, {"weekday": 2, "special_day": True}, True),
        ({"on_special_days": True}, {"weekday": 2}, False),
        # any one day filter matching is enough
        (
            {"weekdays": frozenset({5}), "on_special_days": True},
            {"weekday": 1, "special_day": True},
            True,
        ),
    ],
)
def test_day_conditions(
    policy_kw: dict[str, object], booking_kw: dict[str, object], applies: bool
) -> None:
    policy = PaymentPolicy(mode=PaymentMode.DEPOSIT, fixed_minor=1000, **policy_kw)  # type: ignore[arg-type]
    terms = terms_for(policy, BookingMoment(party_size=2, **booking_kw))  # type: ignore[arg-type]
    assert terms.due_at_booking is applies


@pytest.mark.parametrize(
    ("outcome", "deposit", "guarantee"),
    [
        (Outcome.CANCELLED_IN_TIME, Settlement.REFUND, Settlement.RELEASE),
        (Outcome.CANCELLED_BY_RESTAURANT, Settlement.REFUND, Settlement.RELEASE),
        (Outcome.DECLINED, Settlement.REFUND, Settlement.RELEASE),
        (Outcome.CANCELLED_LATE, Settlement.KEEP, Settlement.CHARGE_FEE),
        (Outcome.NO_SHOW, Settlement.KEEP, Settlement.CHARGE_FEE),
        (Outcome.ATTENDED, Settlement.KEEP, Settlement.RELEASE),
    ],
)
def test_settlement(outcome: Outcome, deposit: Settlement, guarantee: Settlement) -> None:
    assert settle(PaymentTerms(PaymentMode.DEPOSIT, 2500), outcome) is deposit
    assert settle(PaymentTerms(PaymentMode.GUARANTEE, 2500), outcome) is guarantee
    assert settle(NO_TERMS, outcome) is Settlement.NOTHING


@given(
    amount=st.integers(min_value=1, max_value=10**7),
    requested=st.one_of(st.none(), st.integers(min_value=-(10**7), max_value=10**8)),
)
def test_a_fee_never_exceeds_the_frozen_amount(amount: int, requested: int | None) -> None:
    fee = fee_for(PaymentTerms(PaymentMode.GUARANTEE, amount), requested)
    assert 0 <= fee <= amount
