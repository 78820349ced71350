"""The reservation lifecycle: the documented state machine.

A reservation starts ``held`` (tables blocked while the guest finishes booking).

======================  ====================  =========================================
action                  from                  to
======================  ====================  =========================================
confirm_deposit_paid    held                  confirmed
await_manual            held                  pending_confirmation
confirm                 pending_confirmation  confirmed
decline                 pending_confirmation  declined
expire                  held                  expired
cancel_by_guest         held                  cancelled_by_guest
                        pending_confirmation  cancelled_by_guest
                        confirmed             cancelled_by_guest
cancel_by_restaurant    held                  cancelled_by_restaurant
                        pending_confirmation  cancelled_by_restaurant
                        confirmed             cancelled_by_restaurant
                        seated                cancelled_by_restaurant
modify                  held                  held
                        pending_confirmation  pending_confirmation
                        confirmed             confirmed
check_in                pending_confirmation  seated
                        confirmed             seated
complete                seated                completed
no_show                 pending_confirmation  no_show
                        confirmed             no_show
assign_tables           held                  held
                        pending_confirmation  pending_confirmation
                        confirmed             confirmed
                        seated                seated
guest_reconfirm         confirmed             confirmed
======================  ====================  =========================================

Active statuses (their tables are blocked): held, pending_confirmation, confirmed,
seated.  Terminal statuses (no action is allowed): completed, no_show,
cancelled_by_guest, cancelled_by_restaurant, expired, declined.  Any pair not in
the table raises ``IllegalTransition``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType


class ReservationStatus(StrEnum):
    """Where a reservation is in its lifecycle."""

    HELD = "held"
    PENDING_CONFIRMATION = "pending_confirmation"
    CONFIRMED = "confirmed"
    SEATED = "seated"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED_BY_GUEST = "cancelled_by_guest"
    CANCELLED_BY_RESTAURANT = "cancelled_by_restaurant"
    EXPIRED = "expired"
    DECLINED = "declined"


class ReservationAction(StrEnum):
    """Something a guest, the staff or the system does to a reservation."""

    CONFIRM_DEPOSIT_PAID = "confirm_deposit_paid"
    AWAIT_MANUAL = "await_manual"
    CONFIRM = "confirm"
    DECLINE = "decline"
    EXPIRE = "expire"
    CANCEL_BY_GUEST = "cancel_by_guest"
    CANCEL_BY_RESTAURANT = "cancel_by_restaurant"
    MODIFY = "modify"
    CHECK_IN = "check_in"
    COMPLETE = "complete"
    NO_SHOW = "no_show"
    ASSIGN_TABLES = "assign_tables"
    GUEST_RECONFIRM = "guest_reconfirm"


_S = ReservationStatus
_A = ReservationAction

# how long before its start a party may be checked in (seated)
EARLIEST_CHECK_IN = timedelta(hours=12)

ACTIVE_STATUSES: frozenset[ReservationStatus] = frozenset(
    {_S.HELD, _S.PENDING_CONFIRMATION, _S.CONFIRMED, _S.SEATED}
)
TERMINAL_STATUSES: frozenset[ReservationStatus] = frozenset(
    {
        _S.COMPLETED,
        _S.NO_SHOW,
        _S.CANCELLED_BY_GUEST,
        _S.CANCELLED_BY_RESTAURANT,
        _S.EXPIRED,
        _S.DECLINED,
    }
)


def _build() -> dict[tuple[ReservationStatus, ReservationAction], ReservationStatus]:
    table: dict[tuple[ReservationStatus, ReservationAction], ReservationStatus] = {
        (_S.HELD, _A.CONFIRM_DEPOSIT_PAID): _S.CONFIRMED,
        (_S.HELD, _A.AWAIT_MANUAL): _S.PENDING_CONFIRMATION,
        (_S.PENDING_CONFIRMATION, _A.CONFIRM): _S.CONFIRMED,
        (_S.PENDING_CONFIRMATION, _A.DECLINE): _S.DECLINED,
        (_S.HELD, _A.EXPIRE): _S.EXPIRED,
        (_S.SEATED, _A.COMPLETE): _S.COMPLETED,
        (_S.CONFIRMED, _A.GUEST_RECONFIRM): _S.CONFIRMED,
    }
    bookable = (_S.HELD, _S.PENDING_CONFIRMATION, _S.CONFIRMED)
    for status in bookable:
        table[(status, _A.CANCEL_BY_GUEST)] = _S.CANCELLED_BY_GUEST
        table[(status, _A.MODIFY)] = status
    for status in (*bookable, _S.SEATED):
        table[(status, _A.CANCEL_BY_RESTAURANT)] = _S.CANCELLED_BY_RESTAURANT
        table[(status, _A.ASSIGN_TABLES)] = status
    for status in (_S.PENDING_CONFIRMATION, _S.CONFIRMED):
        table[(status, _A.CHECK_IN)] = _S.SEATED
        table[(status, _A.NO_SHOW)] = _S.NO_SHOW
    return table


TRANSITIONS: Mapping[tuple[ReservationStatus, ReservationAction], ReservationStatus] = (
    MappingProxyType(_build())
)


class IllegalTransition(Exception):
    """Raised when an action is not allowed in the reservation's current status."""

    def __init__(self, status: ReservationStatus, action: ReservationAction) -> None:
        self.status = status
        self.action = action
        super().__init__(f"cannot {action} a reservation that is {status}")


def next_status(status: ReservationStatus, action: ReservationAction) -> ReservationStatus:
    """Return the status after ``action``; raise ``IllegalTransition`` if not allowed."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(status, action) from None


def allowed_actions(status: ReservationStatus) -> frozenset[ReservationAction]:
    """Return every action allowed on a reservation in ``status``."""
    return frozenset(action for (source, action) in TRANSITIONS if source == status)


def initial_status(
    *, walk_in: bool, payment_due: bool, manual_confirmation: bool
) -> ReservationStatus:
    """The status a new booking's hold leaves it in.

    A walk-in is already at the table; a booking with a deposit or guarantee due
    stays held until the guest pays; otherwise the first decision is taken with the
    hold: confirmed, or pending when a manager confirms by hand.
    """
    if walk_in:
        return _S.SEATED
    if payment_due:
        return _S.HELD
    if manual_confirmation:
        return _S.PENDING_CONFIRMATION
    return _S.CONFIRMED
