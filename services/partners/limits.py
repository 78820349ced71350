"""Per-key rate limits: a fixed window counted in the cache (Redis, or in-process).

The limit protects us, it is not a gate for correctness: when the counter cannot
be read (Redis down) the request is let through and the failure logged.
"""

from __future__ import annotations

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
    """Count one request of `subject` in the current window and decide."""
    epoch = int(now.timestamp())
    window = epoch // window_seconds
    key = f"ratelimit:{subject}:{window_seconds}:{window}"
    count = await cache.incr_with_ttl(key, ttl_seconds=window_seconds + 1)
    retry_after = max(1, (window + 1) * window_seconds - epoch)
    if count is None:
        log.warning("ratelimit.unavailable", subject=subject, outcome="fail_open")
        return RateDecision(True, 0, None)
    return RateDecision(count <= limit, 0 if count <= limit else retry_after, count)
