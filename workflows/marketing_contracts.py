"""What the MarketingSync workflow may ask of activities (names, arguments, results).

Arguments and results are ids and counts: the activities read contact data from
the database themselves, so no email or name ever enters a workflow history.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from temporalio import activity

from models.schemas.marketing import BatchOutcome, SubscriberBatch, SyncInput, SyncPage


def _contract() -> None:
    raise NotImplementedError("an activity contract: the worker registers the implementation")


@activity.defn(name="ensure_marketing_group")
async def ensure_marketing_group(inp: SyncInput) -> str:
    """The provider's group of the restaurant's segment ("<slug> · <segment>"), created once."""
    _contract()
    raise AssertionError


@activity.defn(name="plan_marketing_sync")
async def plan_marketing_sync(
    inp: SyncInput, group_id: str | None, after: uuid.UUID | None
) -> SyncPage:
    """The next page of guest ids to add and to take out (left the segment, or withdrew)."""
    _contract()
    raise AssertionError


@activity.defn(name="push_marketing_subscribers")
async def push_marketing_subscribers(batch: SubscriberBatch) -> BatchOutcome:
    """Upsert consenting guests into the group; a guest without live consent is skipped."""
    _contract()
    raise AssertionError


@activity.defn(name="drop_marketing_subscribers")
async def drop_marketing_subscribers(batch: SubscriberBatch) -> BatchOutcome:
    """Take guests out of the group, or out of every group of the scope when they withdrew."""
    _contract()
    raise AssertionError


@activity.defn(name="forget_marketing_subscriber")
async def forget_marketing_subscriber(guest_id: uuid.UUID) -> int:
    """Delete an erased guest from the mailing provider; how many subscribers went."""
    _contract()
    raise AssertionError


CONTRACTS: list[Callable[..., Any]] = [
    ensure_marketing_group,
    plan_marketing_sync,
    push_marketing_subscribers,
    drop_marketing_subscribers,
    forget_marketing_subscriber,
]
