"""How a failed workflow update becomes an HTTP answer (api/lifecycle.py).

An activity's refusal that a handler lets through reaches the API wrapped in an
ActivityError: the refusal inside is the answer (422 naming the field, 404), not a
409 saying an activity failed.
"""

from __future__ import annotations

from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from api.lifecycle import _update_problem
from api.problems import Conflict, InvalidInput, NotFound


def _through_an_activity(refusal: ApplicationError) -> WorkflowUpdateFailedError:
    failed = ActivityError(
        "Activity task failed",
        scheduled_event_id=5,
        started_event_id=6,
        identity="worker",
        activity_type="record_transition",
        activity_id="3",
        retry_state=RetryState.NON_RETRYABLE_FAILURE,
    )
    failed.__cause__ = refusal
    return WorkflowUpdateFailedError(failed)


def test_an_activitys_refusal_is_answered_as_the_refusal() -> None:
    invalid = ApplicationError(
        "spend_minor is out of range", {"field": "spend_minor"}, type="Invalid", non_retryable=True
    )
    answer = _update_problem(_through_an_activity(invalid))
    assert isinstance(answer, InvalidInput) and answer.field == "spend_minor"
    gone = ApplicationError("reservation not found", type="NotFound", non_retryable=True)
    assert isinstance(_update_problem(_through_an_activity(gone)), NotFound)
    other = ApplicationError("tables taken", type="Conflict", non_retryable=True)
    assert isinstance(_update_problem(_through_an_activity(other)), Conflict)
