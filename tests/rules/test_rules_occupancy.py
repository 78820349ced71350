from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.occupancy import Booking, TableOccupancy, overlaps

T0 = datetime(2026, 6, 12, 17, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_half_open_back_to_back_is_free() -> None:
    occ = TableOccupancy([Booking(("t1",), at(0), at(90), 2)])
    assert occ.is_free("t1", at(90), at(180))
    assert occ.is_free("t1", at(-90), at(0))
    assert not occ.is_free("t1", at(89), at(180))
    assert not occ.is_free("t1", at(-90), at(1))
    assert not occ.is_free("t1", at(10), at(20))
    assert not occ.is_free("t1", at(-10), at(200))
    assert occ.is_free("t2", at(0), at(90))


def test_buffer_extends_existing_bookings() -> None:
    occ = TableOccupancy([Booking(("t1",), at(0), at(90), 2)], buffer=timedelta(minutes=15))
    assert not occ.is_free("t1", at(90), at(180))
    assert occ.is_free("t1", at(105), at(180))


def test_multi_table_booking_blocks_every_table_and_overlaps_merge() -> None:
    occ = TableOccupancy(
        [
            Booking(("t1", "t2"), at(0), at(60), 4),
            Booking(("t1",), at(30), at(120), 2),
            Booking(("t1",), at(200), at(260), 2),
        ]
    )
    assert occ.busy("t1") == [(at(0), at(120)), (at(200), at(260))]
    assert not occ.all_free(("t1", "t3"), at(100), at(110))
    assert occ.all_free(("t2", "t3"), at(60), at(110))
    assert occ.is_free("t1", at(120), at(200))


def test_booking_validation() -> None:
    with pytest.raises(ValueError):
        Booking(("t1",), at(10), at(10), 2)
    with pytest.raises(ValueError):
        Booking(("t1",), datetime(2026, 1, 1), datetime(2026, 1, 2), 2)


intervals = st.tuples(st.integers(0, 600), st.integers(1, 240)).map(lambda p: (p[0], p[0] + p[1]))


@settings(max_examples=200, deadline=None)
@given(st.lists(intervals, max_size=25), intervals, st.integers(0, 30))
def test_is_free_matches_naive_check(
    busy: list[tuple[int, int]], query: tuple[int, int], buffer: int
) -> None:
    bookings = [Booking(("t",), at(s), at(e), 2) for s, e in busy]
    occ = TableOccupancy(bookings, buffer=timedelta(minutes=buffer))
    naive = not any(overlaps(at(query[0]), at(query[1]), at(s), at(e + buffer)) for s, e in busy)
    assert occ.is_free("t", at(query[0]), at(query[1])) == naive
