"""The worked example, made with `workflow.patched`: refused bookings become searchable.

Before release 0.1.0's successor, a refused booking upserted no search attributes, so
ops could not list a restaurant's refusals of a day in the Temporal UI. The change adds
an `UpsertWorkflowSearchAttributes` command behind `workflow.patched("searchable-refusals")`:
- new workflows take the new path and their history carries the patch marker
  (kept as `refused_searchable.json`, checked by test_replay's patch check);
- the release's `refused` history, written without it, still replays;
- the same change without the patch does not (the negative control).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from models.schemas.lifecycle import ReservationInput, ReservationState
from tests.workflows.conftest import Run
from tests.workflows.release_histories import RELEASES, patch_markers
from tests.workflows.test_reservation_workflow import booking_input, far_future
from workflows.reservation import SEARCHABLE_REFUSALS, ReservationWorkflow
from workflows.search_attributes import RESERVATION_DATE, RESTAURANT_ID

HISTORIES = Path(__file__).parent / "histories"
# the refused booking as release 0.1.0 recorded it, before the change
RELEASED_REFUSAL = RELEASES / "0.1.0" / "refused.json"


@workflow.defn(name="ReservationWorkflow", sandboxed=False)
class UnpatchedReservationWorkflow(ReservationWorkflow):
    """The same new command shipped carelessly: without `workflow.patched`."""

    @workflow.run
    async def run(self, inp: ReservationInput) -> ReservationState:
        self._mark_refusal_searchable(inp)
        return await super().run(inp)


async def test_a_new_refusal_is_searchable_and_keeps_its_patch_marker(run: Run) -> None:
    run.book.refuse = True
    inp = booking_input(day=far_future())
    handle = await run.env.client.start_workflow(
        ReservationWorkflow.run,
        inp,
        id=f"reservation-{inp.booking.reservation_id}",
        task_queue=run.task_queue,
    )
    state = await handle.result()
    assert state.refused
    attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(RESTAURANT_ID) == str(inp.booking.restaurant_id)
    assert attributes.get(RESERVATION_DATE) == inp.booking.date.isoformat()
    history = await handle.fetch_history()
    text = history.to_json()
    if os.environ.get("RECORD_HISTORIES") == "1":
        (HISTORIES / "refused_searchable.json").write_text(text)
    kept = HISTORIES / "refused_searchable.json"
    assert SEARCHABLE_REFUSALS in patch_markers(kept)
    # today's code replays both the new history and the one written before the change
    replayer = Replayer(workflows=[ReservationWorkflow], data_converter=pydantic_data_converter)
    for path in (kept, RELEASED_REFUSAL):
        await replayer.replay_workflow(WorkflowHistory.from_json(path.stem, path.read_text()))


async def test_the_change_without_its_patch_breaks_the_released_history() -> None:
    # negative control: what the replay test is there to catch
    assert SEARCHABLE_REFUSALS not in patch_markers(RELEASED_REFUSAL)
    replayer = Replayer(
        workflows=[UnpatchedReservationWorkflow], data_converter=pydantic_data_converter
    )
    history = WorkflowHistory.from_json("released-refusal", RELEASED_REFUSAL.read_text())
    with pytest.raises(workflow.NondeterminismError):
        await replayer.replay_workflow(history)
