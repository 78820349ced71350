"""Replays kept histories of every workflow type against today's workflow code.

A history's file name says its workflow type by prefix (`webhook_delivery-...`);
names without a known prefix are reservations.

A change that breaks determinism (reordering activities, new timers without
`workflow.patched`) fails here before it reaches running reservations. Refresh the
histories deliberately with `RECORD_HISTORIES=1 pytest tests/workflows`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.guest_erasure import GuestErasureWorkflow
from workflows.marketing_sync import MarketingSyncWorkflow
from workflows.privacy_message import PrivacyMessageWorkflow
from workflows.reservation import ReservationWorkflow
from workflows.retention import RetentionWorkflow
from workflows.waitlist import WaitlistDispatcher, WaitlistWorkflow
from workflows.webhook_delivery import WebhookDeliveryWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_every_path_has_a_kept_history() -> None:
    names = {p.stem for p in HISTORIES}
    assert {
        "happy_path",
        "hold_expired",
        "manual_declined_by_deadline",
        "manual_confirmed_then_cancelled",
        "reminder_in_dst_week",
        "modified_reminder_moved",
        "cancelled_late",
        "automatic_no_show",
        "deposit_paid_then_cancelled",
        "refused",
        "late_payment_refunded",
        "deposit_refunded_by_webhook",
        "guarantee_no_show_fee_waived",
        "sms_reconfirm_then_cancel",
        "seated_completed_by_timer",
        "unresolved_closed",
        "double_payment_refunds",
        "hold_lost_at_confirmation",
        "staff_answer",
        "webhook_delivery-gave_up",
        "webhook_delivery-refused",
        "webhook_delivery-delivered_after_retries",
        "waitlist_offer_expired",
        "waitlist_entry_expired",
        "waitlist_walk_in_timeout",
        "waitlist_accepted",
        "waitlist_accept_raced_expiry",
        "waitlist_chain_declined",
        "waitlist_chain_accepted",
        "waitlist_dispatcher_chain",
        "waitlist_walk_in_seated",
        "waitlist_dispatcher_ended",
        "marketing_sync-synced",
        "marketing_sync-retried",
        "marketing_sync-refused",
        "marketing_sync-withdrawn",
        "marketing_sync-paged",
        "guest_erasure-cancelled_and_erased",
        "retention-dry_run",
        "retention-anonymised",
        "privacy_message-sent",
        "messages_on_their_own_queue",
    } <= names


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text())
    # each history names its workflow type; the replayer runs the matching class
    replayer = Replayer(
        workflows=[
            ReservationWorkflow,
            WaitlistWorkflow,
            WaitlistDispatcher,
            WebhookDeliveryWorkflow,
            MarketingSyncWorkflow,
            GuestErasureWorkflow,
            RetentionWorkflow,
            PrivacyMessageWorkflow,
        ],
        data_converter=pydantic_data_converter,
    )
    await replayer.replay_workflow(history)
