"""Booking references handed out from blocks of the year's counter.

Taking a number from the counter costs a short transaction of its own: the counter
row stays locked until commit, so it cannot share the hold's transaction without
serializing every booking behind it. A worker takes a block of numbers at a time and
hands them out one by one, so only one booking in a block pays that transaction.

References stay unique: every block is the counter's alone. As before they are not
gap-free (a refused hold, a retried activity or a stopped worker leaves numbers
unused), and with several workers they are not in booking order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reservations.db import transaction
from rules.references import format_reference
from services.allocation import take_reference_numbers

BLOCK = 10  # numbers a worker takes at once: at most this many unused after a restart


@dataclass
class ReferenceBlocks:
    """One worker's unused reference numbers, by year, taken from the database's counter."""

    sessions: async_sessionmaker[AsyncSession]
    block: int = BLOCK
    _unused: dict[int, deque[int]] = field(default_factory=dict)
    # one refill at a time per year: a crowd of bookings takes one block, not one each
    _refills: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = field(
        default_factory=dict
    )

    async def next(self, year: int) -> str:
        """A reference of ``year`` that no other booking has or will get."""
        unused = self._unused.setdefault(year, deque())
        if not unused:
            async with self._refill(year):
                if not unused:  # else another caller refilled while this one waited
                    async with transaction(self.sessions) as session:
                        numbers = await take_reference_numbers(session, year=year, count=self.block)
                    unused.extend(numbers)
                return format_reference(year, unused.popleft())
        return format_reference(year, unused.popleft())

    def _refill(self, year: int) -> asyncio.Lock:
        # a lock belongs to the event loop it was first waited on (tests run many)
        loop = asyncio.get_running_loop()
        found = self._refills.get(year)
        if found is None or found[0] is not loop:
            found = (loop, asyncio.Lock())
            self._refills[year] = found
        return found[1]
