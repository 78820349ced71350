"""Capacity protection: refuse a booking now when, by the forecast, it displaces more covers.

A bid-price rule, as revenue management uses for airline seats, in the restaurant's
terms. Each table kind (same capacities and area, as ``by_type`` groups them) has,
at every moment of the service, a value per table-minute: when the forecast of the
requests still to come wants more tables of that kind at that moment than are free,
it is the covers per table-minute of the marginal forecast party (the last one a
covers-maximising host would still seat there); otherwise it is zero. A request is
refused when the covers it brings are fewer than the value of the table-minutes it
would take. A party of 2 on a four-top at the forecast peak is refused when parties
of 3-4 are forecast to want that table; at quiet times, or with no forecast, every
request that fits is accepted.

Pure and deterministic. Where it plugs in: after the availability engine has chosen
a table for a request (``rules.availability.check_time`` or make-room) and before
the hold is taken; the forecast comes from past days' requests for the same weekday
and service (``ForecastClass`` counts), scaled by the share of the day's requests
still to come (from the day's booking curve). It is measured in
``benchmarks/table_assignment.py`` and not wired into the booking path yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rules.table_fit import TableSpec

TableKind = tuple[int, int, str | None]  # min capacity, max capacity, area


@dataclass(frozen=True, slots=True)
class ForecastClass:
    """Expected requests of one party size starting at one minute of the service."""

    size: int
    start: int  # minutes from the service's opening
    stay: int  # minutes at the table
    expected: float  # requests expected over the whole booking horizon


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether to accept, the covers the request brings and what it would displace."""

    accept: bool
    covers: int
    displaced: float


def kind_of(table: TableSpec) -> TableKind:
    """Tables of one kind are interchangeable for the rule."""
    return (table.min_capacity, table.max_capacity, table.area)


def tables_needed(size: int, kind: TableKind, combinable: bool) -> int | None:
    """Tables of ``kind`` a party of ``size`` takes (None when the kind cannot seat it).

    With ``combinable``, neighbouring tables of the kind join (up to three); their
    capacities add up as ``rules.table_fit`` adds them.
    """
    low, high, _ = kind
    for count in range(1, 4 if combinable else 2):
        if low <= size <= count * high:
            return count
    return None


def admit(
    *,
    size: int,
    start: int,
    stay: int,
    kind: TableKind,
    combinable: bool,
    free_tables: Mapping[int, int],
    forecast: Sequence[ForecastClass],
    still_to_come: float,
    step: int = 15,
) -> Verdict:
    """Accept or refuse a request the engine can seat on tables of ``kind``.

    ``free_tables`` gives, for each ``step``-minute moment of the request's stay
    (``start``, ``start + step``, ...), how many tables of that kind are free now;
    ``still_to_come`` is the share (0-1) of the forecast requests that have not
    arrived yet. Never refuses when the forecast leaves a free table at every moment
    of the stay, nor with an empty forecast or nothing still to come.
    """
    units = tables_needed(size, kind, combinable) or 1
    share = min(max(still_to_come, 0.0), 1.0)
    displaced = 0.0
    for moment in range(start, start + stay, step):
        free = free_tables.get(moment, 0)
        value = _table_minute_value(moment, kind, combinable, free - units, forecast, share)
        displaced += value * units * min(step, start + stay - moment)
    # a tie (a party of 4 priced at the party of 4 it would displace) is accepted;
    # the tolerance keeps float sums of the per-minute prices from breaking it
    return Verdict(accept=size >= displaced - 1e-9, covers=size, displaced=displaced)


def _table_minute_value(
    moment: int,
    kind: TableKind,
    combinable: bool,
    left: int,
    forecast: Sequence[ForecastClass],
    share: float,
) -> float:
    """Covers per table-minute of the marginal forecast party at ``moment`` when ``left``
    tables remain; zero when the forecast fits in them."""
    wanting: list[tuple[float, float]] = []  # (covers per table-minute, tables wanted)
    for c in forecast:
        if not c.start <= moment < c.start + c.stay or c.expected <= 0:
            continue
        units = tables_needed(c.size, kind, combinable)
        if units is None:
            continue
        wanting.append((c.size / (units * c.stay), c.expected * share * units))
    if sum(w for _, w in wanting) <= max(left, 0):
        return 0.0
    # ration the tables left to the best-paying forecast parties; the first one that
    # no longer fits sets the price
    room = float(max(left, 0))
    for rate, wanted in sorted(wanting, reverse=True):
        if wanted > room:
            return rate
        room -= wanted
    return 0.0
