"""Activities that move money: checkout sessions, refunds, fee charges, and their records.

Each movement has an idempotency key derived from the reservation and the movement.
The payment row is written before the provider is asked and completed after; a
retry finds a completed row and answers from it, and a retry that finds an
incomplete one asks again with the same key, which the provider treats as the same
request. So retries, replays and double clicks move money once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities.refusals import refusing
from models.enums import PaymentKind, PaymentState
from models.schemas.lifecycle import (
    CheckoutSessionOut,
    MoneyMove,
    MoneyMoveResult,
    PaymentEvent,
    PaymentRecord,
    WaiverRecord,
)
from payments.provider import (
    ModificationRequest,
    PaymentProvider,
    SessionRequest,
    StoredCardCharge,
)
from reservations import metrics
from reservations.db import transaction
from services import payments
from services.guest_links import reservation_links


def _locale(language: str, country: str | None) -> str:
    return f"{language}-{country.upper()}" if country else language


@dataclass
class PaymentActivities:
    """The payment activities, bound to the worker's database and provider."""

    sessions: async_sessionmaker[AsyncSession]
    provider: PaymentProvider
    public_base_url: str
    jwt_secret: str

    @activity.defn(name="open_payment_session")
    @refusing
    async def open_payment_session(self, reservation_id: uuid.UUID) -> CheckoutSessionOut:
        """Open (or find) the checkout session of a booking's deposit or guarantee."""
        async with transaction(self.sessions) as session:
            reservation, guest, restaurant = await payments.booking_of(session, reservation_id)
            payment = await payments.session_payment(
                session, reservation, provider=self.provider.name
            )
            stored = payment.details.get("session")
            if stored:
                return CheckoutSessionOut.model_validate(stored)
            links = reservation_links(
                base_url=self.public_base_url,
                secret=self.jwt_secret,
                reservation_id=reservation.id,
                restaurant=restaurant,
            )
            expires_at = reservation.hold_expires_at or datetime.now(UTC) + timedelta(minutes=15)
            request = SessionRequest(
                reservation_reference=reservation.reference,
                shopper_reference=str(guest.id),
                shopper_email=guest.email,
                amount_minor=payment.amount_minor,
                currency=payment.currency,
                store_card=payment.kind is PaymentKind.GUARANTEE,
                return_url=links.manage_url,
                expires_at=expires_at,
                country_code=restaurant.country_code,
                shopper_locale=_locale(reservation.language, restaurant.country_code),
                idempotency_key=payment.idempotency_key,
            )
            amount, currency = payment.amount_minor, payment.currency
        checkout = await self.provider.create_session(request)
        answer = CheckoutSessionOut(
            session_id=checkout.session_id,
            session_data=checkout.session_data,
            client_key=checkout.client_key,
            environment=checkout.environment,
            checkout_url=checkout.checkout_url,
            amount_minor=amount,
            currency=currency,
            expires_at=expires_at,
        )
        async with transaction(self.sessions) as session:
            payment = await payments.session_payment(
                session, reservation, provider=self.provider.name
            )
            payment.provider_session_id = checkout.session_id
            payment.details = {**payment.details, "session": answer.model_dump(mode="json")}
        return answer

    @activity.defn(name="move_money")
    @refusing
    async def move_money(self, move: MoneyMove) -> MoneyMoveResult:
        """Refund a payment or charge a guarantee's fee, once per idempotency key."""
        async with transaction(self.sessions) as session:
            payment = await payments.move_payment(session, move, provider=self.provider.name)
            if payment.psp_reference is not None:
                return MoneyMoveResult(
                    psp_reference=payment.psp_reference,
                    settled=payment.status is not PaymentState.PENDING,
                    succeeded=payment.status is PaymentState.SUCCEEDED,
                )
            reservation, guest, _ = await payments.booking_of(session, move.reservation_id)
            reference, shopper = reservation.reference, str(guest.id)
        if move.kind == "refund":
            assert move.payment_psp_reference is not None
            received = await self.provider.refund(
                ModificationRequest(
                    payment_psp_reference=move.payment_psp_reference,
                    amount_minor=move.amount_minor,
                    currency=move.currency,
                    reservation_reference=reference,
                    idempotency_key=move.key,
                )
            )
            result = MoneyMoveResult(
                psp_reference=received.psp_reference,
                settled=received.settled,
                succeeded=received.settled,
            )
        else:
            assert move.stored_payment_method_id is not None
            charge = await self.provider.charge_stored_card(
                StoredCardCharge(
                    shopper_reference=shopper,
                    stored_payment_method_id=move.stored_payment_method_id,
                    amount_minor=move.amount_minor,
                    currency=move.currency,
                    reservation_reference=reference,
                    idempotency_key=move.key,
                )
            )
            result = MoneyMoveResult(
                psp_reference=charge.psp_reference,
                settled=charge.result_code in {"Authorised", "Refused", "Error", "Cancelled"},
                succeeded=charge.result_code == "Authorised",
                reason=charge.refusal_reason,
            )
        async with transaction(self.sessions) as session:
            payment = await payments.move_payment(session, move, provider=self.provider.name)
            payment.psp_reference = result.psp_reference
            if result.settled:
                payment.status = PaymentState.SUCCEEDED if result.succeeded else PaymentState.FAILED
            if result.reason:
                payment.details = {**payment.details, "refusal_reason": result.reason}
        outcome = "pending" if not result.settled else "ok" if result.succeeded else "failed"
        metrics.MONEY_MOVEMENTS.labels(move.kind, outcome).inc()
        return result

    @activity.defn(name="record_payment")
    @refusing
    async def record_payment(self, record: PaymentRecord) -> None:
        """Persist a provider event and the deposit status the workflow decided."""
        async with transaction(self.sessions) as session:
            await payments.record_payment(session, record=record, provider=self.provider.name)
        if record.event is not None:
            kind = record.event.event_code.lower()[:40]
            metrics.MONEY_MOVEMENTS.labels(kind, "ok" if record.event.success else "failed").inc()

    @activity.defn(name="record_waiver")
    @refusing
    async def record_waiver(self, waiver: WaiverRecord) -> None:
        """Write the waiver to the audit trail (who, when, why, how much)."""
        async with transaction(self.sessions) as session:
            await payments.record_waiver(session, waiver=waiver)

    @activity.defn(name="settle_payment_after_close")
    @refusing
    async def settle_payment_after_close(
        self, reservation_id: uuid.UUID, event: PaymentEvent
    ) -> MoneyMove | None:
        """Record an event that reached a closed reservation; the refund it makes due."""
        async with transaction(self.sessions) as session:
            return await payments.settle_after_close(
                session, reservation_id=reservation_id, event=event, provider=self.provider.name
            )

    def all(self) -> list[Callable[..., Any]]:
        """The activity callables to register on a worker."""
        return [
            self.open_payment_session,
            self.move_money,
            self.record_payment,
            self.record_waiver,
            self.settle_payment_after_close,
        ]
