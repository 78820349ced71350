"""What the WebhookDelivery workflow may ask of activities (names, arguments, results).

A sibling of `activity_contracts.py`, kept apart so each workflow type's contracts
are found beside it; the same test checks both lists against the worker.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from temporalio import activity

from models.schemas.webhooks import DeliveryGivenUp, DeliveryOutcome, GiveUpOutcome


def _contract() -> None:
    raise NotImplementedError("an activity contract: the worker registers the implementation")


@activity.defn(name="deliver_webhook")
async def deliver_webhook(delivery_id: uuid.UUID) -> DeliveryOutcome:
    """POST the event to the subscriber once, signed, and record the attempt."""
    _contract()
    raise AssertionError


@activity.defn(name="give_up_webhook")
async def give_up_webhook(given_up: DeliveryGivenUp) -> GiveUpOutcome:
    """Mark a delivery failed; a long enough streak disables its subscription."""
    _contract()
    raise AssertionError


CONTRACTS: list[Callable[..., Any]] = [deliver_webhook, give_up_webhook]
