"""Turning tables and bookings into the solver's parties (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from rules.table_fit import TableOption, TableSpec, table_options


def options_for(
    size: int, tables: Sequence[TableSpec], *, seating_area: str | None = None
) -> tuple[TableOption, ...]:
    """What can seat a party of ``size``, staff view, best first.

    A guest's seating-area preference is kept: when some option lies in that area,
    only those are offered (the optimizer never moves a party out of its area).
    """
    options = table_options(party_size=size, tables=tables, seating_area=seating_area, staff=True)
    if seating_area is not None:
        inside = [o for o in options if o.area == seating_area]
        if inside:
            return tuple(inside)
    return tuple(options)


def first_free(
    options: Sequence[TableOption], busy: dict[str, list[tuple[int, int]]], start: int, end: int
) -> TableOption | None:
    """The first option whose tables are all free over ``[start, end)`` (the engine's rule)."""
    for option in options:
        if all(all(end <= s or e <= start for s, e in busy.get(t, ())) for t in option.table_ids):
            return option
    return None
