"""How long a walk-in party would wait: the earliest moment a fitting table is free long enough.

Pure: the caller passes the floor's tables, each table's busy intervals (a seated
party until its check-in plus its turn time, a booked or held party for its
booking) and the clock (`now=`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rules.table_fit import TableOption, TableSpec, table_options


@dataclass(frozen=True, slots=True)
class Busy:
    """A table is taken over [start, end)."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Fit:
    """The earliest free table (or combination) and when it frees up."""

    at: datetime
    option: TableOption


def _free(busy: Sequence[Busy], start: datetime, end: datetime) -> bool:
    return all(b.end <= start or b.start >= end for b in busy)


def earliest_fit(
    *,
    party_size: int,
    tables: Sequence[TableSpec],
    busy: Mapping[str, Sequence[Busy]],
    turn_minutes: int,
    now: datetime,
    until: datetime,
    seating_area: str | None = None,
) -> Fit | None:
    """The first instant from `now` when a table or combination seats the party for its turn.

    Only instants before `until` (the end of service) count; None when none does.
    """
    stay = timedelta(minutes=turn_minutes)
    best: Fit | None = None
    for option in table_options(
        party_size=party_size, tables=tables, seating_area=seating_area, staff=True
    ):
        if seating_area is not None and option.area != seating_area:
            continue
        spans = [b for table_id in option.table_ids for b in busy.get(table_id, ())]
        candidates = sorted({now, *(b.end for b in spans if b.end > now)})
        for at in candidates:
            if at >= until or (best is not None and at >= best.at):
                break
            if _free(spans, at, at + stay):
                best = Fit(at, option)
                break
    return best
