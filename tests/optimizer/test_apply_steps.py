"""Ordering a plan's moves into steps: each step can be made when its turn comes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from services.optimizer.plans import Move, apply_steps

BASE = datetime(2026, 12, 4, 17, tzinfo=UTC)
T = [uuid.UUID(int=i + 1) for i in range(6)]


def move(n: int, frm: tuple[int, ...], to: tuple[int, ...], start: int = 0, end: int = 90) -> Move:
    return Move(
        reservation_id=uuid.UUID(int=1000 + n),
        from_table_ids=tuple(T[i] for i in frm),
        to_table_ids=tuple(T[i] for i in to),
        starts_at=BASE + timedelta(minutes=start),
        ends_at=BASE + timedelta(minutes=end),
    )


def test_a_chain_runs_from_its_free_end() -> None:
    # a waits for b to leave table 1, b waits for c to leave table 2; table 3 is free
    a, b, c = move(1, (0,), (1,)), move(2, (1,), (2,)), move(3, (2,), (3,))
    assert apply_steps([a, b, c]) == [(c,), (b,), (a,)]


def test_two_parties_swapping_are_one_step() -> None:
    four, pair = move(1, (0, 1), (2,)), move(2, (2,), (0,))
    lone = move(3, (4,), (5,))
    assert apply_steps([lone, four, pair]) == [(lone,), (four, pair)]


def test_a_ring_of_three_is_one_step_and_what_waits_for_it_comes_after() -> None:
    a, b, c = move(1, (0,), (1,)), move(2, (1,), (2,)), move(3, (2,), (0,))
    after = move(4, (3,), (2,), start=60, end=150)  # table 2 is c's until c moves on
    steps = apply_steps([after, a, b, c])
    assert steps == [(a, b, c), (after,)]


def test_parties_at_different_times_do_not_wait_for_each_other() -> None:
    early, late = move(1, (0,), (1,), 0, 60), move(2, (1,), (0,), 60, 120)
    assert sorted(len(s) for s in apply_steps([early, late])) == [1, 1]


@st.composite
def replans(draw: st.DrawFn) -> tuple[list[Move], list[Move]]:
    """Two feasible seatings of the same parties: the moves between them and the still ones."""
    tables = range(draw(st.integers(2, 6)))
    stays = [
        (start * 15, start * 15 + draw(st.sampled_from([45, 60, 90])))
        for start in draw(st.lists(st.integers(0, 16), min_size=1, max_size=12))
    ]

    def seating() -> list[tuple[int, ...]]:
        busy: dict[int, list[tuple[int, int]]] = {t: [] for t in tables}
        seats = []
        for start, end in stays:
            free = [t for t in tables if all(e <= start or end <= s for s, e in busy[t])]
            assume(free)
            chosen = draw(st.lists(st.sampled_from(free), min_size=1, max_size=2, unique=True))
            for t in chosen:
                busy[t].append((start, end))
            seats.append(tuple(sorted(chosen)))
        return seats

    now, later = seating(), seating()
    parties = [move(n, now[n], later[n], start, end) for n, (start, end) in enumerate(stays)]
    moving = [p for p in parties if p.from_table_ids != p.to_table_ids]
    still = [p for p in parties if p.from_table_ids == p.to_table_ids]
    return moving, still


def _clash(seated: dict[uuid.UUID, tuple[Move, tuple[uuid.UUID, ...]]]) -> bool:
    placed = list(seated.values())
    return any(
        a.starts_at < b.ends_at and b.starts_at < a.ends_at and set(ta) & set(tb)
        for i, (a, ta) in enumerate(placed)
        for b, tb in placed[i + 1 :]
    )


@given(replans())
def test_every_step_can_be_made_when_its_turn_comes(replan: tuple[list[Move], list[Move]]) -> None:
    moves, still = replan
    steps = apply_steps(moves)
    assert sorted(m.reservation_id for s in steps for m in s) == sorted(
        m.reservation_id for m in moves
    )
    seated = {m.reservation_id: (m, m.from_table_ids) for m in [*moves, *still]}
    for step in steps:
        for m in step:
            seated[m.reservation_id] = (m, m.to_table_ids)
        assert not _clash(seated), step  # nobody shares a table at any moment between steps
        if len(step) > 1:
            # a step of several only when each of them waits for another of them
            for m in step:
                assert any(
                    o is not m
                    and o.starts_at < m.ends_at
                    and m.starts_at < o.ends_at
                    and set(o.from_table_ids) & set(m.to_table_ids)
                    for o in step
                )
