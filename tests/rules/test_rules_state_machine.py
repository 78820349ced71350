"""The reservation state machine: the documented table, the code's table and every pair."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules import state_machine
from rules.state_machine import (
    ACTIVE_STATUSES,
    TERMINAL_STATUSES,
    TRANSITIONS,
    IllegalTransition,
    ReservationAction,
    ReservationStatus,
    allowed_actions,
    next_status,
)

S = ReservationStatus
A = ReservationAction

EXPECTED = {
    (S.HELD, A.CONFIRM_DEPOSIT_PAID): S.CONFIRMED,
    (S.HELD, A.AWAIT_MANUAL): S.PENDING_CONFIRMATION,
    (S.PENDING_CONFIRMATION, A.CONFIRM): S.CONFIRMED,
    (S.PENDING_CONFIRMATION, A.DECLINE): S.DECLINED,
    (S.HELD, A.EXPIRE): S.EXPIRED,
    (S.HELD, A.CANCEL_BY_GUEST): S.CANCELLED_BY_GUEST,
    (S.PENDING_CONFIRMATION, A.CANCEL_BY_GUEST): S.CANCELLED_BY_GUEST,
    (S.CONFIRMED, A.CANCEL_BY_GUEST): S.CANCELLED_BY_GUEST,
    (S.HELD, A.CANCEL_BY_RESTAURANT): S.CANCELLED_BY_RESTAURANT,
    (S.PENDING_CONFIRMATION, A.CANCEL_BY_RESTAURANT): S.CANCELLED_BY_RESTAURANT,
    (S.CONFIRMED, A.CANCEL_BY_RESTAURANT): S.CANCELLED_BY_RESTAURANT,
    (S.SEATED, A.CANCEL_BY_RESTAURANT): S.CANCELLED_BY_RESTAURANT,
    (S.HELD, A.MODIFY): S.HELD,
    (S.PENDING_CONFIRMATION, A.MODIFY): S.PENDING_CONFIRMATION,
    (S.CONFIRMED, A.MODIFY): S.CONFIRMED,
    (S.CONFIRMED, A.CHECK_IN): S.SEATED,
    (S.PENDING_CONFIRMATION, A.CHECK_IN): S.SEATED,
    (S.SEATED, A.COMPLETE): S.COMPLETED,
    (S.CONFIRMED, A.NO_SHOW): S.NO_SHOW,
    (S.PENDING_CONFIRMATION, A.NO_SHOW): S.NO_SHOW,
    (S.HELD, A.ASSIGN_TABLES): S.HELD,
    (S.PENDING_CONFIRMATION, A.ASSIGN_TABLES): S.PENDING_CONFIRMATION,
    (S.CONFIRMED, A.ASSIGN_TABLES): S.CONFIRMED,
    (S.SEATED, A.ASSIGN_TABLES): S.SEATED,
    (S.CONFIRMED, A.GUEST_RECONFIRM): S.CONFIRMED,
}


def test_transition_table_is_exactly_the_documented_one() -> None:
    assert dict(TRANSITIONS) == EXPECTED


@pytest.mark.parametrize(("pair", "target"), sorted(EXPECTED.items()))
def test_every_legal_transition(
    pair: tuple[ReservationStatus, ReservationAction], target: ReservationStatus
) -> None:
    status, action = pair
    assert next_status(status, action) is target
    assert action in allowed_actions(status)


ILLEGAL = sorted((s, a) for s in S for a in A if (s, a) not in EXPECTED)


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_every_illegal_transition_raises(
    status: ReservationStatus, action: ReservationAction
) -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_status(status, action)
    assert caught.value.status is status
    assert caught.value.action is action
    assert str(caught.value) == f"cannot {action.value} a reservation that is {status.value}"


def test_message_reads_well() -> None:
    with pytest.raises(
        IllegalTransition, match=r"^cannot check_in a reservation that is cancelled_by_guest$"
    ):
        next_status(S.CANCELLED_BY_GUEST, A.CHECK_IN)


def test_terminal_statuses_allow_nothing_and_partition_with_active() -> None:
    assert set(S) == ACTIVE_STATUSES | TERMINAL_STATUSES
    assert not ACTIVE_STATUSES & TERMINAL_STATUSES
    for status in TERMINAL_STATUSES:
        assert allowed_actions(status) == frozenset()
    for status in ACTIVE_STATUSES:
        assert allowed_actions(status)


def test_expire_only_from_held_and_pending_is_declined() -> None:
    assert allowed_actions(S.PENDING_CONFIRMATION) >= {A.DECLINE}
    assert A.EXPIRE not in allowed_actions(S.PENDING_CONFIRMATION)


def test_str_values() -> None:
    assert S("pending_confirmation") is S.PENDING_CONFIRMATION
    assert f"{A.CHECK_IN}" == "check_in"


def _docstring_table() -> dict[tuple[ReservationStatus, ReservationAction], ReservationStatus]:
    """The transitions the module docstring's table documents, read row by row.

    A row with an empty action column continues the action above it.  A status or
    action the code does not know fails the parse (ValueError), and so does a pair
    listed twice.
    """
    doc = state_machine.__doc__ or ""
    lines = doc.splitlines()
    borders = [i for i, line in enumerate(lines) if re.fullmatch(r"=+( +=+)+", line)]
    assert len(borders) == 3, "the docstring holds one simple table (top, header, bottom rules)"
    top, header, bottom = borders
    assert lines[top + 1].split() == ["action", "from", "to"]
    starts = [m.start() for m in re.finditer(r"=+", lines[top])]
    table: dict[tuple[ReservationStatus, ReservationAction], ReservationStatus] = {}
    action: ReservationAction | None = None
    for line in lines[header + 1 : bottom]:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
        if cells[0]:
            action = A(cells[0])
        assert action is not None, f"a row without an action: {line!r}"
        pair = (S(cells[1]), action)
        assert pair not in table, f"listed twice: {pair}"
        table[pair] = S(cells[2])
    return table


def _docstring_statuses(kind: str) -> set[ReservationStatus]:
    doc = " ".join((state_machine.__doc__ or "").split())
    found = re.search(rf"{kind} statuses \([^)]*\): ([a-z_, ]+)\.", doc)
    assert found, f"the docstring names the {kind.lower()} statuses"
    return {S(name.strip()) for name in found.group(1).split(",")}


def test_docstring_table_is_the_code_table() -> None:
    documented = _docstring_table()
    assert documented == dict(TRANSITIONS)
    assert documented == EXPECTED


def test_docstring_names_the_active_and_terminal_statuses() -> None:
    assert _docstring_statuses("Active") == ACTIVE_STATUSES
    assert _docstring_statuses("Terminal") == TERMINAL_STATUSES


@pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES))
def test_a_terminal_status_refuses_every_action(status: ReservationStatus) -> None:
    for action in A:
        with pytest.raises(IllegalTransition):
            next_status(status, action)


def test_every_status_is_reached_from_held_and_every_active_one_can_end() -> None:
    def reachable(start: ReservationStatus) -> set[ReservationStatus]:
        seen, todo = {start}, [start]
        while todo:
            status = todo.pop()
            for action in allowed_actions(status):
                target = next_status(status, action)
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    assert reachable(S.HELD) == set(S)
    for status in ACTIVE_STATUSES:
        assert reachable(status) & TERMINAL_STATUSES, f"{status} can never end"
    # nothing leaves a terminal status
    assert {source for source, _ in TRANSITIONS} <= ACTIVE_STATUSES


@given(st.lists(st.sampled_from(list(A)), max_size=12))
def test_a_random_walk_from_held_follows_the_table(actions: list[ReservationAction]) -> None:
    status = S.HELD
    for action in actions:
        expected = EXPECTED.get((status, action))
        if expected is None:
            with pytest.raises(IllegalTransition):
                next_status(status, action)
        else:
            status = next_status(status, action)
            assert status is expected
        if status in TERMINAL_STATUSES:
            assert allowed_actions(status) == frozenset()
