"""Deposit policy: how much a booking must pay up front, in integer minor units."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True, slots=True)
class DepositPolicy:
    """A restaurant's deposit settings at the moment a guest books."""

    required: bool
    fixed_minor: int = 0
    percentage: Decimal = Decimal(0)
    average_spend_per_cover_minor: int = 0


def deposit_due(policy: DepositPolicy, *, party_size: int) -> int:
    """max(fixed amount, percentage x estimated bill); the estimated bill is covers x spend.

    Rounded half-up to a whole minor unit; 0 when no deposit is required.
    """
    if not policy.required:
        return 0
    estimated_bill = Decimal(party_size * policy.average_spend_per_cover_minor)
    share = (estimated_bill * policy.percentage / Decimal(100)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return max(policy.fixed_minor, int(share))
