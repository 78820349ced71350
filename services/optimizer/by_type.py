"""The hindsight optimum on floors without combinations, by table type (pure).

Tables with the same capacities and area are interchangeable, and stays are
fixed intervals: interval graphs are perfect, so parties given to ``k``
identical tables can be seated on them exactly when no moment has more than
``k`` of them at once.  The model therefore picks a type per party and bounds
the count per type at every start moment: a few hundred variables instead of
one per party and table, and an optimum CP-SAT proves in seconds.
"""

from __future__ import annotations

import time as clock
from collections.abc import Sequence

from ortools.sat.python import cp_model

from rules.table_fit import TableSpec
from services.optimizer.solver import Party

TypeKey = tuple[int, int, str | None]


def optimum_by_type(
    parties: Sequence[Party], tables: Sequence[TableSpec], *, time_budget_ms: int
) -> tuple[list[str], int, str, float]:
    """Ids of the seated parties, the proven bound on covers, solver status and milliseconds.

    Single tables only (a floor with combinations needs ``solver.solve``).
    """
    started = clock.perf_counter()
    types: dict[TypeKey, int] = {}
    of_table: dict[str, TypeKey] = {}
    for t in tables:
        key = (t.min_capacity, t.max_capacity, t.area)
        types[key] = types.get(key, 0) + 1
        of_table[t.id] = key
    if any(len(o.table_ids) > 1 for p in parties for o in p.options):
        raise ValueError("combinations need the per-table model (solver.solve)")
    model = cp_model.CpModel()
    chosen: list[dict[TypeKey, cp_model.IntVar]] = []
    variables: list[cp_model.IntVar] = []
    weights: list[int] = []
    for p, party in enumerate(parties):
        kinds = {of_table[o.table_ids[0]] for o in party.options}
        row = {k: model.new_bool_var(f"y_{p}_{k}") for k in kinds}
        model.add_at_most_one(row.values())
        chosen.append(row)
        for k, var in row.items():
            variables.append(var)
            weights.append(1_000 * party.size - (k[1] - party.size))
    for moment in sorted({p.start for p in parties}):
        active = [i for i, p in enumerate(parties) if p.start <= moment < p.end]
        for key, count in types.items():
            here = [chosen[i][key] for i in active if key in chosen[i]]
            if len(here) > count:
                model.add(sum(here) <= count)
    model.maximize(cp_model.LinearExpr.weighted_sum(variables, weights))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_budget_ms / 1000
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    elapsed = (clock.perf_counter() - started) * 1000
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], sum(p.size for p in parties), solver.status_name(status).lower(), elapsed
    seated = [
        party.id
        for party, row in zip(parties, chosen, strict=True)
        if any(solver.boolean_value(v) for v in row.values())
    ]
    bound = -(-int(solver.best_objective_bound) // 1_000)
    return seated, bound, solver.status_name(status).lower(), elapsed
