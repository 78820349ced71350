"""Tell a restaurant-day's waitlist dispatcher that tables may have freed up.

One small function for every change that frees capacity: a transition that releases
tables, a booking moved off a day, a released waitlist offer (activities), and
tables added or unblocked or a special day reopened (the API calls it). It uses
signal-with-start, so the dispatcher runs only for days that need it; a day with
no waiting entry is not signalled at all.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from models.schemas.waitlist import CapacityChanged, DispatcherInput, dispatcher_workflow_id
from reservations.db import transaction
from services.waitlist.entries import waiting_count
from workflows.waitlist import WaitlistDispatcher


async def tell_dispatcher(
    client: Client,
    *,
    restaurant_id: uuid.UUID,
    day: date,
    reason: str,
    event_id: str,
    task_queue: str,
) -> None:
    """Signal-with-start the dispatcher of (restaurant, day): match waiting entries again."""
    await client.start_workflow(
        WaitlistDispatcher.run,
        DispatcherInput(restaurant_id=restaurant_id, day=day),
        id=dispatcher_workflow_id(restaurant_id, day),
        task_queue=task_queue,
        start_signal="capacity_changed",
        start_signal_args=[
            CapacityChanged(
                restaurant_id=restaurant_id, day=day, reason=reason[:60], event_id=event_id
            )
        ],
    )


async def capacity_freed(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    *,
    restaurant_id: uuid.UUID,
    days: list[date],
    reason: str,
    event_id: str,
    task_queue: str,
) -> None:
    """Tell the dispatcher of each day that has waiting entries (the others are left alone)."""
    for day in sorted(set(days)):
        async with transaction(sessions) as session:
            waiting = await waiting_count(session, restaurant_id=restaurant_id, day=day)
        if waiting:
            await tell_dispatcher(
                client,
                restaurant_id=restaurant_id,
                day=day,
                reason=reason,
                event_id=f"{event_id}:{day.isoformat()}",
                task_queue=task_queue,
            )
