"""Stand-in activities for workflow timer tests (registered under the real activity names).

They record what the workflow asked for and when (the activity's scheduled time is
the test server's skipped clock), so tests can assert exact instants. The real
activities are exercised against real databases in tests/api and tests/allocation.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.enums import ConfirmationMode, PaymentMode
from models.schemas.booking import HoldOutcome
from models.schemas.lifecycle import (
    AssignTablesRequest,
    BookingFacts,
    CheckoutSessionOut,
    ExchangeTablesRequest,
    MessageIntent,
    ModifyRequest,
    MoneyMove,
    MoneyMoveResult,
    PaymentEvent,
    PaymentRecord,
    ReservationInput,
    StaffMessageRecord,
    Transition,
    WaiverRecord,
    refund_key,
)
from rules.reminders import cancellation_deadline, wall_clock_before
from rules.state_machine import initial_status


@dataclass
class FakeBook:
    """What the fake activities answer and what they saw."""

    timezone: str = "Europe/Amsterdam"
    deposit_minor: int = 0
    refuse: bool = False
    refuse_moves: bool = False
    unrenderable: set[str] = field(default_factory=set)  # templates queue_message refuses
    refused_messages: list[str] = field(default_factory=list)
    refuse_refunds: bool = False  # the provider refuses refunds for good
    failing_refunds: int = 0  # refund attempts that meet a provider outage first
    cancellation_hours: int = 24
    transitions: list[Transition] = field(default_factory=list)
    messages: list[tuple[str, int, datetime]] = field(default_factory=list)
    holds: int = 0
    held_at: datetime | None = None
    payment_mode: PaymentMode = PaymentMode.DEPOSIT
    money: list[MoneyMove] = field(default_factory=list)
    deposit_statuses: list[str] = field(default_factory=list)
    waivers: list[WaiverRecord] = field(default_factory=list)
    staff_answers: list[StaffMessageRecord] = field(default_factory=list)
    # actions whose transition finds the hold already gone (record_transition answers False)
    hold_lost_at: set[str] = field(default_factory=set)
    recorded_events: int = 0  # provider events the workflow recorded
    sends: list[uuid.UUID] = field(default_factory=list)
    # send attempts that fail before the provider takes the message
    failing_sends: int = 0
    send_attempts: int = 0
    # the local provider settles at once; Adyen answers later by webhook
    settle_at_once: bool = True
    # when set, a fee charge waits for it (to let the charge's webhook arrive first)
    charge_gate: asyncio.Event | None = None
    # like today's hold: a confirmed or pending booking's first message is queued by it
    queue_in_hold: bool = False
    queued_by_hold: list[str] = field(default_factory=list)

    def _facts(
        self, inp_id: uuid.UUID, local_start: datetime, party: int, now: datetime
    ) -> BookingFacts:
        from datetime import UTC
        from zoneinfo import ZoneInfo

        starts = local_start.replace(tzinfo=ZoneInfo(self.timezone)).astimezone(UTC)
        return BookingFacts(
            hold=HoldOutcome(
                held=True,
                reservation_id=inp_id,
                reference="RES-2027-000001",
                table_ids=[uuid.UUID(int=1)],
                table_numbers=["1"],
                starts_at=starts,
                ends_at=starts + timedelta(minutes=90),
                hold_expires_at=now + timedelta(minutes=15),
            ),
            reminder_at=wall_clock_before(local_start, hours=24, timezone=self.timezone),
            cancellation_deadline_at=cancellation_deadline(
                starts, hours=self.cancellation_hours, timezone=self.timezone
            ),
            payment_mode=self.payment_mode if self.deposit_minor else PaymentMode.NONE,
            deposit_minor=self.deposit_minor if self.payment_mode is PaymentMode.DEPOSIT else 0,
            fee_minor=self.deposit_minor if self.payment_mode is PaymentMode.GUARANTEE else 0,
            currency="EUR",
            timezone=self.timezone,
            date=local_start.date(),
            time=local_start.time(),
            party_size=party,
        )

    def activities(self) -> list[Callable[..., Any]]:
        book = self

        @activity.defn(name="hold_booking")
        async def hold_booking(inp: ReservationInput) -> BookingFacts:
            book.holds += 1
            now = activity.info().scheduled_time
            if book.refuse:
                return BookingFacts(
                    hold=HoldOutcome(
                        held=False,
                        reservation_id=inp.booking.reservation_id,
                        reason="no_table_fits",
                    )
                )
            local = datetime.combine(inp.booking.date, inp.booking.time)
            facts = book._facts(inp.booking.reservation_id, local, inp.booking.party_size, now)
            # like the real hold: with no deposit the first decision is taken at once
            status = initial_status(
                walk_in=False,
                payment_due=bool(book.deposit_minor),
                manual_confirmation=inp.policy.confirmation_mode is ConfirmationMode.MANUAL,
            )
            book.held_at = now
            update: dict[str, Any] = {"status": status, "held_at": now}
            first = {"confirmed": "confirmation", "pending_confirmation": "pending"}
            if book.queue_in_hold and status.value in first:
                template = first[status.value]
                book.queued_by_hold.append(template)
                book.messages.append((template, 0, now))
                update["queued"] = [uuid.uuid5(inp.booking.reservation_id, f"{template}:0")]
            return facts.model_copy(update=update)

        @activity.defn(name="record_transition")
        async def record_transition(transition: Transition) -> bool:
            if transition.action.value in book.hold_lost_at:
                return False  # the hold was released (expired) before this could be written
            book.transitions.append(transition)
            return True

        @activity.defn(name="move_booking")
        async def move_booking(reservation_id: uuid.UUID, request: ModifyRequest) -> BookingFacts:
            now = activity.info().scheduled_time
            if book.refuse_moves or request.date is None or request.time is None:
                return BookingFacts(
                    hold=HoldOutcome(
                        held=False, reservation_id=reservation_id, reason="no_table_fits"
                    )
                )
            local = datetime.combine(request.date, request.time)
            return book._facts(reservation_id, local, request.party_size or 2, now)

        @activity.defn(name="assign_booking_tables")
        async def assign_booking_tables(
            reservation_id: uuid.UUID, request: AssignTablesRequest
        ) -> BookingFacts:
            return BookingFacts(hold=HoldOutcome(held=False, reservation_id=reservation_id))

        @activity.defn(name="exchange_booking_tables")
        async def exchange_booking_tables(
            reservation_id: uuid.UUID, request: ExchangeTablesRequest
        ) -> BookingFacts:
            return BookingFacts(hold=HoldOutcome(held=False, reservation_id=reservation_id))

        @activity.defn(name="queue_message")
        async def queue_message(intent: MessageIntent) -> list[uuid.UUID]:
            if intent.template in book.unrenderable:
                book.refused_messages.append(intent.template)
                # what the real activity answers for a message that would have holes
                raise ApplicationError(
                    "staff_reply needs free_text", type="Invalid", non_retryable=True
                )
            key = (intent.template, intent.sequence, activity.info().scheduled_time)
            book.messages.append(key)
            return [uuid.uuid5(intent.reservation_id, f"{intent.template}:{intent.sequence}")]

        @activity.defn(name="record_staff_message")
        async def record_staff_message(message: StaffMessageRecord) -> uuid.UUID:
            book.staff_answers.append(message)
            return uuid.uuid5(message.reservation_id, message.key)

        @activity.defn(name="send_notification")
        async def send_notification(notification_id: uuid.UUID) -> None:
            book.send_attempts += 1
            if book.failing_sends > 0:
                book.failing_sends -= 1
                raise RuntimeError("the provider is down")
            book.sends.append(notification_id)

        @activity.defn(name="open_payment_session")
        async def open_payment_session(reservation_id: uuid.UUID) -> CheckoutSessionOut:
            return CheckoutSessionOut(
                session_id=f"S-{reservation_id}",
                session_data="data",
                client_key="client",
                environment="test",
                amount_minor=book.deposit_minor,
                currency="EUR",
            )

        @activity.defn(name="move_money")
        async def move_money(move: MoneyMove) -> MoneyMoveResult:
            if move.kind == "refund" and book.failing_refunds > 0:
                book.failing_refunds -= 1
                raise RuntimeError("the provider answered 503")
            book.money.append(move)
            if move.kind == "refund" and book.refuse_refunds:
                raise ApplicationError("refund refused", type="ProviderRefused", non_retryable=True)
            if move.kind == "charge_fee" and book.charge_gate is not None:
                await book.charge_gate.wait()
            return MoneyMoveResult(
                psp_reference=f"PSP-{move.key}", settled=book.settle_at_once, succeeded=True
            )

        @activity.defn(name="record_payment")
        async def record_payment(record: PaymentRecord) -> None:
            if record.event is not None:
                book.recorded_events += 1
            if record.deposit_status is not None:
                book.deposit_statuses.append(record.deposit_status.value)

        @activity.defn(name="record_waiver")
        async def record_waiver(waiver: WaiverRecord) -> None:
            book.waivers.append(waiver)

        @activity.defn(name="settle_payment_after_close")
        async def settle_payment_after_close(
            reservation_id: uuid.UUID, event: PaymentEvent
        ) -> MoneyMove | None:
            book.recorded_events += 1
            if event.event_code != "AUTHORISATION" or not event.success:
                return None
            return MoneyMove(
                reservation_id=reservation_id,
                kind="refund",
                key=refund_key(reservation_id, event.psp_reference),
                amount_minor=event.amount_minor,
                currency=event.currency,
                payment_psp_reference=event.psp_reference,
            )

        return [
            hold_booking,
            record_transition,
            move_booking,
            assign_booking_tables,
            exchange_booking_tables,
            queue_message,
            record_staff_message,
            send_notification,
            open_payment_session,
            move_money,
            record_payment,
            record_waiver,
            settle_payment_after_close,
        ]

    def statuses(self) -> list[str]:
        return [t.status.value for t in self.transitions]

    def templates(self) -> list[str]:
        return [m[0] for m in self.messages]


def fakes_except(book: FakeBook, real: list[Callable[..., Any]]) -> list[Callable[..., Any]]:
    """The stand-ins, less those whose real activity a test registers instead."""
    taken = {getattr(fn, "__name__", "") for fn in real}
    return [fn for fn in book.activities() if getattr(fn, "__name__", "") not in taken]


async def money_moves(book: FakeBook, count: int, *, seconds: float = 10.0) -> list[MoneyMove]:
    """The money movements once `count` were asked (they run beside the lifecycle)."""
    for _ in range(int(seconds / 0.02)):
        if len(book.money) >= count:
            break
        await asyncio.sleep(0.02)
    assert len(book.money) == count, book.money
    return list(book.money)
