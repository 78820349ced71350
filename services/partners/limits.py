"""Per-key rate limits: a sliding window counted in the cache (Redis, or in-process).

Each fixed window keeps a counter; a request is judged on this window's count plus
the previous window's, weighted by how much of the previous window still lies within
the last `window_seconds`. Fixed windows alone let a caller send twice the limit
across a boundary (the limit at 0:59 and again at 1:00); the weighting closes that.

The limit protects us, it is not a gate for correctness: when the counter cannot
be read (Redis down) the request is let through and the failure logged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import structlog

from reservations.cache import Cache

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RateDecision:
    """Whether one more request fits, and how long to wait when it does not."""

    allowed: bool
    retry_after_seconds: int
    count: int | None  # None when the counter could not be read (fail open)


async def take(
    cache: Cache, *, subject: str, limit: int, window_seconds: int, now: datetime
) -> RateDecision:
    """Count one request of `subject` and decide it over the last `window_seconds`."""
    moment = now.timestamp()
    window = int(moment // window_seconds)
    prefix = f"ratelimit:{subject}:{window_seconds}"
    # kept two windows: the next window weighs this one's count
    count = await cache.incr_with_ttl(f"{prefix}:{window}", ttl_seconds=2 * window_seconds + 1)
    if count is None:
        log.warning("ratelimit.unavailable", subject=subject, outcome="fail_open")
        return RateDecision(True, 0, None)
    previous = int(await cache.get(f"{prefix}:{window - 1}") or b"0")
    elapsed = moment - window * window_seconds
    weighted = previous * (1 - elapsed / window_seconds) + count
    if weighted <= limit:
        return RateDecision(True, 0, count)
    wait = _seconds_until_one_fits(previous, count, limit, elapsed, window_seconds)
    return RateDecision(False, max(1, math.ceil(wait)), count)


def _seconds_until_one_fits(
    previous: int, count: int, limit: int, elapsed: float, window_seconds: int
) -> float:
    """How long until one more request fits, if none is sent meanwhile."""
    left_in_window = window_seconds - elapsed
    if count + 1 <= limit and previous > 0:
        # still this window: wait for the previous window's weight to fade enough
        fade = window_seconds * (1 - (limit - count - 1) / previous) - elapsed
        if fade < left_in_window:
            return max(fade, 0.0)
    if count <= limit - 1:
        return left_in_window
    if limit >= 1:
        # the next window: this window's count becomes the fading one
        return left_in_window + window_seconds * (1 - (limit - 1) / count)
    return left_in_window + window_seconds
