"""How long a party keeps its table, by party size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TurnTimeRule:
    """Parties of at least ``min_party_size`` keep the table for ``minutes``."""

    min_party_size: int
    minutes: int

    def __post_init__(self) -> None:
        if self.minutes <= 0:
            raise ValueError(f"turn time must be positive, got {self.minutes}")


DEFAULT_TURN_TIMES: tuple[TurnTimeRule, ...] = (
    TurnTimeRule(2, 90),
    TurnTimeRule(4, 105),
    TurnTimeRule(6, 150),
)


def turn_time_minutes(party_size: int, rules: Sequence[TurnTimeRule], default_minutes: int) -> int:
    """Return the turn time: the rule with the largest ``min_party_size <= party_size``.

    Falls back to ``default_minutes`` when no rule matches.
    """
    best: TurnTimeRule | None = None
    for rule in rules:
        if rule.min_party_size <= party_size and (
            best is None or rule.min_party_size > best.min_party_size
        ):
            best = rule
    return default_minutes if best is None else best.minutes
