import pytest

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


def test_module_docstring_lists_every_transition() -> None:
    import rules.state_machine as module

    doc = module.__doc__ or ""
    for action in A:
        assert action.value in doc
