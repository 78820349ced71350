"""Payment policy: what a booking must pay or guarantee, and what happens to the money.

Pure functions over integer minor units. A restaurant asks for nothing, a deposit
(charged at booking, refundable per policy) or a guarantee (a card stored at
booking, charged only for a no-show or a late cancellation). The terms in force
when the guest books are frozen onto the reservation; `settle` decides from
those frozen terms alone, so a later settings change never alters a booking.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class PaymentMode(StrEnum):
    NONE = "none"
    DEPOSIT = "deposit"
    GUARANTEE = "guarantee"


@dataclass(frozen=True, slots=True)
class PaymentPolicy:
    """A restaurant's payment settings at the moment a guest books.

    The amount is max(fixed, percentage x estimated bill), the estimated bill being
    covers x average spend per cover. Conditions narrow when the policy applies:
    parties of at least `min_party_size`, and, when any day filter is set, only
    bookings on one of `weekdays` (0 = Monday), in one of `services` (by name), or
    on a special day when `on_special_days`.
    """

    mode: PaymentMode = PaymentMode.NONE
    fixed_minor: int = 0
    percentage: Decimal = Decimal(0)
    average_spend_per_cover_minor: int = 0
    min_party_size: int | None = None
    weekdays: frozenset[int] = frozenset()
    services: frozenset[str] = frozenset()
    on_special_days: bool = False


@dataclass(frozen=True, slots=True)
class BookingMoment:
    """What the conditions look at: the party and when it comes."""

    party_size: int
    weekday: int
    service_name: str | None = None
    special_day: bool = False


def amount_for(policy: PaymentPolicy, *, party_size: int) -> int:
    """max(fixed, percentage x party size x spend per cover), rounded half-up to a minor unit."""
    estimated_bill = Decimal(party_size * policy.average_spend_per_cover_minor)
    share = (estimated_bill * policy.percentage / Decimal(100)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return max(policy.fixed_minor, int(share))


def applies(policy: PaymentPolicy, moment: BookingMoment) -> bool:
    """Whether the policy's conditions cover this booking."""
    if policy.mode is PaymentMode.NONE:
        return False
    if policy.min_party_size is not None and moment.party_size < policy.min_party_size:
        return False
    day_filtered = bool(policy.weekdays or policy.services or policy.on_special_days)
    if not day_filtered:
        return True
    return (
        moment.weekday in policy.weekdays
        or (moment.service_name is not None and moment.service_name in policy.services)
        or (policy.on_special_days and moment.special_day)
    )


@dataclass(frozen=True, slots=True)
class PaymentTerms:
    """The terms frozen onto one reservation: the mode and the most it can cost the guest."""

    mode: PaymentMode
    amount_minor: int  # the deposit charged, or the most a guarantee's fee can be

    @property
    def due_at_booking(self) -> bool:
        """Whether the guest must act (pay, or store a card) before the hold ends."""
        return self.mode is not PaymentMode.NONE and self.amount_minor > 0


NO_TERMS = PaymentTerms(PaymentMode.NONE, 0)


def terms_for(policy: PaymentPolicy, moment: BookingMoment) -> PaymentTerms:
    """The terms a booking gets; NONE when the policy does not apply or comes to zero."""
    if not applies(policy, moment):
        return NO_TERMS
    amount = amount_for(policy, party_size=moment.party_size)
    return PaymentTerms(policy.mode, amount) if amount > 0 else NO_TERMS


class Outcome(StrEnum):
    """How a booking ended, as far as money is concerned."""

    CANCELLED_IN_TIME = "cancelled_in_time"
    CANCELLED_LATE = "cancelled_late"
    CANCELLED_BY_RESTAURANT = "cancelled_by_restaurant"
    DECLINED = "declined"
    NO_SHOW = "no_show"
    ATTENDED = "attended"
    # nobody checked the party in or marked a no-show before the booking was closed
    UNRESOLVED = "unresolved"


class Settlement(StrEnum):
    """What to do with the money the guest put up."""

    REFUND = "refund"  # give the deposit back
    KEEP = "keep"  # the deposit is forfeited (or, attended, counts towards the bill)
    RELEASE = "release"  # the stored card is never charged
    CHARGE_FEE = "charge_fee"  # charge the guarantee's fee on the stored card
    NOTHING = "nothing"


def settle(terms: PaymentTerms, outcome: Outcome) -> Settlement:
    """The settlement the frozen terms prescribe for an outcome.

    A guest who cancels in time, or whom the restaurant turns away, never pays;
    a late cancellation or a no-show forfeits the deposit or is charged the fee.
    """
    if not terms.due_at_booking:
        return Settlement.NOTHING
    guest_at_fault = outcome in {Outcome.CANCELLED_LATE, Outcome.NO_SHOW}
    if terms.mode is PaymentMode.DEPOSIT:
        # an unresolved booking keeps the deposit it already holds (a manager may waive
        # it), but nothing new is charged without staff saying the party did not come
        if guest_at_fault or outcome in {Outcome.ATTENDED, Outcome.UNRESOLVED}:
            return Settlement.KEEP
        return Settlement.REFUND
    if guest_at_fault:
        return Settlement.CHARGE_FEE
    return Settlement.RELEASE


def fee_for(terms: PaymentTerms, requested_minor: int | None = None) -> int:
    """The fee to charge a guarantee: what staff ask for, never more than the terms allow."""
    if requested_minor is None:
        return terms.amount_minor
    return max(0, min(requested_minor, terms.amount_minor))
