"""The few SQL expressions PostgreSQL and SQLite spell differently, compiled per dialect.

Everything else in the analytics queries is plain portable SQL (GROUP BY, CASE, SUM).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Float, Integer, case, cast, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class epoch_seconds(FunctionElement[int]):
    """Whole seconds since 1970-01-01 UTC of a UTC timestamp column."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_seconds, "postgresql")
def _epoch_pg(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    (arg,) = element.clauses
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(arg, **kw)})) AS BIGINT)"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # timestamps are stored as naive UTC text; unixepoch() truncates to whole seconds
    (arg,) = element.clauses
    return f"unixepoch({compiler.process(arg, **kw)})"


class day_number(FunctionElement[int]):
    """Days since 1970-01-01 of a DATE column (a calendar date, no time zone involved)."""

    type = Integer()
    inherit_cache = True


@compiles(day_number, "postgresql")
def _day_pg(element: day_number, compiler: SQLCompiler, **kw: Any) -> str:
    (arg,) = element.clauses
    return f"({compiler.process(arg, **kw)} - DATE '1970-01-01')"


@compiles(day_number, "sqlite")
def _day_sqlite(element: day_number, compiler: SQLCompiler, **kw: Any) -> str:
    (arg,) = element.clauses
    return f"CAST(julianday({compiler.process(arg, **kw)}) - 2440587.5 AS INTEGER)"


def weekday_of(date_column: Any) -> ColumnElement[int]:
    """0 = Monday .. 6 = Sunday of a DATE column (1970-01-01 was a Thursday)."""
    return (day_number(date_column) + 3) % 7


def ratio(numerator: Any, denominator: Any) -> ColumnElement[float | None]:
    """numerator / denominator as a float, NULL when the denominator is 0."""
    return case(
        (denominator == 0, None),
        else_=cast(numerator, Float) / cast(denominator, Float),
    )


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet `condition` (0 for none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def sum_if(condition: ColumnElement[bool], value: Any) -> ColumnElement[int]:
    """The sum of `value` over the rows of the group that meet `condition` (0 for none)."""
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)
