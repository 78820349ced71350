"""Replays kept histories of every workflow type, today's and every release's, on today's code.

Today's histories (tests/workflows/histories/*.json, tests/partners/histories/*.json) are
recorded by the current code (`RECORD_HISTORIES=1 pytest ...`); at each release they
are frozen into histories/releases/<version>/ with a manifest
(`python -m tests.workflows.release_histories --release X --record`). Replaying the
release folders is what a deploy meets: workflows the previous release started.

A change that breaks determinism (reordering activities, new timers without
`workflow.patched`) fails here before it reaches running reservations; a new patch
without a kept history that takes it fails `test_every_patch_has_a_kept_history`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from temporalio.workflow import _Definition

from tests.workflows.release_histories import (
    MANIFEST,
    RELEASES,
    current_histories,
    patch_ids_in_code,
    patch_markers,
    project_version,
    release_folders,
    released_histories,
    version_key,
    workflow_type,
)
from worker.registry import workflow_classes

HISTORIES = current_histories()
RELEASED = released_histories()


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
        "payments_after_close-payment_given_back",
        "payments_after_close-refund_recorded",
        "deposit_refunded_by_webhook",
        "refund_failed_then_retried",
        "guarantee_no_show_fee_waived",
        "sms_reconfirm_then_cancel",
        "seated_completed_by_timer",
        "unresolved_closed",
        "unresolved_deposit_kept_quietly",
        "double_payment_refunds",
        "payment_not_the_deposit_refunded",
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
        "waitlist_late_offer_requeued",
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
        "privacy_sweep-started",
        "reservation_tables_exchanged",
        "refused_searchable",
        "google_feeds",
        "google_notification_retried",
        "messages_on_their_own_queue",
        "hold_in_first_workflow_task",
    } <= names


def _registered_types() -> set[str]:
    names = [_Definition.must_from_class(cls).name for cls in workflow_classes()]
    return {name for name in names if name is not None}  # None: a dynamic workflow


def test_every_registered_workflow_type_has_a_kept_history() -> None:
    registered = _registered_types()
    assert len(registered) == len(workflow_classes())
    assert registered <= {workflow_type(p) for p in HISTORIES}


def test_every_type_a_release_ran_is_still_registered() -> None:
    """Workflows of a type the last release ran are still running: their code must stay."""
    latest = json.loads((release_folders()[-1] / MANIFEST).read_text())
    assert set(latest["histories"].values()) <= _registered_types()


def test_every_release_folder_has_its_manifest() -> None:
    folders = release_folders()
    assert folders, "no release folder: freeze one with tests.workflows.release_histories"
    assert version_key(folders[-1].name) <= version_key(project_version())
    for folder in folders:
        manifest = json.loads((folder / MANIFEST).read_text())
        assert manifest["release"] == folder.name
        assert manifest["build_id"]  # the WORKER_BUILD_ID of the release's workers
        assert len(manifest["commit"]) == 40
        on_disk = {p.stem: workflow_type(p) for p in folder.glob("*.json") if p.name != MANIFEST}
        assert manifest["histories"] == on_disk


def test_every_patch_has_a_kept_history() -> None:
    """A `workflow.patched` id in the code must be taken by some kept history of today's.

    Otherwise the new branch was never recorded, and nothing shows that it replays
    or that the old branch still does.
    """
    patches = patch_ids_in_code()
    assert {"close-seated-party", "close-unresolved-booking"} <= set(patches)
    taken = set().union(*(patch_markers(p) for p in HISTORIES))
    missing = {patch: where for patch, where in patches.items() if patch not in taken}
    assert not missing, f"patches with no kept history carrying their marker: {missing}"


def test_every_released_patch_is_still_in_the_code_or_deprecated_on_purpose() -> None:
    """A patch the last release ran cannot vanish: its histories still take that branch."""
    latest = json.loads((release_folders()[-1] / MANIFEST).read_text())
    assert set(latest["patches"]) <= set(patch_ids_in_code())


def _label(path: Path) -> str:
    release = path.parent.name if path.parent.parent == RELEASES else "current"
    return f"{release}/{path.stem}"


@pytest.mark.parametrize("path", HISTORIES + RELEASED, ids=_label)
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text())
    # each history names its workflow type; the replayer runs the matching class
    replayer = Replayer(workflows=workflow_classes(), data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)
