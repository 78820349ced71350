"""One page of a query's rows and the total count: the shape of every list the API returns."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


async def page_of(
    session: AsyncSession, query: Select[T], *, limit: int, offset: int
) -> tuple[list[T], int]:
    """The rows of ``query`` (already ordered) from ``offset``, at most ``limit``, and the total."""
    counted: Select[Any] = select(func.count()).select_from(query.order_by(None).subquery())
    total = await session.scalar(counted)
    rows = await session.scalars(query.limit(limit).offset(offset))
    return list(rows), int(total or 0)
