"""Turns per restaurant-day: a few book at once, the rest wake when the day is full."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import pytest

from api.booking_flow import _Turn, _Turns

DAY = (uuid.uuid4(), date(2026, 12, 31))


AT_ONCE, AFTER_A_WAIT, NONE = _Turn.AT_ONCE, _Turn.AFTER_A_WAIT, _Turn.NONE


async def _wait(turns: _Turns, log: list[_Turn], *, hold: asyncio.Event | None = None) -> None:
    async with turns.turn(DAY) as turn:
        log.append(turn)
        if hold is not None:
            await hold.wait()


async def test_only_so_many_book_at_once() -> None:
    turns = _Turns(per_day=2)
    release = asyncio.Event()
    log: list[_Turn] = []
    holders = [asyncio.create_task(_wait(turns, log, hold=release)) for _ in range(5)]
    await asyncio.sleep(0.01)
    assert log == [AT_ONCE, AT_ONCE]  # two turns taken, three waiting
    release.set()
    await asyncio.gather(*holders)
    # the three who queued know others booked meanwhile (they check the day again)
    assert log == [AT_ONCE, AT_ONCE, AFTER_A_WAIT, AFTER_A_WAIT, AFTER_A_WAIT]
    assert not turns._gates  # nothing kept once no one waits


async def test_a_full_day_wakes_everyone_waiting_without_a_turn() -> None:
    turns = _Turns(per_day=1)
    release = asyncio.Event()
    log: list[_Turn] = []
    holder = asyncio.create_task(_wait(turns, log, hold=release))
    await asyncio.sleep(0.01)
    waiters = [asyncio.create_task(_wait(turns, log)) for _ in range(4)]
    await asyncio.sleep(0.01)
    assert log == [AT_ONCE]
    turns.found_full(DAY)
    await asyncio.wait_for(asyncio.gather(*waiters), timeout=5)
    assert log == [AT_ONCE, NONE, NONE, NONE, NONE]  # woken, not given a turn
    # the holder still has its turn; a newcomer waits for it, not for the old verdict
    late = asyncio.create_task(_wait(turns, log))
    await asyncio.sleep(0.01)
    assert not late.done()
    release.set()
    await asyncio.gather(holder, late)
    assert log[-1] is AFTER_A_WAIT
    assert not turns._gates


async def test_a_waiter_that_gives_up_passes_its_turn_on() -> None:
    turns = _Turns(per_day=1)
    release = asyncio.Event()
    log: list[_Turn] = []
    holder = asyncio.create_task(_wait(turns, log, hold=release))
    await asyncio.sleep(0.01)
    leaving = asyncio.create_task(_wait(turns, log))
    staying = asyncio.create_task(_wait(turns, log))
    await asyncio.sleep(0.01)
    leaving.cancel()
    release.set()
    await asyncio.wait_for(staying, timeout=5)
    await holder
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert log == [AT_ONCE, AFTER_A_WAIT]
    assert not turns._gates


def test_finding_a_day_full_that_no_one_waits_on_is_harmless() -> None:
    async def scenario() -> None:
        _Turns(per_day=1).found_full(DAY)

    asyncio.run(scenario())


def test_a_gate_left_behind_by_an_ended_event_loop_does_not_block_the_next() -> None:
    turns = _Turns(per_day=1)
    log: list[_Turn] = []

    # a loop closed with the turn still held (its tasks never cancelled)
    ended = asyncio.new_event_loop()
    abandoned = ended.create_task(_wait(turns, log, hold=asyncio.Event()))
    ended.run_until_complete(asyncio.sleep(0.01))
    ended.close()
    assert not abandoned.done()

    async def again() -> None:
        await asyncio.wait_for(_wait(turns, log), timeout=5)

    asyncio.run(again())
    assert log == [AT_ONCE, AT_ONCE]
