"""Generated restaurant histories for the analytics tests, written straight through the
ORM into the test's fresh database (that is the data, not a mock), and a plain-Python
oracle that computes every figure from the same generated rows.

The oracle shares no code with services/analytics: it reads the Python objects, uses
zoneinfo for local days and compares times as Python values.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from models.enums import (
    DepositStatus,
    NotificationChannel,
    NotificationStatus,
    PaymentKind,
    PaymentState,
    ReservationSource,
    WaitlistStatus,
)
from models.enums import ReservationStatus as S
from models.orm import (
    Guest,
    Notification,
    Payment,
    Reservation,
    Restaurant,
    RestaurantTable,
    ServicePeriod,
    WaitlistEntry,
)
from tests.conftest import Database

TZ = "Europe/Amsterdam"
ZONE = ZoneInfo(TZ)
# a week around the spring DST change (Sunday 29 March 2026, 02:00 -> 03:00)
FROM, TO = date(2026, 3, 26), date(2026, 4, 1)
TABLES = (2, 2, 4, 4, 6)
# (name, weekdays, opens, closes): dinner runs past midnight on Friday and Saturday
SERVICES = (
    ("lunch", range(7), time(12), time(15)),
    ("dinner", range(5), time(18), time(23)),
    ("dinner", range(5, 7), time(18), time(1)),
)
TIMES = (time(0, 30), time(12), time(13, 30), time(17), time(19), time(22), time(23, 30))
BOOKED = {
    S.PENDING_CONFIRMATION,
    S.CONFIRMED,
    S.SEATED,
    S.COMPLETED,
    S.NO_SHOW,
    S.CANCELLED_BY_GUEST,
    S.CANCELLED_BY_RESTAURANT,
}
BANDS = (("under_1_day", 1), ("1_to_7_days", 7), ("7_to_30_days", 30), ("over_30_days", None))


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZONE).astimezone(UTC)


@dataclass
class Booking:
    day: date
    at: time
    party: int
    status: S
    source: ReservationSource
    guest: int
    lead_minutes: int
    modified: bool
    late: bool
    actual_party: int | None
    spend: int | None
    deposit: int
    deposit_status: DepositStatus
    turn_minutes: int
    planned_minutes: int
    refund: int
    fee: int
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def starts_at(self) -> datetime:
        return local(self.day, self.at)

    @property
    def created_at(self) -> datetime:
        return self.starts_at - timedelta(minutes=self.lead_minutes)

    @property
    def covers(self) -> int:
        return self.actual_party if self.actual_party is not None else self.party

    @property
    def seated_at(self) -> datetime | None:
        return self.starts_at if self.status in (S.SEATED, S.COMPLETED) else None

    @property
    def completed_at(self) -> datetime | None:
        if self.status is not S.COMPLETED:
            return None
        return self.starts_at + timedelta(minutes=self.turn_minutes)


@dataclass
class Waiting:
    day: date
    converted: bool


@dataclass
class Message:
    day: date
    at: time
    status: NotificationStatus
    booking: int  # index into the bookings (modulo their number)


@dataclass
class History:
    average_spend: int
    bookings: list[Booking]
    waitlist: list[Waiting]
    messages: list[Message]


days = st.integers(-3, 9).map(lambda n: FROM + timedelta(days=n))
# band edges exactly (1, 7 and 30 days) as well as anywhere
leads = st.one_of(
    st.sampled_from([0, 30, 1439, 1440, 7 * 1440 - 1, 7 * 1440, 30 * 1440, 40 * 1440]),
    st.integers(0, 60 * 1440),
)
bookings = st.builds(
    Booking,
    day=days,
    at=st.sampled_from(TIMES),
    party=st.integers(1, 8),
    status=st.sampled_from(list(S)),
    source=st.sampled_from(
        [ReservationSource.ONLINE, ReservationSource.PHONE, ReservationSource.GOOGLE]
    ),
    guest=st.integers(0, 3),
    lead_minutes=leads,
    modified=st.booleans(),
    late=st.booleans(),
    actual_party=st.one_of(st.none(), st.integers(1, 9)),
    spend=st.one_of(st.none(), st.integers(0, 50_000)),
    deposit=st.sampled_from([0, 1000, 2500]),
    deposit_status=st.sampled_from(list(DepositStatus)),
    turn_minutes=st.integers(20, 200),
    planned_minutes=st.sampled_from([60, 90, 120]),
    refund=st.sampled_from([0, 0, 500]),
    fee=st.sampled_from([0, 0, 1500]),
)
histories = st.builds(
    History,
    average_spend=st.sampled_from([0, 3000]),
    bookings=st.lists(bookings, max_size=14),
    waitlist=st.lists(st.builds(Waiting, day=days, converted=st.booleans()), max_size=4),
    messages=st.lists(
        st.builds(
            Message,
            day=days,
            at=st.sampled_from(TIMES),
            status=st.sampled_from(list(NotificationStatus)),
            booking=st.integers(0, 20),
        ),
        max_size=5,
    ),
)


async def a_restaurant(
    db: Database,
    *,
    average_spend: int = 0,
    tables: tuple[int, ...] = TABLES,
    services: tuple[tuple[str, range, time, time], ...] = SERVICES,
) -> uuid.UUID:
    """A restaurant in Amsterdam with these tables (their seats) and services."""
    async with db.sessions() as session:
        tag = uuid.uuid4().hex[:8]
        restaurant = Restaurant(
            name=f"Bistro {tag}",
            slug=f"bistro-{tag}",
            timezone=TZ,
            currency="EUR",
            average_spend_per_cover_minor=average_spend,
        )
        restaurant.services = [
            ServicePeriod(weekday=w, name=name, opens_at=opens, closes_at=closes)
            for name, weekdays, opens, closes in services
            for w in weekdays
        ]
        session.add(restaurant)
        await session.flush()
        for n, seats in enumerate(tables):
            session.add(
                RestaurantTable(
                    restaurant_id=restaurant.id,
                    number=str(n + 1),
                    min_capacity=1,
                    max_capacity=seats,
                )
            )
        await session.commit()
        return restaurant.id


async def write(db: Database, history: History, *, into: uuid.UUID | None = None) -> uuid.UUID:
    """`history` written into restaurant `into`, or into a new one; the restaurant's id."""
    rid = into or await a_restaurant(db, average_spend=history.average_spend)
    async with db.sessions() as session:
        guests = [
            Guest(email=f"g{i}-{uuid.uuid4().hex[:8]}@example.com", first_name=f"G{i}")
            for i in range(4)
        ]
        session.add_all(guests)
        await session.flush()
        for b in history.bookings:
            session.add(
                Reservation(
                    id=b.id,
                    reference=f"RES-{uuid.uuid4().hex[:16]}",
                    restaurant_id=rid,
                    guest_id=guests[b.guest].id,
                    party_size=b.party,
                    reservation_date=b.day,
                    reservation_time=b.at,
                    starts_at=b.starts_at,
                    ends_at=b.starts_at + timedelta(minutes=b.planned_minutes),
                    duration_minutes=b.planned_minutes,
                    status=b.status,
                    source=b.source,
                    created_at=b.created_at,
                    modification_count=1 if b.modified else 0,
                    cancelled_within_deadline=(not b.late)
                    if b.status is S.CANCELLED_BY_GUEST
                    else None,
                    actual_party_size=b.actual_party,
                    spend_minor=b.spend if b.status is S.COMPLETED else None,
                    seated_at=b.seated_at,
                    completed_at=b.completed_at,
                    deposit_amount_minor=b.deposit,
                    deposit_status=b.deposit_status,
                    currency="EUR",
                )
            )
        await session.flush()
        for b in history.bookings:
            for kind, amount in (
                (PaymentKind.DEPOSIT, b.deposit),
                (PaymentKind.REFUND, b.refund),
                (PaymentKind.FEE, b.fee),
            ):
                if amount:
                    session.add(
                        Payment(
                            reservation_id=b.id,
                            provider="local",
                            kind=kind,
                            amount_minor=amount,
                            currency="EUR",
                            # a failed refund moved nothing
                            status=PaymentState.FAILED
                            if kind is PaymentKind.REFUND and b.party % 2
                            else PaymentState.SUCCEEDED,
                            idempotency_key=uuid.uuid4().hex,
                        )
                    )
        for w in history.waitlist:
            linked = history.bookings[0].id if w.converted and history.bookings else None
            session.add(
                WaitlistEntry(
                    restaurant_id=rid,
                    guest_id=guests[0].id,
                    party_size=2,
                    desired_date=w.day,
                    status=WaitlistStatus.SEATED if linked else WaitlistStatus.EXPIRED,
                    reservation_id=linked,
                )
            )
        for m in history.messages:
            if not history.bookings:
                break
            b = history.bookings[m.booking % len(history.bookings)]
            session.add(
                Notification(
                    dedupe_key=uuid.uuid4().hex,
                    reservation_id=b.id,
                    channel=NotificationChannel.EMAIL,
                    template="reminder",
                    recipient="guest@example.com",
                    body="-",
                    status=m.status,
                    created_at=local(m.day, m.at),
                )
            )
        await session.commit()
    return rid


# ---- the oracle ------------------------------------------------------------------------


def in_range(day: date) -> bool:
    return FROM <= day <= TO


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def booked(h: History) -> list[Booking]:
    return [b for b in h.bookings if in_range(b.day) and b.status in BOOKED]


def service_of(b: Booking) -> str:
    weekday = b.day.weekday()
    names = []
    for name, weekdays, opens, closes in SERVICES:
        for w in weekdays:
            past_midnight = closes <= opens
            if w == weekday and b.at >= opens and (past_midnight or b.at < closes):
                names.append(name)
            if w == (weekday - 1) % 7 and past_midnight and b.at < closes:
                names.append(name)
    return min(names) if names else "unscheduled"


def band_of(b: Booking) -> str:
    for name, limit in BANDS:
        if limit is None or b.lead_minutes < limit * 1440:
            return name
    raise AssertionError


def volume(h: History) -> dict[str, Any]:
    rows = booked(h)
    attended = [b for b in rows if b.status in (S.SEATED, S.COMPLETED)]
    made = Counter(
        b.created_at.astimezone(ZONE).date()
        for b in h.bookings
        if in_range(b.created_at.astimezone(ZONE).date())
    )
    daily = []
    for n in range((TO - FROM).days + 1):
        day = FROM + timedelta(days=n)
        seated = [b for b in attended if b.day == day]
        daily.append(
            {
                "day": day.isoformat(),
                "weekday": day.weekday(),
                "parties_booked": sum(1 for b in rows if b.day == day),
                "covers_booked": sum(b.covers for b in rows if b.day == day),
                "parties_seated": len(seated),
                "covers_seated": sum(b.covers for b in seated),
                "bookings_made": made[day],
                "table_turnover": len(seated) / len(TABLES),
            }
        )
    services: dict[tuple[str, str], list[Booking]] = defaultdict(list)
    for b in rows:
        services[(b.day.isoformat(), service_of(b))].append(b)
    by_service = [
        {
            "day": day,
            "service": name,
            "parties_booked": len(bs),
            "covers_booked": sum(b.covers for b in bs),
            "parties_seated": sum(1 for b in bs if b.status in (S.SEATED, S.COMPLETED)),
            "covers_seated": sum(b.covers for b in bs if b.status in (S.SEATED, S.COMPLETED)),
        }
        for (day, name), bs in sorted(services.items())
    ]
    channels: dict[str, list[Booking]] = defaultdict(list)
    for b in rows:
        channels[b.source.value].append(b)
    mix = [
        {
            "channel": c,
            "parties": len(bs),
            "covers": sum(b.covers for b in bs),
            "share": len(bs) / len(rows),
        }
        for c, bs in sorted(channels.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    return {"daily": daily, "by_service": by_service, "channel_mix": mix}


def _outcome(bs: list[Booking]) -> dict[str, Any]:
    no_shows = sum(1 for b in bs if b.status is S.NO_SHOW)
    late = sum(1 for b in bs if b.status is S.CANCELLED_BY_GUEST and b.late)
    return {
        "reservations": len(bs),
        "no_shows": no_shows,
        "no_show_rate": rate(no_shows, len(bs)),
        "late_cancellations": late,
        "late_cancellation_rate": rate(late, len(bs)),
    }


def no_shows(h: History) -> dict[str, Any]:
    rows = booked(h)
    cancelled = sum(
        1 for b in rows if b.status in (S.CANCELLED_BY_GUEST, S.CANCELLED_BY_RESTAURANT)
    )
    modified = sum(1 for b in rows if b.modified)
    total = _outcome(rows) | {
        "cancellations": cancelled,
        "cancellation_rate": rate(cancelled, len(rows)),
        "modified": modified,
        "modification_rate": rate(modified, len(rows)),
    }
    band_order = [name for name, _ in BANDS]
    keys: dict[str, tuple[Callable[[Booking], str], Callable[[str], Any]]] = {
        "by_channel": (lambda b: b.source.value, str),
        "by_party_size": (lambda b: str(b.party), int),
        "by_lead_time": (band_of, band_order.index),
        "by_weekday": (lambda b: str(b.day.weekday()), int),
    }
    out: dict[str, Any] = {"total": total}
    for name, (key, order) in keys.items():
        groups: dict[str, list[Booking]] = defaultdict(list)
        for b in rows:
            groups[key(b)].append(b)
        out[name] = [{"key": k} | _outcome(groups[k]) for k in sorted(groups, key=order)]
    return out


def lead_times(h: History) -> dict[str, Any]:
    rows = booked(h)
    counts = Counter(band_of(b) for b in rows)
    return {
        "reservations": len(rows),
        "average_hours": round(sum(b.lead_minutes for b in rows) / len(rows) / 60, 2)
        if rows
        else None,
        "bands": [
            {"band": name, "reservations": counts[name], "share": rate(counts[name], len(rows))}
            for name, _ in BANDS
        ],
    }


def slots(h: History) -> list[dict[str, Any]]:
    cells: dict[tuple[int, time], list[Booking]] = defaultdict(list)
    for b in booked(h):
        cells[(b.day.weekday(), b.at)].append(b)
    return [
        {
            "weekday": w,
            "time": t.isoformat(),
            "parties": len(bs),
            "covers": sum(b.covers for b in bs),
        }
        for (w, t), bs in sorted(cells.items())
    ]


def seat_hours(day: date) -> float:
    hours = 0.0
    for _name, weekdays, opens, closes in SERVICES:
        if day.weekday() in weekdays:
            end_day = day + timedelta(days=1) if closes <= opens else day
            hours += (local(end_day, closes) - local(day, opens)).total_seconds() / 3600
    return sum(TABLES) * hours


def revenue(h: History) -> dict[str, Any]:
    visits = [b for b in h.bookings if in_range(b.day) and b.status is S.COMPLETED]
    paid = (DepositStatus.PAID, DepositStatus.FORFEITED, DepositStatus.REFUND_PENDING)

    def estimate(b: Booking) -> int:
        if b.spend is not None:
            return 0
        if h.average_spend:
            return b.covers * h.average_spend
        return b.deposit if b.deposit_status in paid else 0

    daily = []
    for n in range((TO - FROM).days + 1):
        day = FROM + timedelta(days=n)
        today = [b for b in visits if b.day == day]
        spend = sum(b.spend for b in today if b.spend is not None)
        est = sum(estimate(b) for b in today)
        daily.append(
            {
                "day": day.isoformat(),
                "pos_checks": sum(1 for b in today if b.spend is not None),
                "pos_spend_minor": spend,
                "estimated_minor": est,
                "revenue_minor": spend + est,
                "seat_hours": round(seat_hours(day), 2),
                "revpash_minor": round((spend + est) / seat_hours(day), 2),
            }
        )
    unchecked = sum(1 for b in visits if b.spend is None)
    if not visits:
        basis = "none"
    elif not unchecked:
        basis = "pos"
    elif unchecked < len(visits):
        basis = "mixed"
    else:
        basis = "average_spend" if h.average_spend else "deposits"
    window = [b for b in h.bookings if in_range(b.day)]
    return {
        "basis": basis,
        "revenue_minor": sum(d["revenue_minor"] for d in daily),
        "deposits": {
            "collected_minor": sum(b.deposit for b in window),
            "forfeited_minor": sum(
                b.deposit for b in window if b.deposit_status is DepositStatus.FORFEITED
            ),
            "refunded_minor": sum(b.refund for b in window if b.refund and not b.party % 2),
            "fees_charged_minor": sum(b.fee for b in window),
        },
        "daily": daily,
    }


def turn_times(h: History) -> list[dict[str, Any]]:
    sizes: dict[int, list[Booking]] = defaultdict(list)
    for b in h.bookings:
        if in_range(b.day) and b.status is S.COMPLETED:
            sizes[b.party].append(b)
    rows = []
    for party, bs in sorted(sizes.items()):
        planned = sum(b.planned_minutes for b in bs) / len(bs)
        actual = sum(b.turn_minutes for b in bs) / len(bs)
        rows.append(
            {
                "party_size": party,
                "completed": len(bs),
                "planned_minutes": round(planned, 2),
                "actual_minutes": round(actual, 2),
                "difference_minutes": round(actual - planned, 2),
            }
        )
    return rows


def suggested(rows: list[dict[str, Any]], min_samples: int) -> list[dict[str, int]]:
    table: list[dict[str, int]] = []
    for row in rows:
        if row["completed"] >= min_samples:
            minutes = max(15, 5 * math.ceil(row["actual_minutes"] / 5))
            if not table or table[-1]["minutes"] != minutes:
                table.append({"min_party_size": row["party_size"], "minutes": minutes})
    return table


def dashboard(h: History) -> dict[str, Any]:
    rows = booked(h)
    visited: dict[int, list[Booking]] = defaultdict(list)
    for b in h.bookings:
        if b.status is S.COMPLETED and b.day <= TO:
            visited[b.guest].append(b)
    visiting = [g for g, bs in visited.items() if any(in_range(b.day) for b in bs)]
    repeat = [g for g in visiting if len(visited[g]) > 1]
    wait = [w for w in h.waitlist if in_range(w.day)]
    converted = sum(1 for w in wait if w.converted and h.bookings)
    messages = [
        m for m in h.messages if h.bookings and in_range(local(m.day, m.at).astimezone(ZONE).date())
    ]
    attempted = [m for m in messages if m.status is not NotificationStatus.QUEUED]
    delivered = [
        m for m in messages if m.status in (NotificationStatus.SENT, NotificationStatus.DELIVERED)
    ]
    return {
        "parties_booked": len(rows),
        "covers_booked": sum(b.covers for b in rows),
        "average_party_size": round(sum(b.covers for b in rows) / len(rows), 2) if rows else None,
        "guests": {
            "visiting_guests": len(visiting),
            "repeat_guests": len(repeat),
            "repeat_guest_rate": rate(len(repeat), len(visiting)),
        },
        "waitlist": {
            "entries": len(wait),
            "converted": converted,
            "conversion_rate": rate(converted, len(wait)),
        },
        "notifications": {
            "attempted": len(attempted),
            "delivered": len(delivered),
            "failed": sum(1 for m in messages if m.status is NotificationStatus.FAILED),
            "delivery_rate": rate(len(delivered), len(attempted)),
        },
    }


def a_booking(day: date, at: time, **fields: Any) -> Booking:
    """A completed booking for two, booked a week ahead, unless `fields` say otherwise."""
    values: dict[str, Any] = {
        "party": 2,
        "status": S.COMPLETED,
        "source": ReservationSource.ONLINE,
        "guest": 0,
        "lead_minutes": 7 * 1440 + 60,
        "modified": False,
        "late": False,
        "actual_party": None,
        "spend": None,
        "deposit": 0,
        "deposit_status": DepositStatus.NOT_REQUIRED,
        "turn_minutes": 95,
        "planned_minutes": 120,
        "refund": 0,
        "fee": 0,
    }
    values.update(fields)
    return Booking(day=day, at=at, **values)


def sample_history() -> History:
    """A small fixed week: the CSV test's data and the README's example."""
    d = FROM
    return History(
        average_spend=3500,
        bookings=[
            a_booking(d, time(19), spend=9_450),
            a_booking(d, time(19), party=4, actual_party=5, spend=21_300, guest=1),
            a_booking(d + timedelta(days=1), time(12), source=ReservationSource.PHONE),
            a_booking(d + timedelta(days=1), time(22), status=S.NO_SHOW, lead_minutes=600),
            a_booking(
                d + timedelta(days=2),
                time(19),
                party=6,
                deposit=6000,
                deposit_status=DepositStatus.PAID,
                source=ReservationSource.GOOGLE,
            ),
            a_booking(
                d + timedelta(days=2),
                time(23, 30),
                status=S.CANCELLED_BY_GUEST,
                late=True,
                deposit=2000,
                deposit_status=DepositStatus.FORFEITED,
            ),
            a_booking(d + timedelta(days=3), time(0, 30), guest=1, spend=7_800),
            a_booking(d + timedelta(days=4), time(13, 30), modified=True, guest=2),
        ],
        waitlist=[Waiting(d, True), Waiting(d + timedelta(days=1), False)],
        messages=[
            Message(d, time(9), NotificationStatus.DELIVERED, 0),
            Message(d, time(10), NotificationStatus.FAILED, 1),
            Message(d + timedelta(days=3), time(23, 30), NotificationStatus.SENT, 2),
        ],
    )
