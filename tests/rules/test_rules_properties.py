"""Property tests: whatever the floor plan and bookings, offers never double-book."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.availability import BookingPolicy, SlotAvailability, day_availability
from rules.occupancy import Booking, overlaps
from rules.opening_hours import ServiceHours
from rules.pacing import PacingLimits, pacing_window_start
from rules.table_fit import TableSpec
from rules.turn_time import DEFAULT_TURN_TIMES

SERVICES = tuple(
    service
    for weekday in range(7)
    for service in (
        ServiceHours("early", weekday, time(0), time(4)),  # crosses DST changes
        ServiceHours("dinner", weekday, time(17), time(23), last_seating=time(22)),
    )
)
DAYS = [
    (date(2026, 6, 12), "Europe/Amsterdam"),
    (date(2026, 3, 29), "Europe/Amsterdam"),
    (date(2026, 10, 25), "Europe/Amsterdam"),
    (date(2026, 11, 1), "America/New_York"),
    (date(2026, 3, 8), "America/New_York"),
]


@dataclass(frozen=True)
class Scenario:
    day: date
    zone: str
    tables: tuple[TableSpec, ...]
    bookings: tuple[Booking, ...]
    policy: BookingPolicy
    staff: bool

    @property
    def now(self) -> datetime:
        return datetime.combine(self.day - timedelta(days=3), time(12), tzinfo=UTC)

    def run(self, party: int, bookings: tuple[Booking, ...]) -> list[SlotAvailability]:
        return day_availability(
            day=self.day,
            party_size=party,
            timezone=self.zone,
            services=SERVICES,
            special_day=None,
            policy=self.policy,
            tables=self.tables,
            bookings=bookings,
            now=self.now,
            staff=self.staff,
        )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    the_day, zone = draw(st.sampled_from(DAYS))
    count = draw(st.integers(1, 7))
    ids = [f"t{i}" for i in range(count)]
    tables = []
    for i, table_id in enumerate(ids):
        low = draw(st.integers(1, 3))
        high = draw(st.integers(low, 8))
        partners = draw(st.sets(st.sampled_from(ids[i + 1 :]))) if i + 1 < count else set()
        tables.append(
            TableSpec(
                id=table_id,
                number=str(count - i),
                min_capacity=low,
                max_capacity=high,
                area=draw(st.sampled_from([None, "hall", "terrace"])),
                priority=draw(st.integers(0, 2)),
                online_bookable=draw(st.booleans()) or draw(st.booleans()),
                combinable_with=frozenset(partners),
                combined_max_capacity=draw(st.one_of(st.none(), st.integers(2, 14))),
            )
        )
    # Existing bookings around the day's services (UTC), possibly overlapping each other.
    base = datetime.combine(the_day, time(0), tzinfo=UTC) - timedelta(hours=6)
    bookings = tuple(
        Booking(
            tuple(draw(st.sets(st.sampled_from(ids), min_size=1, max_size=2))),
            base + timedelta(minutes=5 * start),
            base + timedelta(minutes=5 * start + length),
            draw(st.integers(1, 6)),
        )
        for start, length in draw(
            st.lists(st.tuples(st.integers(0, 12 * 36), st.integers(30, 180)), max_size=12)
        )
    )
    policy = BookingPolicy(
        interval_minutes=draw(st.sampled_from([15, 30])),
        max_party_size=draw(st.integers(4, 20)),
        default_turn_minutes=draw(st.sampled_from([60, 90, 120])),
        turn_times=draw(st.sampled_from([(), DEFAULT_TURN_TIMES])),
        buffer_minutes=draw(st.sampled_from([0, 10, 15])),
        pacing=PacingLimits(
            max_covers=draw(st.one_of(st.none(), st.integers(2, 12))),
            max_parties=draw(st.one_of(st.none(), st.integers(1, 3))),
            window_minutes=draw(st.sampled_from([15, 30])),
        ),
    )
    return Scenario(the_day, zone, tuple(tables), bookings, policy, draw(st.booleans()))


def blocked(booking: Booking, buffer: timedelta) -> tuple[datetime, datetime]:
    return booking.start_utc, booking.end_utc + buffer


def assert_offer_is_sound(
    scenario: Scenario, party: int, slot: SlotAvailability, bookings: tuple[Booking, ...]
) -> None:
    option = slot.tables
    assert option is not None and slot.reason is None
    assert option.min_capacity <= party <= option.capacity
    by_id = {t.id: t for t in scenario.tables}
    buffer = timedelta(minutes=scenario.policy.buffer_minutes)
    start, end = slot.start_utc, slot.end_utc + buffer
    for table_id in option.table_ids:
        assert scenario.staff or by_id[table_id].online_bookable
        for booking in bookings:
            if table_id in booking.table_ids:
                assert not overlaps(start, end, *blocked(booking, buffer)), (slot, booking)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(1, 10))
def test_offered_tables_are_free_for_the_whole_stay(scenario: Scenario, party: int) -> None:
    for slot in scenario.run(party, scenario.bookings):
        if slot.available:
            assert_offer_is_sound(scenario, party, slot, scenario.bookings)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.data())
def test_greedy_booking_never_breaks_pacing_or_double_books(
    scenario: Scenario, data: st.DataObject
) -> None:
    limits = scenario.policy.pacing
    buffer = timedelta(minutes=scenario.policy.buffer_minutes)
    bookings = scenario.bookings
    added: list[Booking] = []
    for _ in range(25):
        party = data.draw(st.integers(1, 8))
        offered = [s for s in scenario.run(party, bookings) if s.available]
        if not offered:
            continue
        slot = offered[data.draw(st.integers(0, len(offered) - 1))]
        assert_offer_is_sound(scenario, party, slot, bookings)
        assert slot.tables is not None
        new = Booking(slot.tables.table_ids, slot.start_utc, slot.end_utc, party)
        bookings = (*bookings, new)
        added.append(new)
        # (b) pacing: the new booking's window stays within the limits.
        window = pacing_window_start(new.start_utc, limits.window_minutes)
        same = [
            b for b in bookings if pacing_window_start(b.start_utc, limits.window_minutes) == window
        ]
        if limits.max_covers is not None:
            assert sum(b.covers for b in same) <= limits.max_covers
        if limits.max_parties is not None:
            assert len(same) <= limits.max_parties
    # (c) naive O(n^2): no added booking overlaps anything on a shared table.
    for new in added:
        for other in bookings:
            if other is new or not set(new.table_ids) & set(other.table_ids):
                continue
            assert not overlaps(*blocked(new, buffer), *blocked(other, buffer)), (new, other)
