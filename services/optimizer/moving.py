"""Moving parties through their workflows, all or nothing (used by make-room at booking).

Each move is the reservation workflow's ``assign_tables`` update (unlocked: the
optimizer's choice, not the staff's), so the workflow's state and the table rows
change together and the move takes the day's advisory lock as every hold does.
"""

from __future__ import annotations

import uuid

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from models.schemas.lifecycle import AssignTablesRequest, ReservationState
from services.optimizer.plans import Move


def _workflow_id(move: Move) -> str:
    return f"reservation-{move.reservation_id}"


async def _assign(client: Client, move: Move, table_ids: tuple[uuid.UUID, ...]) -> None:
    handle = client.get_workflow_handle(_workflow_id(move))
    await handle.execute_update(
        "assign_tables",
        AssignTablesRequest(table_ids=list(table_ids), lock=False),
        # no fixed update id: a party may be moved to the same tables again later
        result_type=ReservationState,
    )


async def move_parties(client: Client, moves: list[Move]) -> list[Move] | None:
    """Make every move, in order; on a refusal undo those made and answer None."""
    done: list[Move] = []
    for move in moves:
        try:
            await _assign(client, move, move.to_table_ids)
        except (WorkflowUpdateFailedError, RPCError):
            await undo(client, done)
            return None
        done.append(move)
    return done


async def undo(client: Client, moves: list[Move]) -> None:
    """Put the parties back on their old tables, last move first."""
    for move in reversed(moves):
        await _assign(client, move, move.from_table_ids)
