from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.pacing import PacingBook, PacingLimits, pacing_allows, pacing_window_start

T0 = datetime(2026, 6, 12, 17, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_window_start_floors_from_utc_midnight() -> None:
    assert pacing_window_start(at(7), 15) == at(0)
    assert pacing_window_start(at(15), 15) == at(15)
    assert pacing_window_start(at(29), 15) == at(15)
    # 7-minute windows restart at UTC midnight: 17:00 is 1020 min = 145*7 + 5.
    assert pacing_window_start(at(0), 7) == at(-5)
    local = datetime(2026, 6, 12, 19, 7, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert pacing_window_start(local, 15) == at(0)
    assert pacing_window_start(local, 15).tzinfo is UTC


def test_covers_limit() -> None:
    limits = PacingLimits(max_covers=10, window_minutes=15)
    starts = [(at(0), 4), (at(14), 4), (at(15), 6)]
    assert pacing_allows(starts=starts, start_utc=at(5), party_size=2, limits=limits)
    assert not pacing_allows(starts=starts, start_utc=at(5), party_size=3, limits=limits)
    assert pacing_allows(starts=starts, start_utc=at(20), party_size=4, limits=limits)
    assert not pacing_allows(starts=starts, start_utc=at(20), party_size=5, limits=limits)


def test_parties_limit() -> None:
    limits = PacingLimits(max_parties=2, window_minutes=30)
    starts = [(at(0), 2), (at(29), 2)]
    assert not pacing_allows(starts=starts, start_utc=at(10), party_size=1, limits=limits)
    assert pacing_allows(starts=starts, start_utc=at(30), party_size=1, limits=limits)


def test_unlimited_always_allows() -> None:
    starts = [(at(0), 100)] * 50
    assert pacing_allows(starts=starts, start_utc=at(0), party_size=50, limits=PacingLimits())
    assert PacingBook(starts, PacingLimits()).allows(at(0), 50)
    assert PacingBook(starts, PacingLimits()).totals(at(0)) == (5000, 50)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-200, 400), st.integers(1, 8)), max_size=30),
    st.integers(-200, 400),
    st.integers(1, 8),
    st.one_of(st.none(), st.integers(0, 30)),
    st.one_of(st.none(), st.integers(0, 6)),
    st.sampled_from([5, 10, 15, 30, 7]),
)
def test_book_matches_function(
    raw: list[tuple[int, int]],
    start: int,
    party: int,
    max_covers: int | None,
    max_parties: int | None,
    window: int,
) -> None:
    limits = PacingLimits(max_covers=max_covers, max_parties=max_parties, window_minutes=window)
    starts = [(at(m), c) for m, c in raw]
    book = PacingBook(starts, limits)
    expected = pacing_allows(starts=starts, start_utc=at(start), party_size=party, limits=limits)
    assert book.allows(at(start), party) == expected
