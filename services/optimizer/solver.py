"""Seat parties on tables with OR-Tools CP-SAT: the pure core of the optimizer (no I/O).

The model, per party ``p`` and each table or combination ``o`` that can seat it:

* a boolean ``x[p, o]`` (the party sits on ``o``) and, for every table of ``o``, an
  optional fixed interval over the party's stay (plus the turnover buffer) present
  exactly when ``x[p, o]``; one ``AddNoOverlap`` per table, so combinations are
  alternatives that block each of their tables;
* a party that must stay (seated, locked by staff) has only its current option;
  a party already booked must keep a table (exactly one option); an optional party
  (a new request, the hindsight benchmark's demand) takes at most one.

Objective, lexicographic through weights: most seated covers, then fewest wasted
seats, then fewest moved parties.  The current assignment is given as a hint and
is the fallback: a time-out answers the best plan found, never a worse one.
"""

from __future__ import annotations

import time as clock
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from ortools.sat.python import cp_model

from rules.table_fit import TableOption


@dataclass(frozen=True, slots=True)
class Party:
    """One party to seat, its stay in minutes from the service's reference instant."""

    id: str
    size: int
    start: int
    end: int  # exclusive, with the turnover buffer already added
    options: tuple[TableOption, ...]  # what may seat it, best first
    current: tuple[str, ...] | None = None  # table ids it sits on now
    fixed: bool = False  # seated or locked: stays on ``current``
    required: bool = True  # booked parties keep a table; requests may be turned away

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"party {self.id}: stay must end after it starts")
        if self.fixed and self.current is None:
            raise ValueError(f"party {self.id}: a fixed party needs its current tables")


@dataclass(frozen=True, slots=True)
class Seat:
    """Where a party sits in a plan."""

    party_id: str
    table_ids: tuple[str, ...]
    capacity: int
    moved: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """A feasible assignment and its figures."""

    seats: tuple[Seat, ...]
    turned_away: tuple[str, ...]  # optional parties left without a table
    covers: int
    waste: int
    moves: int
    status: str  # optimal, feasible, current (the fallback), infeasible
    solve_ms: float
    bound_covers: int | None = None  # the solver's proven upper bound on covers
    notes: tuple[str, ...] = field(default_factory=tuple)

    def score(self) -> tuple[int, int, int]:
        """Higher is better: covers, then fewer wasted seats, then fewer moves."""
        return (self.covers, -self.waste, -self.moves)


def _key(table_ids: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(table_ids))


def _current_option(party: Party) -> TableOption | None:
    if party.current is None:
        return None
    wanted = _key(party.current)
    return next((o for o in party.options if _key(o.table_ids) == wanted), None)


def _choices(party: Party) -> list[TableOption]:
    """The options the model may give ``party``: only its own when it is fixed."""
    if party.fixed:
        current = _current_option(party)
        if current is None:
            # a staff choice outside the engine's options (an unusual combination)
            assert party.current is not None
            current = TableOption(
                table_ids=tuple(party.current),
                capacity=party.size,
                min_capacity=1,
                area=None,
                waste=0,
            )
        return [current]
    return list(party.options)


def current_plan(parties: Sequence[Party], *, solve_ms: float = 0.0) -> Plan:
    """The assignment as it stands (parties without tables are turned away)."""
    seats: list[Seat] = []
    away: list[str] = []
    covers = waste = 0
    for party in parties:
        option = _choices(party)[0] if party.fixed else _current_option(party)
        if party.current is None or option is None:
            away.append(party.id)
            continue
        seats.append(Seat(party.id, option.table_ids, option.capacity, moved=False))
        covers += party.size
        waste += max(0, option.capacity - party.size)
    return Plan(tuple(seats), tuple(away), covers, waste, 0, "current", solve_ms)


def check_plan(parties: Sequence[Party], plan: Plan) -> list[str]:
    """Every broken rule of ``plan`` (empty when feasible): overlaps, capacity, fixed parties."""
    problems: list[str] = []
    by_id = {p.id: p for p in parties}
    busy: dict[str, list[tuple[int, int, str]]] = {}
    for seat in plan.seats:
        party = by_id[seat.party_id]
        allowed = {_key(o.table_ids): o for o in _choices(party)}
        option = allowed.get(_key(seat.table_ids))
        if option is None:
            problems.append(f"{party.id} on tables that cannot seat it")
        elif not party.fixed and not option.min_capacity <= party.size <= option.capacity:
            problems.append(f"{party.id} outside its tables' capacity")
        if party.fixed and _key(seat.table_ids) != _key(party.current or ()):
            problems.append(f"{party.id} is fixed but moved")
        for table_id in seat.table_ids:
            busy.setdefault(table_id, []).append((party.start, party.end, party.id))
    seated = {s.party_id for s in plan.seats}
    problems += [
        f"{p.id} is booked but lost its table" for p in parties if p.required and p.id not in seated
    ]
    for table_id, stays in busy.items():
        stays.sort()
        for (_, end, first), (start, _, second) in pairwise(stays):
            if start < end:
                problems.append(f"{first} and {second} overlap on table {table_id}")
    return problems


def solve(
    parties: Sequence[Party],
    *,
    time_budget_ms: int,
    workers: int = 1,
    move_cost: bool = True,
) -> Plan:
    """The best assignment found within ``time_budget_ms``; never worse than the current one.

    ``move_cost`` False ignores moves (the hindsight optimum: nobody is seated yet).
    """
    started = clock.perf_counter()
    fallback = current_plan(parties)
    # fixed parties are constants: their tables are blocked, and options meeting them dropped
    blocked: dict[str, list[tuple[int, int]]] = {}
    for party in parties:
        if party.fixed:
            for table_id in _choices(party)[0].table_ids:
                blocked.setdefault(table_id, []).append((party.start, party.end))
    free = [p for p in parties if not p.fixed]
    model = cp_model.CpModel()
    x: list[list[cp_model.IntVar]] = []
    options: list[list[TableOption]] = []
    per_table: dict[str, list[cp_model.IntervalVar]] = {}
    total_waste_bound = 0
    for p, party in enumerate(free):
        choices = [
            o
            for o in party.options
            if not any(
                s < party.end and party.start < e
                for t in o.table_ids
                for s, e in blocked.get(t, ())
            )
        ]
        options.append(choices)
        total_waste_bound += max((max(0, o.capacity - party.size) for o in choices), default=0)
        row = []
        for o, option in enumerate(choices):
            var = model.new_bool_var(f"x_{p}_{o}")
            row.append(var)
            for table_id in option.table_ids:
                per_table.setdefault(table_id, []).append(
                    model.new_optional_fixed_size_interval_var(
                        party.start, party.end - party.start, var, f"i_{p}_{o}_{table_id}"
                    )
                )
        x.append(row)
        if party.required:
            model.add_exactly_one(row)
        else:
            model.add_at_most_one(row)
    for intervals in per_table.values():
        if len(intervals) > 1:
            model.add_no_overlap(intervals)

    moves_weight = 1 if move_cost else 0
    waste_weight = len(parties) * moves_weight + 1
    cover_weight = total_waste_bound * waste_weight + len(parties) * moves_weight + 1
    variables: list[cp_model.IntVar] = []
    weights: list[int] = []
    for p, party in enumerate(free):
        here = _key(party.current) if party.current is not None else None
        for o, option in enumerate(options[p]):
            moved = here is not None and _key(option.table_ids) != here
            variables.append(x[p][o])
            weights.append(
                cover_weight * party.size
                - waste_weight * max(0, option.capacity - party.size)
                - (moves_weight if moved else 0)
            )
            if not moved and here is not None:
                model.add_hint(x[p][o], True)
    model.maximize(cp_model.LinearExpr.weighted_sum(variables, weights))

    solver = cp_model.CpSolver()
    spent = (clock.perf_counter() - started) * 1000
    solver.parameters.max_time_in_seconds = max(time_budget_ms - spent, 1) / 1000
    solver.parameters.num_workers = max(1, workers)
    status = solver.solve(model)
    elapsed = (clock.perf_counter() - started) * 1000
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        state = "current" if not check_plan(parties, fallback) else "infeasible"
        return _with_time(fallback, elapsed, state)
    seats: list[Seat] = []
    away: list[str] = []
    covers = waste = moves = 0
    for party in parties:
        if party.fixed:
            option = _choices(party)[0]
            seats.append(Seat(party.id, option.table_ids, option.capacity, moved=False))
            covers += party.size
            waste += max(0, option.capacity - party.size)
    for p, party in enumerate(free):
        pick = next((o for o, var in enumerate(x[p]) if solver.boolean_value(var)), None)
        if pick is None:
            away.append(party.id)
            continue
        option = options[p][pick]
        here = _key(party.current) if party.current is not None else None
        moved = here is not None and _key(option.table_ids) != here
        seats.append(Seat(party.id, option.table_ids, option.capacity, moved))
        covers += party.size
        waste += max(0, option.capacity - party.size)
        moves += int(moved)
    fixed_covers = sum(p.size for p in parties if p.fixed)
    bound = fixed_covers - (-int(solver.best_objective_bound) // cover_weight)
    plan = Plan(
        tuple(seats),
        tuple(away),
        covers,
        waste,
        moves,
        "optimal" if status == cp_model.OPTIMAL else "feasible",
        elapsed,
        bound_covers=bound,
    )
    # moves only count when they cost something (the hindsight optimum ignores them)
    kept = 3 if move_cost else 2
    if not check_plan(parties, fallback) and fallback.score()[:kept] > plan.score()[:kept]:
        return _with_time(fallback, elapsed, "current")
    return plan


def _with_time(plan: Plan, solve_ms: float, status: str) -> Plan:
    return Plan(
        plan.seats,
        plan.turned_away,
        plan.covers,
        plan.waste,
        plan.moves,
        status,
        solve_ms,
        plan.bound_covers,
        plan.notes,
    )
