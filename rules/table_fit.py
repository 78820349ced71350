"""Which tables, alone or pushed together, can seat a party, best first.

Combination rules (a "combination" is two or more tables pushed together):

* every pair in it must be combinable, according to either table's
  ``combinable_with`` list (the combination is a clique);
* capacity is the sum of the tables' ``max_capacity``, capped by the smallest
  ``combined_max_capacity`` set on any of them;
* minimum is one more than the capacity of its best proper sub-combination, so
  tables are only pushed together when every one of them is needed (two 2-tops
  seat 3-4, never 2); it is never below the smallest member's ``min_capacity``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A table as the booking rules see it."""

    id: str
    number: str
    min_capacity: int
    max_capacity: int
    area: str | None = None
    features: frozenset[str] = frozenset()
    priority: int = 0  # higher is preferred
    online_bookable: bool = True
    combinable_with: frozenset[str] = frozenset()  # ids of tables it can join
    combined_max_capacity: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.min_capacity <= self.max_capacity:
            raise ValueError(
                f"table {self.number}: need 1 <= min_capacity <= max_capacity, "
                f"got {self.min_capacity}..{self.max_capacity}"
            )


@dataclass(frozen=True, slots=True)
class TableOption:
    """One table or combination that can seat the party."""

    table_ids: tuple[str, ...]
    capacity: int
    min_capacity: int
    area: str | None  # shared area of all tables, None when they differ
    waste: int  # capacity - party size
    numbers: tuple[str, ...] = ()
    features: frozenset[str] = frozenset()  # union over the tables
    priority: int = 0  # sum over the tables
    matched_features: int = 0  # requested features present


NaturalKey = tuple[tuple[int, int, str], ...]
_OptionKey = tuple[int, int, int, int, int, tuple[NaturalKey, ...], tuple[str, ...]]


@lru_cache(maxsize=4096)
def natural_key(number: str) -> NaturalKey:
    """Sort key that puts table "2" before "10" and is total over all strings."""
    parts = re.split(r"(\d+)", number)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


def _capacity(group: Sequence[TableSpec]) -> int:
    if len(group) == 1:
        return group[0].max_capacity
    total = sum(t.max_capacity for t in group)
    caps = [t.combined_max_capacity for t in group if t.combined_max_capacity is not None]
    return min([total, *caps])


def _min_capacity(group: Sequence[TableSpec]) -> int:
    smallest = min(t.min_capacity for t in group)
    if len(group) == 1:
        return smallest
    best_sub = max(_capacity(sub) for sub in combinations(group, len(group) - 1))
    return max(smallest, best_sub + 1)


def _cliques(
    ids: Sequence[str], neighbours: dict[str, frozenset[str]], max_size: int
) -> Iterator[tuple[str, ...]]:
    """Yield every clique of up to ``max_size`` ids, each exactly once."""
    order = {table_id: i for i, table_id in enumerate(ids)}

    def grow(clique: tuple[str, ...], candidates: list[str]) -> Iterator[tuple[str, ...]]:
        yield clique
        if len(clique) == max_size:
            return
        for i, candidate in enumerate(candidates):
            rest = [c for c in candidates[i + 1 :] if c in neighbours[candidate]]
            yield from grow((*clique, candidate), rest)

    for table_id in ids:
        later = sorted(
            (n for n in neighbours[table_id] if order[n] > order[table_id]),
            key=order.__getitem__,
        )
        yield from grow((table_id,), later)


def table_options(
    *,
    party_size: int,
    tables: Sequence[TableSpec],
    seating_area: str | None = None,
    features: frozenset[str] = frozenset(),
    staff: bool = False,
    max_combination: int = 3,
) -> list[TableOption]:
    """Return every table or combination that admits ``party_size``, best first.

    Order: least wasted seats, preferred ``seating_area``, more requested
    ``features``, fewer tables, higher total priority, then table numbers.
    Tables that are not online-bookable are only offered when ``staff`` is True.
    Memoised: the answer depends only on the arguments, and they are all hashable.
    """
    return list(
        _memoised_options(party_size, tuple(tables), seating_area, features, staff, max_combination)
    )


@lru_cache(maxsize=8192)
def _memoised_options(
    party_size: int,
    tables: tuple[TableSpec, ...],
    seating_area: str | None,
    features: frozenset[str],
    staff: bool,
    max_combination: int,
) -> tuple[TableOption, ...]:
    """``table_options`` as an immutable, cached tuple."""
    return tuple(
        _ranked_options(party_size, tables, seating_area, features, staff, max_combination)
    )


def _ranked_options(
    party_size: int,
    tables: Sequence[TableSpec],
    seating_area: str | None,
    features: frozenset[str],
    staff: bool,
    max_combination: int,
) -> list[TableOption]:
    """Compute ``table_options`` (uncached)."""
    usable = [t for t in tables if staff or t.online_bookable]
    by_id = {t.id: t for t in usable}
    if len(by_id) != len(usable):
        raise ValueError("table ids must be unique")
    links: dict[str, set[str]] = {t.id: set() for t in usable}
    for table in usable:
        for other in table.combinable_with:
            if other in by_id and other != table.id:
                links[table.id].add(other)
                links[other].add(table.id)
    neighbours = {table_id: frozenset(n) for table_id, n in links.items()}

    ranked: list[tuple[_OptionKey, TableOption]] = []
    for ids in _cliques(list(by_id), neighbours, max(1, max_combination)):
        group = sorted((by_id[i] for i in ids), key=lambda t: natural_key(t.number))
        capacity = _capacity(group)
        if party_size > capacity:
            continue
        minimum = _min_capacity(group)
        if party_size < minimum:
            continue
        areas = {t.area for t in group}
        area = areas.pop() if len(areas) == 1 else None
        has = frozenset().union(*(t.features for t in group))
        matched = len(features & has)
        priority = sum(t.priority for t in group)
        numbers = tuple(t.number for t in group)
        area_miss = 0 if seating_area is None or area == seating_area else 1
        key: _OptionKey = (
            capacity - party_size,
            area_miss,
            -matched,
            len(group),
            -priority,
            tuple(natural_key(n) for n in numbers),
            tuple(t.id for t in group),
        )
        ranked.append(
            (
                key,
                TableOption(
                    table_ids=tuple(t.id for t in group),
                    capacity=capacity,
                    min_capacity=minimum,
                    area=area,
                    waste=capacity - party_size,
                    numbers=numbers,
                    features=has,
                    priority=priority,
                    matched_features=matched,
                ),
            )
        )
    ranked.sort(key=lambda pair: pair[0])
    return [option for _, option in ranked]
