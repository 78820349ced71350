"""Which tables are taken when: the rule-level guard against double booking.

Intervals are half-open, ``[start, end)``: a booking ending at 20:00 and one
starting at 20:00 do not overlap.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Booking:
    """An active booking holding ``table_ids`` for ``[start_utc, end_utc)``."""

    table_ids: tuple[str, ...]
    start_utc: datetime
    end_utc: datetime
    covers: int

    def __post_init__(self) -> None:
        if self.start_utc.tzinfo is None or self.end_utc.tzinfo is None:
            raise ValueError("booking times must be timezone-aware")
        if self.end_utc <= self.start_utc:
            raise ValueError("booking must end after it starts")


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """True when half-open intervals ``[a_start, a_end)`` and ``[b_start, b_end)`` meet."""
    return a_start < b_end and b_start < a_end


class TableOccupancy:
    """Per-table busy intervals, answering ``is_free`` in O(log n).

    ``buffer`` extends every booking's end (turnover time for resetting the table).
    """

    def __init__(self, bookings: Iterable[Booking], *, buffer: timedelta = timedelta(0)) -> None:
        if buffer < timedelta(0):
            raise ValueError("buffer cannot be negative")
        raw: dict[str, list[tuple[datetime, datetime]]] = {}
        for booking in bookings:
            for table_id in set(booking.table_ids):
                raw.setdefault(table_id, []).append((booking.start_utc, booking.end_utc + buffer))
        self._starts: dict[str, list[datetime]] = {}
        self._ends: dict[str, list[datetime]] = {}
        for table_id, intervals in raw.items():
            starts, ends = _merge(intervals)
            self._starts[table_id] = starts
            self._ends[table_id] = ends

    def is_free(self, table_id: str, start: datetime, end: datetime) -> bool:
        """True when ``table_id`` has no booking overlapping ``[start, end)``."""
        starts = self._starts.get(table_id)
        if not starts or end <= start:
            return True
        # Merged intervals are disjoint and sorted, so only the last one
        # starting before ``end`` can reach into ``[start, end)``.
        i = bisect_left(starts, end)
        return i == 0 or self._ends[table_id][i - 1] <= start

    def all_free(self, table_ids: Iterable[str], start: datetime, end: datetime) -> bool:
        """True when every table in ``table_ids`` is free for ``[start, end)``."""
        return all(self.is_free(table_id, start, end) for table_id in table_ids)

    def busy(self, table_id: str) -> list[tuple[datetime, datetime]]:
        """Return the table's merged busy intervals, sorted."""
        return list(zip(self._starts.get(table_id, []), self._ends.get(table_id, []), strict=True))


def busy_masks(
    bookings: Iterable[Booking],
    *,
    bits: Mapping[str, int],
    starts: Sequence[datetime],
    length: timedelta,
    buffer: timedelta = timedelta(0),
) -> list[int]:
    """For each of the sorted ``starts``, the tables busy during ``[start, start + length)``.

    A table's ``bits`` are OR-ed into a start's mask when a booking holding it
    overlaps that stay (its end extended by ``buffer``); tables without bits are
    ignored.  It answers what ``TableOccupancy.is_free`` answers for every start
    and table at once: one pass over the bookings, with two bisections each.
    """
    if buffer < timedelta(0):
        raise ValueError("buffer cannot be negative")
    masks = [0] * len(starts)
    if length <= timedelta(0) or not masks:
        return masks  # an empty stay overlaps nothing
    # A booking [b_start, b_end + buffer) meets [start, start + length) exactly when
    # start + length > b_start and start - buffer < b_end.
    stay_ends = [start + length for start in starts]
    shifted = [start - buffer for start in starts] if buffer else starts
    for booking in bookings:
        held = 0
        for table_id in booking.table_ids:
            held |= bits.get(table_id, 0)
        if held:
            first = bisect_right(stay_ends, booking.start_utc)
            for i in range(first, bisect_left(shifted, booking.end_utc, first)):
                masks[i] |= held
    return masks


def _merge(
    intervals: list[tuple[datetime, datetime]],
) -> tuple[list[datetime], list[datetime]]:
    """Merge overlapping intervals so that starts and ends are both sorted."""
    intervals.sort()
    starts: list[datetime] = []
    ends: list[datetime] = []
    for start, end in intervals:
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends
