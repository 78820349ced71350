"""Search every text, string and JSON column of every table for given strings."""

from __future__ import annotations

from sqlalchemy import JSON, String, Text, select

from models.orm import Base
from tests.conftest import Database


def text_columns() -> list[tuple[str, str]]:
    """(table, column) of every column that can hold text, from the ORM's metadata."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            kind = column.type
            impl = getattr(kind, "impl", kind)
            if isinstance(kind, String | Text | JSON) or isinstance(impl, String | Text | JSON):
                found.append((table.name, column.name))
    return found


async def where_found(db: Database, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every occurrence, case-insensitive."""
    hits = []
    lowered = [n.lower() for n in needles]
    async with db.sessions() as session:
        for table_name, column_name in text_columns():
            column = Base.metadata.tables[table_name].c[column_name]
            for value in await session.scalars(select(column)):
                text = str(value).lower() if value is not None else ""
                hits += [(table_name, column_name, n) for n in lowered if n in text]
    return hits
