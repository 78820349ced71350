"""Waiting for a fresh minute: cached availability answers are keyed by the minute."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime


async def early_in_a_minute(margin: float = 30.0) -> None:
    """Wait for the next minute unless `margin` seconds of this one remain.

    A test that reads back a stale answer on purpose must read it within the minute
    that stored it: the next minute's key misses and computes a fresh one.
    """
    second = datetime.now(UTC).timestamp() % 60
    if second > 60 - margin:
        await asyncio.sleep(60 - second + 0.1)
