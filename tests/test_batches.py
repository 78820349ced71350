"""One read per crowd, never older than the caller's question (reservations.batches)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reservations.batches import Batches


class Ledger:
    """A value that changes while reads run; each read records what it saw."""

    def __init__(self) -> None:
        self.version = 0
        self.reads = 0

    def reader(self, pause: float = 0.0) -> Callable[[list[int]], Awaitable[list[tuple[int, int]]]]:
        async def read(items: list[int]) -> list[tuple[int, int]]:
            self.reads += 1
            seen = self.version  # what the read sees, at its start
            await asyncio.sleep(pause)
            return [(item, seen) for item in items]

        return read


async def test_a_crowd_shares_one_read_per_wave() -> None:
    ledger = Ledger()
    batches: Batches[str, int, tuple[int, int]] = Batches()
    read = ledger.reader(pause=0.01)
    first = asyncio.create_task(batches.ask("19:00", 0, read))
    await asyncio.sleep(0.005)  # its read has begun, alone
    crowd = await asyncio.gather(*(batches.ask("19:00", n, read) for n in range(1, 200)))
    answers = [await first, *crowd]
    assert [item for item, _ in answers] == list(range(200))  # each caller its own answer
    # everyone who came while the first read ran joined the one read after it
    assert ledger.reads == 2
    assert len(batches) == 0


async def test_a_read_that_began_before_a_question_never_answers_it() -> None:
    ledger = Ledger()
    batches: Batches[str, int, tuple[int, int]] = Batches()
    read = ledger.reader(pause=0.05)
    early = asyncio.create_task(batches.ask("19:00", 1, read))
    await asyncio.sleep(0.01)  # its read has begun and seen version 0
    ledger.version = 1  # a cancellation commits
    late = await batches.ask("19:00", 2, read)
    assert await early == (1, 0)
    assert late == (2, 1)  # the late caller waited for a read that saw the change
    assert ledger.reads == 2


async def test_keys_do_not_wait_for_each_other() -> None:
    gate = asyncio.Event()

    async def slow(items: list[int]) -> list[int]:
        await gate.wait()
        return items

    async def quick(items: list[int]) -> list[int]:
        return [i * 10 for i in items]

    batches: Batches[str, int, int] = Batches()
    stuck = asyncio.create_task(batches.ask("19:00", 1, slow))
    assert await asyncio.wait_for(batches.ask("20:00", 2, quick), timeout=5) == 20
    gate.set()
    assert await stuck == 1


async def test_an_error_reaches_every_caller_of_its_read_and_no_later_one() -> None:
    calls = 0

    async def failing_once(items: list[int]) -> list[int]:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        if calls == 1:
            raise ConnectionError("database went away")
        return items

    batches: Batches[str, int, int] = Batches()
    first = asyncio.create_task(batches.ask("k", 0, failing_once))
    await asyncio.sleep(0)  # the first read begins alone
    crowd = [asyncio.create_task(batches.ask("k", n, failing_once)) for n in range(1, 4)]
    with pytest.raises(ConnectionError):
        await first
    assert await asyncio.gather(*crowd) == [1, 2, 3]


async def test_a_caller_that_gives_up_leaves_the_read_to_the_others() -> None:
    gate = asyncio.Event()

    async def read(items: list[int]) -> list[int]:
        await gate.wait()
        return items

    batches: Batches[str, int, int] = Batches()
    leaving = asyncio.create_task(batches.ask("k", 1, read))
    staying = asyncio.create_task(batches.ask("k", 2, read))
    await asyncio.sleep(0)
    leaving.cancel()
    gate.set()
    assert await staying == 2
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert len(batches) == 0


async def test_a_read_with_the_wrong_number_of_answers_is_an_error() -> None:
    async def short(items: list[int]) -> list[int]:
        return items[:-1]

    batches: Batches[str, int, int] = Batches()
    with pytest.raises(RuntimeError, match="0 answers for 1 callers"):
        await batches.ask("k", 1, short)


@settings(max_examples=60, deadline=None)
@given(
    arrivals=st.lists(
        st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 6), st.booleans()),
        min_size=1,
        max_size=30,
    )
)
def test_every_answer_was_read_after_its_question(
    arrivals: list[tuple[str, int, bool]],
) -> None:
    """Questions arrive over time while the value changes; no answer is older than its
    question, and reads per key never overlap."""

    async def scenario() -> None:
        version = {"a": 0, "b": 0}
        running = {"a": 0, "b": 0}

        def reader(key: str) -> Callable[[list[int]], Awaitable[list[int]]]:
            async def read(items: list[int]) -> list[int]:
                running[key] += 1
                assert running[key] == 1, "two reads of one key at once"
                seen = version[key]
                await asyncio.sleep(0.001)
                running[key] -= 1
                return [seen] * len(items)

            return read

        batches: Batches[str, int, int] = Batches()

        async def ask(key: str, delay: int, change: bool) -> None:
            await asyncio.sleep(delay / 1000)
            if change:
                version[key] += 1
            asked_at = version[key]
            seen = await batches.ask(key, asked_at, reader(key))
            assert seen >= asked_at

        await asyncio.gather(*(ask(k, d, c) for k, d, c in arrivals))
        assert len(batches) == 0

    asyncio.run(scenario())


def test_a_run_left_behind_by_an_ended_event_loop_does_not_block_the_next() -> None:
    batches: Batches[str, int, int] = Batches()

    async def never(items: list[int]) -> list[int]:
        await asyncio.Event().wait()
        return items

    async def echo(items: list[int]) -> list[int]:
        return items

    # a loop closed with the run still going (its tasks never cancelled, as when a
    # server's loop is torn down), then a new loop asks the same question
    ended = asyncio.new_event_loop()
    abandoned = ended.create_task(batches.ask("k", 1, never))
    ended.run_until_complete(asyncio.sleep(0.01))
    ended.close()
    assert not abandoned.done()
    assert asyncio.run(asyncio.wait_for(batches.ask("k", 2, echo), timeout=5)) == 2
