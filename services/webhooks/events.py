"""The webhook outbox: events written in the transaction of the change they tell about.

Each reservation activity makes one call here inside its transaction
(`booking_held`, `transition_recorded`, `booking_moved`); it writes an event row per
event type some active subscription wants, keyed by the activity run so a retried
activity finds its rows instead of writing new ones, and a delivery row per
subscription. After the commit, `Emitted.start()` starts one `WebhookDelivery`
workflow per delivery, with an id made of the subscription and the event, so a
retried start does nothing. With no subscriber the whole cost is one indexed query.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from models.enums import WebhookDeliveryStatus
from models.enums import WebhookEventType as E
from models.orm import Reservation, Restaurant, WebhookDelivery, WebhookEvent
from models.orm import WebhookSubscription as Subscription
from models.schemas.lifecycle import BookingFacts, Transition
from models.schemas.webhooks import DeliveryInput
from reservations.db import upsert_insert
from rules.state_machine import ReservationAction as A
from rules.state_machine import ReservationStatus as S

WORKFLOW_TYPE = "WebhookDelivery"

# the event a recorded transition is (actions not listed tell subscribers nothing)
_TRANSITION_EVENTS: dict[A, E] = {
    A.CONFIRM_DEPOSIT_PAID: E.RESERVATION_CONFIRMED,
    A.CONFIRM: E.RESERVATION_CONFIRMED,
    A.DECLINE: E.RESERVATION_CANCELLED,
    A.EXPIRE: E.RESERVATION_CANCELLED,
    A.CANCEL_BY_GUEST: E.RESERVATION_CANCELLED,
    A.CANCEL_BY_RESTAURANT: E.RESERVATION_CANCELLED,
    A.CHECK_IN: E.RESERVATION_SEATED,
    A.COMPLETE: E.RESERVATION_COMPLETED,
    A.NO_SHOW: E.RESERVATION_NO_SHOW,
}
# transitions that free tables, so the day's availability changes
_FREES_TABLES = frozenset(
    {A.DECLINE, A.EXPIRE, A.CANCEL_BY_GUEST, A.CANCEL_BY_RESTAURANT, A.COMPLETE, A.NO_SHOW}
)


def delivery_workflow_id(subscription_id: uuid.UUID, event_id: uuid.UUID) -> str:
    """The one workflow id of a (subscription, event) delivery."""
    return f"webhook-delivery-{subscription_id}-{event_id}"


@dataclass(frozen=True)
class Dispatch:
    """Where delivery workflows run and how soon they first retry."""

    task_queue: str | None = None  # None: the calling activity's task queue
    first_retry_seconds: int = 30


@dataclass(frozen=True)
class PendingDelivery:
    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID


@dataclass
class Emitted:
    """Deliveries written in a transaction, to start once it has committed."""

    dispatch: Dispatch
    deliveries: list[PendingDelivery] = field(default_factory=list)

    async def start(self, client: Client | None = None) -> None:
        """Start each delivery's workflow (an already started one is left alone).

        A failure to start fails the calling activity, whose retry finds the same
        rows and starts them again: an event is never left unsent.
        """
        if not self.deliveries:
            return
        client = client or activity.client()
        queue = self.dispatch.task_queue or activity.info().task_queue
        await asyncio.gather(*(self._start_one(client, queue, d) for d in self.deliveries))

    async def _start_one(self, client: Client, queue: str, pending: PendingDelivery) -> None:
        with contextlib.suppress(WorkflowAlreadyStartedError):
            await client.start_workflow(
                WORKFLOW_TYPE,
                DeliveryInput(
                    delivery_id=pending.delivery_id,
                    first_retry_seconds=self.dispatch.first_retry_seconds,
                ),
                id=delivery_workflow_id(pending.subscription_id, pending.event_id),
                task_queue=queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )


async def booking_held(
    session: AsyncSession, *, facts: BookingFacts, dispatch: Dispatch, key: str | None = None
) -> Emitted:
    """A hold was written: created (and confirmed, when that happened at once)."""
    if not facts.hold.held:
        return Emitted(dispatch)
    types = [E.RESERVATION_CREATED]
    if facts.status is S.CONFIRMED:
        types.append(E.RESERVATION_CONFIRMED)
    return await _emit(
        session,
        reservation_id=facts.hold.reservation_id,
        types=types,
        days=[facts.date],
        dispatch=dispatch,
        key=key,
    )


async def transition_recorded(
    session: AsyncSession,
    *,
    transition: Transition,
    recorded: bool,
    dispatch: Dispatch,
    key: str | None = None,
) -> Emitted:
    """A state change was written: its event, and the day's availability if tables freed."""
    kind = _TRANSITION_EVENTS.get(transition.action)
    if not recorded or kind is None:
        return Emitted(dispatch)
    reservation = await session.get(Reservation, transition.reservation_id)
    frees = reservation is not None and transition.action in _FREES_TABLES
    days = [reservation.reservation_date] if reservation is not None and frees else []
    return await _emit(
        session,
        reservation_id=transition.reservation_id,
        types=[kind],
        days=days,
        dispatch=dispatch,
        key=key,
    )


async def booking_moved(
    session: AsyncSession,
    *,
    facts: BookingFacts,
    old_day: date | None,
    dispatch: Dispatch,
    key: str | None = None,
) -> Emitted:
    """A booking moved: modified, and the availability of the day(s) it left and joined."""
    if not facts.hold.held:
        return Emitted(dispatch)
    return await _emit(
        session,
        reservation_id=facts.hold.reservation_id,
        types=[E.RESERVATION_MODIFIED],
        days=[old_day, facts.date],
        dispatch=dispatch,
        key=key,
    )


async def waitlist_offer(
    session: AsyncSession,
    *,
    offer_reservation_id: uuid.UUID,
    kind: E,
    dispatch: Dispatch,
    key: str | None = None,
) -> Emitted:
    """A waitlist offer was made, accepted or let go: the event carries the offer's hold."""
    return await _emit(
        session,
        reservation_id=offer_reservation_id,
        types=[kind],
        days=[],
        dispatch=dispatch,
        key=key,
    )


def _emission_key(key: str | None) -> str:
    """What identifies this emission across retries: the activity run, or the caller's key."""
    if key is not None:
        return key
    if activity.in_activity():
        info = activity.info()
        return f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}"
    return f"adhoc/{uuid.uuid4()}"


async def _emit(
    session: AsyncSession,
    *,
    reservation_id: uuid.UUID,
    types: list[E],
    days: Iterable[date | None],
    dispatch: Dispatch,
    key: str | None,
) -> Emitted:
    emitted = Emitted(dispatch)
    # the subscriptions first, by the reservation's restaurant: most restaurants have
    # none, and then the reservation need not be read at all
    restaurant_of = select(Reservation.restaurant_id).where(Reservation.id == reservation_id)
    subscriptions = list(
        await session.scalars(
            select(Subscription).where(
                Subscription.restaurant_id == restaurant_of.scalar_subquery(),
                Subscription.is_active.is_(True),
            )
        )
    )
    if not subscriptions:
        return emitted
    reservation = await session.get(Reservation, reservation_id)
    if reservation is None:
        return emitted
    base = _emission_key(key)
    restaurant = await session.get(Restaurant, reservation.restaurant_id)
    about = {"id": str(reservation.restaurant_id), "name": restaurant.name if restaurant else None}
    now = datetime.now(UTC)
    wanted: list[tuple[str, E, dict[str, Any]]] = [
        (f"{base}/{kind.value}", kind, _reservation_data(reservation, about)) for kind in types
    ]
    for day in sorted({d for d in days if d is not None}):
        wanted.append(
            (
                f"{base}/{E.AVAILABILITY_CHANGED.value}/{day.isoformat()}",
                E.AVAILABILITY_CHANGED,
                {"restaurant": about, "date": day.isoformat()},
            )
        )
    for event_key, kind, data in wanted:
        takers = [s for s in subscriptions if kind.value in s.events]
        if not takers:
            continue
        event_id = await _event_row(session, reservation, event_key, kind, data, now)
        ids = await _delivery_rows(session, [s.id for s in takers], event_id, now)
        emitted.deliveries += [PendingDelivery(ids[s.id], s.id, event_id) for s in takers]
    return emitted


def _reservation_data(reservation: Reservation, restaurant: dict[str, Any]) -> dict[str, Any]:
    """What subscribers learn about a reservation: ids and facts, nothing about the guest."""
    return {
        "reservation_id": str(reservation.id),
        "reference": reservation.reference,
        "restaurant": restaurant,
        "status": reservation.status.value,
        "date": reservation.reservation_date.isoformat(),
        "time": reservation.reservation_time.isoformat(timespec="minutes"),
        "party_size": reservation.party_size,
        "source": reservation.source.value,
    }


async def _event_row(
    session: AsyncSession,
    reservation: Reservation,
    key: str,
    kind: E,
    data: dict[str, Any],
    now: datetime,
) -> uuid.UUID:
    insert = upsert_insert(session)
    payload = {"type": kind.value, "timestamp": now.isoformat(), "data": data}
    inserted = await session.execute(
        insert(WebhookEvent)
        .values(
            id=uuid.uuid4(),
            key=key,
            restaurant_id=reservation.restaurant_id,
            type=kind.value,
            reservation_id=reservation.id,
            occurred_at=now,
            payload=payload,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(WebhookEvent.id)
    )
    event_id: uuid.UUID | None = inserted.scalar_one_or_none() or await session.scalar(
        select(WebhookEvent.id).where(WebhookEvent.key == key)  # a retry: the row exists
    )
    assert event_id is not None
    return event_id


async def _delivery_rows(
    session: AsyncSession, subscription_ids: list[uuid.UUID], event_id: uuid.UUID, now: datetime
) -> dict[uuid.UUID, uuid.UUID]:
    """One delivery per subscription (one statement); subscription id -> delivery id."""
    insert = upsert_insert(session)
    inserted = await session.execute(
        insert(WebhookDelivery)
        .values(
            [
                {
                    "id": uuid.uuid4(),
                    "subscription_id": subscription_id,
                    "event_id": event_id,
                    "status": WebhookDeliveryStatus.PENDING,
                    "attempts": 0,
                    "created_at": now,
                }
                for subscription_id in subscription_ids
            ]
        )
        .on_conflict_do_nothing(index_elements=["subscription_id", "event_id"])
        .returning(WebhookDelivery.subscription_id, WebhookDelivery.id)
    )
    found = {row[0]: row[1] for row in inserted.all()}
    if len(found) < len(subscription_ids):  # a retry: some rows were already there
        rows = await session.execute(
            select(WebhookDelivery.subscription_id, WebhookDelivery.id).where(
                WebhookDelivery.event_id == event_id,
                WebhookDelivery.subscription_id.in_(subscription_ids),
            )
        )
        found = {row[0]: row[1] for row in rows.all()}
    return found
