"""Capacity protection: when it may refuse, and that it is a pure, repeatable rule."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.optimizer.admission import ForecastClass, TableKind, Verdict, admit, tables_needed

FOUR_TOP: TableKind = (1, 4, None)
STAY = {1: 45, 2: 45, 3: 60, 4: 60}


def forecast_classes() -> st.SearchStrategy[list[ForecastClass]]:
    return st.lists(
        st.builds(
            lambda size, slot, expected: ForecastClass(size, slot * 15, STAY[size], expected),
            st.integers(1, 4),
            st.integers(0, 12),
            st.floats(0, 20, allow_nan=False),
        ),
        max_size=30,
    )


def requests() -> st.SearchStrategy[tuple[int, int, dict[int, int]]]:
    """A party size, start and the free four-tops at each moment of its stay."""

    def build(size: int, slot: int, free: list[int]) -> tuple[int, int, dict[int, int]]:
        start = slot * 15
        moments = range(start, start + STAY[size], 15)
        return size, start, {m: free[i % len(free)] for i, m in enumerate(moments)}

    return st.builds(
        build, st.integers(1, 4), st.integers(0, 12), st.lists(st.integers(1, 20), min_size=1)
    )


def _admit(
    request: tuple[int, int, dict[int, int]], forecast: list[ForecastClass], share: float
) -> Verdict:
    size, start, free = request
    return admit(
        size=size,
        start=start,
        stay=STAY[size],
        kind=FOUR_TOP,
        combinable=False,
        free_tables=free,
        forecast=forecast,
        still_to_come=share,
    )


@given(requests(), forecast_classes(), st.floats(0, 1))
def test_never_refuses_when_the_forecast_leaves_a_table(
    request: tuple[int, int, dict[int, int]], forecast: list[ForecastClass], share: float
) -> None:
    _, _, free = request
    for moment, count in free.items():
        wanted = sum(c.expected * share for c in forecast if c.start <= moment < c.start + c.stay)
        if wanted > count - 1:
            return  # the forecast wants the table somewhere in the stay: may refuse
    assert _admit(request, forecast, share).accept


@given(requests(), forecast_classes())
def test_never_refuses_with_nothing_forecast_or_nothing_still_to_come(
    request: tuple[int, int, dict[int, int]], forecast: list[ForecastClass]
) -> None:
    assert _admit(request, [], 1.0).accept
    assert _admit(request, forecast, 0.0).accept


@given(requests(), forecast_classes(), st.floats(0, 1))
def test_the_same_question_gets_the_same_answer(
    request: tuple[int, int, dict[int, int]], forecast: list[ForecastClass], share: float
) -> None:
    assert _admit(request, forecast, share) == _admit(request, list(reversed(forecast)), share)


@given(requests(), forecast_classes(), st.floats(0, 1))
def test_a_party_that_fills_the_table_is_never_refused_for_smaller_ones(
    request: tuple[int, int, dict[int, int]], forecast: list[ForecastClass], share: float
) -> None:
    """A party of 4 on a four-top pays the best price per table-minute any party of
    1-4 can; only the length of its stay (60 minutes) could cost it, and a party of
    4 is forecast for the same 60 minutes, so it is never priced out."""
    _, start, free = request
    four = (4, start, {m: free.get(m, 1) for m in range(start, start + 60, 15)})
    assert _admit(four, forecast, share).accept


def test_a_pair_on_a_four_top_is_refused_at_the_peak_and_accepted_when_quiet() -> None:
    peak = [ForecastClass(4, 0, 60, 30.0), ForecastClass(2, 0, 45, 30.0)]
    few_free = {0: 5, 15: 5, 30: 5}
    refused = admit(
        size=2,
        start=0,
        stay=45,
        kind=FOUR_TOP,
        combinable=False,
        free_tables=few_free,
        forecast=peak,
        still_to_come=0.5,
    )
    assert not refused.accept
    assert refused.displaced == 3.0  # 45 minutes at a party of 4's 4/60 covers a minute
    quiet = admit(
        size=2,
        start=0,
        stay=45,
        kind=FOUR_TOP,
        combinable=False,
        free_tables={0: 40, 15: 40, 30: 40},
        forecast=peak,
        still_to_come=0.5,
    )
    assert quiet == Verdict(accept=True, covers=2, displaced=0.0)


def test_tables_needed_counts_combined_two_tops() -> None:
    two_top: TableKind = (1, 2, None)
    assert [tables_needed(n, two_top, True) for n in (1, 2, 3, 4, 5, 6, 7)] == [
        1,
        1,
        2,
        2,
        3,
        3,
        None,
    ]
    assert tables_needed(3, two_top, False) is None
    assert tables_needed(2, (3, 6, None), False) is None
