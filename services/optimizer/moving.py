"""Moving parties through their workflows, step by step, all or nothing.

A step of one party is its workflow's ``assign_tables`` update (unlocked: the
optimizer's choice, not the staff's), so the workflow's state and the table rows
change together. A step of several parties (a swap, or a ring) is one
``exchange_tables`` update on the first party's workflow, which rewrites all
their tables in one transaction; the others' workflows then take the tables they
now hold with ``assign_tables``, so their state agrees too. Every update takes the
day's advisory lock, as every hold does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import structlog
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from models.schemas.lifecycle import (
    AssignTablesRequest,
    ExchangeTablesRequest,
    PartyTables,
    ReservationState,
)
from services.optimizer.plans import Step

log = structlog.get_logger(__name__)


class MoveRefused(Exception):
    """A step was refused (the steps made before it were undone)."""

    def __init__(self, reservation_id: uuid.UUID, detail: str) -> None:
        super().__init__(detail)
        self.reservation_id = reservation_id
        self.detail = detail


def _workflow_id(reservation_id: uuid.UUID) -> str:
    return f"reservation-{reservation_id}"


async def _assign(
    client: Client, reservation_id: uuid.UUID, table_ids: Sequence[uuid.UUID]
) -> None:
    handle = client.get_workflow_handle(_workflow_id(reservation_id))
    await handle.execute_update(
        "assign_tables",
        AssignTablesRequest(table_ids=list(table_ids), lock=False),
        # no fixed update id: a party may be moved to the same tables again later
        result_type=ReservationState,
    )


async def _exchange(client: Client, step: Step, *, back: bool = False) -> None:
    parties = [
        PartyTables(
            reservation_id=m.reservation_id,
            from_table_ids=list(m.to_table_ids if back else m.from_table_ids),
            to_table_ids=list(m.from_table_ids if back else m.to_table_ids),
        )
        for m in step
    ]
    handle = client.get_workflow_handle(_workflow_id(step[0].reservation_id))
    await handle.execute_update(
        "exchange_tables", ExchangeTablesRequest(parties=parties), result_type=ReservationState
    )
    for party in parties[1:]:
        try:
            await _assign(client, party.reservation_id, party.to_table_ids)
        except (WorkflowUpdateFailedError, RPCError) as exc:
            # the rows are already right; only this workflow's copy of its tables is old
            # (it has ended, or ends now): nothing to undo
            log.warning(
                "moved party's workflow did not take its new tables",
                reservation_id=str(party.reservation_id),
                error=str(exc),
            )


async def _make(client: Client, step: Step, *, back: bool = False) -> None:
    if len(step) > 1:
        await _exchange(client, step, back=back)
        return
    move = step[0]
    await _assign(client, move.reservation_id, move.from_table_ids if back else move.to_table_ids)


def _refusal(exc: WorkflowUpdateFailedError | RPCError) -> str | None:
    """Why the step was refused; None for an RPC error that is not a refusal (an outage)."""
    if isinstance(exc, WorkflowUpdateFailedError):
        return str(exc.cause or exc)
    if exc.status is RPCStatusCode.NOT_FOUND:
        return "the reservation's workflow has ended"
    return None


async def move_parties(client: Client, steps: Sequence[Step]) -> list[Step]:
    """Make every step, in order; the steps made.

    On a refusal the steps already made are undone and MoveRefused is raised; an
    unreachable Temporal raises its RPCError as it is.
    """
    done: list[Step] = []
    for step in steps:
        try:
            await _make(client, step)
        except (WorkflowUpdateFailedError, RPCError) as exc:
            detail = _refusal(exc)
            if detail is None:
                raise
            await undo(client, done)
            raise MoveRefused(step[0].reservation_id, detail) from None
        done.append(step)
    return done


async def undo(client: Client, steps: Sequence[Step]) -> None:
    """Put the parties back on their old tables, last step first."""
    for step in reversed(steps):
        await _make(client, step, back=True)
