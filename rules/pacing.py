"""Pacing: how many covers and parties the kitchen accepts per start window.

A pacing window is ``[floor(start_utc to window_minutes since the UTC day
start), + window_minutes)``; a booking counts towards the window its start falls in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class PacingLimits:
    """Per-window caps; ``None`` means no cap."""

    max_covers: int | None = None
    max_parties: int | None = None
    window_minutes: int = 15

    def __post_init__(self) -> None:
        if self.window_minutes <= 0:
            raise ValueError(f"window_minutes must be positive, got {self.window_minutes}")

    @property
    def unlimited(self) -> bool:
        """True when neither covers nor parties are capped."""
        return self.max_covers is None and self.max_parties is None


_DAY_SECONDS = 86_400


def _window_key(start_utc: datetime, window_minutes: int) -> int:
    """POSIX second at which the pacing window of ``start_utc`` starts."""
    # Integer arithmetic instead of datetime maths: this runs once per booking.
    seconds = math.floor(start_utc.timestamp())
    day_start = seconds - seconds % _DAY_SECONDS  # UTC midnight: POSIX days are 86400 s
    width = window_minutes * 60
    return day_start + (seconds - day_start) // width * width


def pacing_window_start(start_utc: datetime, window_minutes: int) -> datetime:
    """Return the start (aware UTC) of the pacing window containing ``start_utc``."""
    return datetime.fromtimestamp(_window_key(start_utc, window_minutes), UTC)


def _fits(covers: int, parties: int, party_size: int, limits: PacingLimits) -> bool:
    if limits.max_covers is not None and covers + party_size > limits.max_covers:
        return False
    return limits.max_parties is None or parties + 1 <= limits.max_parties


def pacing_allows(
    *,
    starts: Sequence[tuple[datetime, int]],
    start_utc: datetime,
    party_size: int,
    limits: PacingLimits,
) -> bool:
    """True when one more party of ``party_size`` fits the window of ``start_utc``.

    ``starts`` are ``(start_utc, covers)`` of the existing active bookings.
    """
    if limits.unlimited:
        return True
    window = _window_key(start_utc, limits.window_minutes)
    covers = parties = 0
    for start, party in starts:
        if _window_key(start, limits.window_minutes) == window:
            covers += party
            parties += 1
    return _fits(covers, parties, party_size, limits)


class PacingBook:
    """Precomputed window totals for fast repeated pacing checks."""

    def __init__(self, starts: Iterable[tuple[datetime, int]], limits: PacingLimits) -> None:
        self.limits = limits
        self._totals: dict[int, tuple[int, int]] = {}
        # Bookings share few start times: sum per start, then map each start to its window.
        covers_at: dict[datetime, int] = {}
        parties_at: dict[datetime, int] = {}
        for start, party in starts:
            covers_at[start] = covers_at.get(start, 0) + party
            parties_at[start] = parties_at.get(start, 0) + 1
        for start, party in covers_at.items():
            window = _window_key(start, limits.window_minutes)
            covers, parties = self._totals.get(window, (0, 0))
            self._totals[window] = (covers + party, parties + parties_at[start])

    def totals(self, start_utc: datetime) -> tuple[int, int]:
        """Return ``(covers, parties)`` already booked in the window of ``start_utc``."""
        return self._totals.get(_window_key(start_utc, self.limits.window_minutes), (0, 0))

    def allows(self, start_utc: datetime, party_size: int) -> bool:
        """True when one more party of ``party_size`` fits the window of ``start_utc``."""
        if self.limits.unlimited:
            return True
        covers, parties = self.totals(start_utc)
        return _fits(covers, parties, party_size, self.limits)
