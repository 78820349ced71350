"""Engine: one restaurant-day with 40 tables and 300 bookings, in-process (target < 1 ms median).

Run: python -m benchmarks.engine
"""

from __future__ import annotations

import time as clock
import uuid
from datetime import time

from benchmarks import DAY, NOW, ZONE, busy_bookings, busy_floor, median, percentile
from rules.availability import BookingPolicy
from rules.opening_hours import ServiceHours
from rules.pacing import PacingLimits
from services.availability import RestaurantInputs, answer_day

RUNS = 2_000


def inputs(bookings: int = 300) -> RestaurantInputs:
    """The benchmark restaurant: lunch and dinner every day, pacing on, 300 bookings."""
    tables = busy_floor(40)
    services = tuple(
        s
        for d in range(7)
        for s in (
            ServiceHours("lunch", d, time(12), time(15), time(14)),
            ServiceHours("dinner", d, time(17), time(23, 30), time(22)),
        )
    )
    return RestaurantInputs(
        restaurant_id=uuid.uuid4(),
        name="Bench",
        timezone=ZONE,
        is_active=True,
        accepts_reservations=True,
        services=services,
        special_days=(),
        policy=BookingPolicy(interval_minutes=15, pacing=PacingLimits(max_covers=60)),
        tables=tuple(tables),
        bookings=tuple(busy_bookings(tables, count=bookings)),
    )


def main() -> None:
    for count in (300, 150):
        run(inputs(count))


def run(data: RestaurantInputs) -> None:
    print(f"engine: {len(data.tables)} tables, {len(data.bookings)} bookings, {RUNS} runs each")
    for party in (2, 4, 8):
        answer = answer_day(data, day=DAY, party_size=party, now=NOW)
        free = sum(s.available for s in answer.slots)
        timings = []
        for _ in range(RUNS):
            started = clock.perf_counter()
            answer_day(data, day=DAY, party_size=party, now=NOW)
            timings.append((clock.perf_counter() - started) * 1000)
        print(
            f"  party {party}: {len(answer.slots)} slots ({free} free)  "
            f"median {median(timings):.3f} ms  p99 {percentile(timings, 99):.3f} ms"
        )


if __name__ == "__main__":
    main()
