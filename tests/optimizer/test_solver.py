"""The CP-SAT optimizer on random floors: always feasible, never worse than greedy."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rules.table_fit import TableSpec
from services.optimizer.make_room import make_room, seatable_each_moment
from services.optimizer.parties import first_free, options_for
from services.optimizer.solver import Party, check_plan, current_plan, solve


@st.composite
def floors(draw: st.DrawFn) -> list[TableSpec]:
    count = draw(st.integers(2, 7))
    tables = []
    for i in range(count):
        high = draw(st.sampled_from([2, 2, 4, 4, 6]))
        area = draw(st.sampled_from(["main", "terrace"]))
        joins = frozenset({f"t{i + 1}"}) if i + 1 < count and draw(st.booleans()) else frozenset()
        tables.append(TableSpec(f"t{i}", str(i), 1, high, area=area, combinable_with=joins))
    return tables


@st.composite
def instances(draw: st.DrawFn) -> list[Party]:
    """Parties booked one by one with the engine's first-free rule; some seated or locked."""
    tables = draw(floors())
    busy: dict[str, list[tuple[int, int]]] = {}
    parties = []
    for n in range(draw(st.integers(1, 14))):
        size = draw(st.integers(1, 8))
        start = draw(st.integers(0, 20)) * 15
        end = start + draw(st.sampled_from([45, 60, 90, 120]))
        area = draw(st.sampled_from([None, None, "main", "terrace"]))
        options = options_for(size, tables, seating_area=area)
        option = first_free(options, busy, start, end)
        current = option.table_ids if option is not None else None
        if current is not None:
            for t in current:
                busy.setdefault(t, []).append((start, end))
        fixed = current is not None and draw(st.integers(0, 3)) == 0
        parties.append(
            Party(
                id=f"p{n}",
                size=size,
                start=start,
                end=end,
                options=options,
                current=current,
                fixed=fixed,
                required=current is not None,
            )
        )
    return parties


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_plans_are_feasible_and_never_worse_than_greedy(parties: list[Party]) -> None:
    greedy = current_plan(parties)
    assert check_plan(parties, greedy) == []  # the generator's greedy state is valid
    plan = solve(parties, time_budget_ms=2_000)
    assert check_plan(parties, plan) == []
    assert plan.score() >= greedy.score()
    seats = {s.party_id: s for s in plan.seats}
    for party in parties:
        if party.fixed:
            assert party.current is not None
            assert sorted(seats[party.id].table_ids) == sorted(party.current)
        if party.id in seats and not party.fixed:
            seat = seats[party.id]
            assert seat.capacity >= party.size
            # only the party's own options (its seating area kept) are ever chosen
            assert sorted(seat.table_ids) in [sorted(o.table_ids) for o in party.options]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_a_tiny_time_budget_still_answers_a_plan_no_worse_than_now(parties: list[Party]) -> None:
    plan = solve(parties, time_budget_ms=1)
    assert check_plan(parties, plan) == []
    assert plan.score() >= current_plan(parties).score()


def _floor() -> list[TableSpec]:
    return [TableSpec("a", "1", 1, 2), TableSpec("b", "2", 1, 4)]


def test_make_room_moves_a_pair_off_the_four_top() -> None:
    tables = _floor()
    # the pair sits on the four-top: the two-top was taken when it booked, and is free now
    pair = Party("pair", 2, 60, 120, options_for(2, tables), current=("b",))
    four = Party("four", 4, 60, 120, options_for(4, tables), required=False)
    room = make_room([pair], four, time_budget_ms=1_000)
    assert room is not None
    assert room.seat.table_ids == ("b",)
    assert [(m.party_id, m.table_ids) for m in room.moves] == [("pair", ("a",))]
    assert check_plan([pair, replace(four, required=True)], room.plan) == []


def test_make_room_never_moves_a_locked_party() -> None:
    tables = _floor()
    pair = Party("pair", 2, 60, 120, options_for(2, tables), current=("b",), fixed=True)
    four = Party("four", 4, 60, 120, options_for(4, tables), required=False)
    assert make_room([pair], four, time_budget_ms=1_000) is None


def test_the_optimizer_seats_what_greedy_turns_away() -> None:
    tables = _floor()
    # first come: early takes the two-top, the pair the four-top, the four is refused
    early = Party("early", 2, 0, 30, options_for(2, tables), current=("a",))
    pair = Party("pair", 2, 0, 120, options_for(2, tables), current=("b",))
    four = Party("four", 4, 60, 120, options_for(4, tables), required=False)
    assert current_plan([early, pair, four]).covers == 4
    # in hindsight: early on the four-top before the four arrives, the pair on the two-top
    plan = solve([early, pair, four], time_budget_ms=1_000, move_cost=False)
    assert plan.covers == 8
    assert {s.party_id: s.table_ids for s in plan.seats} == {
        "early": ("b",),
        "pair": ("a",),
        "four": ("b",),
    }
    assert check_plan([early, pair, four], plan) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.integers(1, 8), st.integers(0, 20), st.sampled_from([45, 60, 90]))
def test_the_quick_test_before_make_room_never_refuses_what_the_solver_seats(
    parties: list[Party], size: int, slot: int, stay: int
) -> None:
    """make_room skips the solver when ``seatable_each_moment`` says no: that must
    only happen when the solver could not seat the newcomer either."""
    seated = [p for p in parties if p.current is not None]
    # the newcomer shares a booked party's options (the floor is the instance's)
    options = next((p.options for p in parties if p.size == size and p.options), None)
    assume(options is not None)
    assert options is not None
    newcomer = Party("new", size, slot * 15, slot * 15 + stay, options, required=False)
    plan = solve([*seated, newcomer], time_budget_ms=2_000)
    if any(s.party_id == "new" for s in plan.seats):
        assert seatable_each_moment([*seated, newcomer], newcomer)
