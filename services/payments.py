"""The database side of money: payment rows, provider events, deposit status and waivers.

Every money movement is one `payments` row keyed by an idempotency key derived from
the reservation and the movement. The activities create the row before asking the
provider and fill in the provider's answer after, so a retried activity finds the
row and never asks twice for what was already answered.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import DepositStatus, PaymentKind, PaymentMode, PaymentState
from models.orm import AuditEntry, Guest, Payment, Reservation, Restaurant
from models.schemas.lifecycle import (
    CheckoutSessionOut,
    MoneyMove,
    PaymentEvent,
    PaymentRecord,
    WaiverRecord,
    refund_key,
)
from reservations.db import upsert_insert
from services.errors import NotFoundError

# marks a payment row first seen after the reservation's workflow ended (given back)
AFTER_CLOSE = "after_close"


def session_key(reservation_id: uuid.UUID) -> str:
    """The idempotency key of a booking's checkout session (one per reservation)."""
    return f"{reservation_id}:session"


async def booking_of(
    session: AsyncSession, reservation_id: uuid.UUID
) -> tuple[Reservation, Guest, Restaurant]:
    """The reservation with its guest and restaurant."""
    row = (
        await session.execute(
            select(Reservation, Guest, Restaurant)
            .join(Guest, Guest.id == Reservation.guest_id)
            .join(Restaurant, Restaurant.id == Reservation.restaurant_id)
            .where(Reservation.id == reservation_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"reservation {reservation_id} not found")
    return row[0], row[1], row[2]


async def by_provider_session(
    session: AsyncSession, *, provider_session_id: str
) -> tuple[Payment, Reservation, Restaurant] | None:
    """The payment a provider's checkout session is for, with its reservation and restaurant."""
    row = (
        await session.execute(
            select(Payment, Reservation, Restaurant)
            .join(Reservation, Reservation.id == Payment.reservation_id)
            .join(Restaurant, Restaurant.id == Reservation.restaurant_id)
            .where(Payment.provider_session_id == provider_session_id)
        )
    ).one_or_none()
    return (row[0], row[1], row[2]) if row is not None else None


async def by_key(session: AsyncSession, key: str) -> Payment | None:
    return (
        await session.execute(select(Payment).where(Payment.idempotency_key == key))
    ).scalar_one_or_none()


async def by_psp_reference(session: AsyncSession, psp_reference: str) -> Payment | None:
    """The payment row the provider knows by `psp_reference`."""
    return (
        await session.execute(select(Payment).where(Payment.psp_reference == psp_reference))
    ).scalar_one_or_none()


async def session_payment(
    session: AsyncSession, reservation: Reservation, *, provider: str
) -> Payment:
    """The row of the booking's deposit or guarantee payment, created on first call."""
    key = session_key(reservation.id)
    payment = await by_key(session, key)
    if payment is None:
        guarantee = reservation.payment_mode is PaymentMode.GUARANTEE
        payment = await _payment_once(
            session,
            reservation_id=reservation.id,
            provider=provider,
            kind=PaymentKind.GUARANTEE if guarantee else PaymentKind.DEPOSIT,
            # a guarantee verifies and stores the card; nothing is charged
            amount_minor=0 if guarantee else reservation.deposit_amount_minor,
            currency=reservation.currency,
            idempotency_key=key,
        )
    return payment


async def _payment_once(session: AsyncSession, *, idempotency_key: str, **values: Any) -> Payment:
    """The row of this idempotency key, inserted unless another attempt of the same
    activity (one Temporal gave up waiting for) inserted it first: that is no conflict."""
    await session.flush()
    insert = upsert_insert(session)
    await session.execute(
        insert(Payment)
        .values(
            id=uuid.uuid4(),
            idempotency_key=idempotency_key,
            status=PaymentState.PENDING,
            details={},
            **values,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    payment = await by_key(session, idempotency_key)
    assert payment is not None  # inserted now, or by the attempt that won
    return payment


async def move_payment(session: AsyncSession, move: MoneyMove, *, provider: str) -> Payment:
    """The row of one refund or fee charge, created on first call."""
    payment = await by_key(session, move.key)
    if payment is None:
        payment = await _payment_once(
            session,
            reservation_id=move.reservation_id,
            provider=provider,
            kind=PaymentKind.REFUND if move.kind == "refund" else PaymentKind.FEE,
            amount_minor=move.amount_minor,
            currency=move.currency,
            idempotency_key=move.key,
            original_psp_reference=move.payment_psp_reference,
        )
    return payment


def _event_json(event: PaymentEvent) -> dict[str, Any]:
    return event.model_dump(mode="json")


async def record_payment(session: AsyncSession, *, record: PaymentRecord, provider: str) -> None:
    """Persist a provider event on its payment row, and the deposit status decided."""
    reservation = await session.get(Reservation, record.reservation_id, with_for_update=True)
    if reservation is None:
        raise NotFoundError(f"reservation {record.reservation_id} not found")
    if record.deposit_status is not None:
        reservation.deposit_status = DepositStatus(record.deposit_status)
    event = record.event
    if event is None:
        await session.flush()
        return
    payment = await by_psp_reference(session, event.psp_reference)
    if payment is None and event.event_code == "AUTHORISATION":
        first = await session_payment(session, reservation, provider=provider)
        if first.psp_reference is None:
            payment = first
        else:
            # a second payment by the same guest: its own row, so its refund is traceable
            payment = Payment(
                reservation_id=reservation.id,
                provider=provider,
                kind=first.kind,
                amount_minor=event.amount_minor,
                currency=event.currency,
                status=PaymentState.PENDING,
                idempotency_key=f"{reservation.id}:auth:{event.psp_reference}",
                details={},
            )
            session.add(payment)
    if payment is None and event.original_reference is not None:
        payment = (
            (
                await session.execute(
                    select(Payment).where(
                        Payment.original_psp_reference == event.original_reference,
                        Payment.kind == PaymentKind.REFUND,
                        Payment.psp_reference.is_(None)
                        | (Payment.psp_reference == event.psp_reference),
                    )
                )
            )
            .scalars()
            .first()
        )
    if payment is None:
        return  # an event about a movement this booking never made (kept in the event log)
    if event.event_code in {"AUTHORISATION", "REFUND", "CAPTURE", "CANCELLATION"}:
        payment.psp_reference = payment.psp_reference or event.psp_reference
        payment.status = PaymentState.SUCCEEDED if event.success else PaymentState.FAILED
        if event.event_code == "AUTHORISATION" and event.success:
            payment.amount_minor = event.amount_minor
    elif event.event_code.endswith("_FAILED"):
        payment.status = PaymentState.FAILED
    details = dict(payment.details or {})
    if event.stored_payment_method_id:
        details["stored_payment_method_id"] = event.stored_payment_method_id
    events = [e for e in details.get("events", []) if e.get("event_id") != event.event_id]
    details["events"] = [*events, _event_json(event)]
    payment.details = details
    await session.flush()


async def _deposit_not_refunded(
    session: AsyncSession, *, reservation_id: uuid.UUID, refund: Payment | None
) -> None:
    """A refund of the deposit failed after the booking closed: it no longer says refunded
    (the money is with neither the guest nor the refund; ops settle it with the provider)."""
    reservation = await session.get(Reservation, reservation_id, with_for_update=True)
    deposit = await by_key(session, session_key(reservation_id))
    if (
        reservation is not None
        and refund is not None
        and deposit is not None
        and refund.original_psp_reference == deposit.psp_reference
        and reservation.deposit_status is DepositStatus.REFUNDED
    ):
        reservation.deposit_status = DepositStatus.REFUND_PENDING
        await session.flush()


async def settle_after_close(
    session: AsyncSession, *, reservation_id: uuid.UUID, event: PaymentEvent, provider: str
) -> MoneyMove | None:
    """Record an event that reached a reservation after its workflow ended; the refund due.

    A successful payment that no payment row knew of is money nobody asked for: its row
    is marked `after_close`, so a retry of this step finds the same refund due (the
    refund's idempotency key makes it happen once).
    """
    known = await by_psp_reference(session, event.psp_reference)
    record = PaymentRecord(reservation_id=reservation_id, event=event)
    await record_payment(session, record=record, provider=provider)
    if event.event_code == "REFUND_FAILED":
        await _deposit_not_refunded(session, reservation_id=reservation_id, refund=known)
    if event.event_code != "AUTHORISATION" or not event.success or event.amount_minor <= 0:
        return None
    if known is not None and not (known.details or {}).get(AFTER_CLOSE):
        return None  # the restaurant's own: the deposit, a guarantee or a fee
    paid = known or await by_psp_reference(session, event.psp_reference)
    assert paid is not None  # record_payment wrote it
    paid.details = {**(paid.details or {}), AFTER_CLOSE: True}
    await session.flush()
    return MoneyMove(
        reservation_id=reservation_id,
        kind="refund",
        key=refund_key(reservation_id, event.psp_reference),
        amount_minor=event.amount_minor,
        currency=event.currency,
        payment_psp_reference=event.psp_reference,
    )


async def record_waiver(session: AsyncSession, *, waiver: WaiverRecord) -> AuditEntry:
    """The audit entry for a waiver or a refund resolution (one per reservation, action and
    instant: retries find it)."""
    action = waiver.action or f"waive_{waiver.deposit_status.value}"
    name = "waiver" if waiver.action is None else waiver.action
    entry_id = uuid.uuid5(waiver.reservation_id, f"{name}:{waiver.at.isoformat()}")
    entry = await session.get(AuditEntry, entry_id)
    if entry is None:
        entry = AuditEntry(
            id=entry_id,
            reservation_id=waiver.reservation_id,
            staff_id=waiver.staff_id,
            action=action,
            reason=waiver.reason,
            details={"amount_minor": waiver.amount_minor},
            created_at=waiver.at,
        )
        session.add(entry)
        await session.flush()
    return entry


async def payments_of(session: AsyncSession, reservation_id: uuid.UUID) -> list[Payment]:
    """Every money movement of a reservation, oldest first."""
    rows = await session.execute(
        select(Payment).where(Payment.reservation_id == reservation_id).order_by(Payment.created_at)
    )
    return list(rows.scalars())


async def audit_of(session: AsyncSession, reservation_id: uuid.UUID) -> list[AuditEntry]:
    rows = await session.execute(
        select(AuditEntry)
        .where(AuditEntry.reservation_id == reservation_id)
        .order_by(AuditEntry.created_at)
    )
    return list(rows.scalars())


async def checkout_session_of(
    session: AsyncSession, reservation_id: uuid.UUID
) -> CheckoutSessionOut | None:
    """The booking's open checkout session, as the create answer gave it."""
    payment = await by_key(session, session_key(reservation_id))
    stored = (payment.details or {}).get("session") if payment else None
    return CheckoutSessionOut.model_validate(stored) if stored else None
