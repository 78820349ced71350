"""Demo data: "Demo Bistro" in Amsterdam with a floor plan, three areas and twenty tables.

Everything goes through the same services and pydantic contracts as the API, so the
demo restaurant passes the same validation a real one would.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ConfirmationMode, PaymentMode, StaffRole, TableType
from models.orm import Restaurant, StaffUser
from models.schemas.floor import FloorPlanIn, SeatingAreaIn, TableCreate
from models.schemas.restaurant import BookingSettings, RestaurantCreate, ServiceHours, TurnTime
from services.floor import create_floor_plan, create_seating_area, create_table
from services.restaurants import create_restaurant
from services.staff import create_staff

DEMO_SLUG = "demo-bistro"
DEMO_ADMIN_EMAIL = "demo-admin@example.com"

TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = 1, 2, 3, 4, 5, 6


@dataclass(frozen=True, slots=True)
class _TableSpec:
    number: str
    area: str
    min_capacity: int
    max_capacity: int
    x: int
    y: int
    table_type: TableType = TableType.STANDARD
    name: str | None = None
    features: tuple[str, ...] = ()
    online_bookable: bool = True
    priority: int = 0
    combine_with: str | None = None  # number of an earlier table it can be pushed against
    combined_max_capacity: int | None = None


MAIN, TERRACE, BAR = "Main room", "Terrace", "Bar"

_AREAS: dict[str, str] = {
    MAIN: "The dining room under the canal-house beams.",
    TERRACE: "Heated terrace on the street side, open all year.",
    BAR: "Zinc bar by the open kitchen; bar seats are kept for walk-ins.",
}


_TABLES: tuple[_TableSpec, ...] = (
    # main room: window deuces, pushable pairs, four-tops, a booth and one big round table
    _TableSpec("1", MAIN, 1, 2, 40, 40, features=("window",), priority=10),
    _TableSpec("2", MAIN, 1, 2, 140, 40, features=("window",), priority=10),
    _TableSpec("3", MAIN, 1, 2, 240, 40, combine_with="2", combined_max_capacity=4),
    _TableSpec("4", MAIN, 1, 2, 340, 40),
    _TableSpec("5", MAIN, 1, 2, 440, 40, combine_with="4", combined_max_capacity=4),
    _TableSpec("6", MAIN, 1, 2, 540, 40),
    _TableSpec("7", MAIN, 2, 4, 40, 200),
    _TableSpec("8", MAIN, 2, 4, 180, 200, combine_with="7", combined_max_capacity=8),
    _TableSpec("9", MAIN, 2, 4, 320, 200),
    _TableSpec("10", MAIN, 2, 4, 460, 200),
    _TableSpec("11", MAIN, 2, 4, 40, 360, TableType.BOOTH, features=("quiet",)),
    _TableSpec("12", MAIN, 6, 8, 300, 380, name="Family table", features=("round",), priority=-10),
    # terrace: deuces and two four-tops that join for groups
    _TableSpec("21", TERRACE, 1, 2, 700, 40, TableType.OUTDOOR, features=("heated",)),
    _TableSpec("22", TERRACE, 1, 2, 800, 40, TableType.OUTDOOR, features=("heated",)),
    _TableSpec("23", TERRACE, 1, 2, 900, 40, TableType.OUTDOOR),
    _TableSpec("24", TERRACE, 2, 4, 700, 180, TableType.OUTDOOR, features=("heated",)),
    _TableSpec(
        "25", TERRACE, 2, 4, 840, 180, TableType.OUTDOOR, combine_with="24", combined_max_capacity=8
    ),
    # bar: two pairs of bar seats kept for walk-ins, and a bookable high-top
    _TableSpec("B1", BAR, 1, 2, 700, 560, TableType.BAR, name="Bar 1-2", online_bookable=False),
    _TableSpec("B2", BAR, 1, 2, 800, 560, TableType.BAR, name="Bar 3-4", online_bookable=False),
    _TableSpec("31", BAR, 2, 4, 900, 660, TableType.HIGH_TOP),
)


def _services() -> list[ServiceHours]:
    def service(day: int, name: str, opens: time, closes: time, last: time) -> ServiceHours:
        return ServiceHours(
            weekday=day, name=name, opens_at=opens, closes_at=closes, last_seating_at=last
        )

    lunch = [
        service(day, "lunch", time(12, 0), time(14, 30), time(13, 45))
        for day in (TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY)
    ]
    dinner = [
        service(day, "dinner", time(17, 30), time(22, 30), time(21, 30))
        for day in (TUESDAY, WEDNESDAY, THURSDAY, SUNDAY)
    ]
    # weekend dinner runs past midnight: closes_at before opens_at
    late_dinner = [
        service(day, "dinner", time(17, 30), time(0, 30), time(22, 30))
        for day in (FRIDAY, SATURDAY)
    ]
    return lunch + dinner + late_dinner


def demo_restaurant_data() -> RestaurantCreate:
    """The validated contract for Demo Bistro (no database needed)."""
    return RestaurantCreate(
        name="Demo Bistro",
        slug=DEMO_SLUG,
        description=(
            "A neighbourhood bistro in the Jordaan: seasonal Dutch produce, French technique, "
            "natural wines, and a heated terrace on the canal."
        ),
        cuisine_type="Bistro",
        price_range=2,
        address_line1="Westerstraat 187",
        city="Amsterdam",
        region="Noord-Holland",
        postal_code="1015 MA",
        country_code="NL",
        latitude=Decimal("52.378630"),
        longitude=Decimal("4.882510"),
        phone="+31 20 555 0123",
        email="reserveren@demo-bistro.example.com",
        website="https://demo-bistro.example.com/",
        features=["terrace", "vegetarian", "wheelchair-accessible", "bar", "kids-welcome"],
        timezone="Europe/Amsterdam",
        currency="EUR",
        settings=BookingSettings(
            advance_booking_days=90,
            min_party_size=1,
            max_party_size=8,
            default_seating_minutes=90,
            turn_times=[
                TurnTime(min_party_size=2, minutes=90),
                TurnTime(min_party_size=4, minutes=105),
                TurnTime(min_party_size=6, minutes=150),
            ],
            slot_interval_minutes=15,
            min_notice_minutes=60,
            pacing_max_covers=24,
            pacing_window_minutes=15,
            cancellation_deadline_hours=24,
            average_spend_per_cover_minor=4500,
            # large parties guarantee with a card: 20% of the estimated bill, at least 25.00
            payment_mode=PaymentMode.GUARANTEE,
            payment_fixed_minor=2500,
            payment_percentage=Decimal(20),
            payment_min_party_size=6,
            confirmation_mode=ConfirmationMode.INSTANT,
        ),
        services=_services(),
    )


async def create_demo_restaurant(session: AsyncSession) -> Restaurant:
    """Create Demo Bistro with its floor plan, seating areas and tables (flushed, not committed)."""
    restaurant = await create_restaurant(session, data=demo_restaurant_data())
    plan = await create_floor_plan(
        session, restaurant_id=restaurant.id, data=FloorPlanIn(name="Ground floor")
    )
    area_ids: dict[str, uuid.UUID] = {}
    for name, description in _AREAS.items():
        area = await create_seating_area(
            session,
            restaurant_id=restaurant.id,
            data=SeatingAreaIn(name=name, description=description, floor_plan_id=plan.id),
        )
        area_ids[name] = area.id
    table_ids: dict[str, uuid.UUID] = {}
    for spec in _TABLES:
        partners = [table_ids[spec.combine_with]] if spec.combine_with else []
        table = await create_table(
            session,
            restaurant_id=restaurant.id,
            data=TableCreate(
                number=spec.number,
                name=spec.name,
                min_capacity=spec.min_capacity,
                max_capacity=spec.max_capacity,
                seating_area_id=area_ids[spec.area],
                floor_plan_id=plan.id,
                table_type=spec.table_type,
                x=spec.x,
                y=spec.y,
                width=80 if spec.max_capacity <= 2 else 120,
                height=80,
                features=list(spec.features),
                priority=spec.priority,
                online_bookable=spec.online_bookable,
                combinable_with=partners,
                combined_max_capacity=spec.combined_max_capacity,
            ),
        )
        table_ids[spec.number] = table.id
    return restaurant


async def ensure_demo_restaurant(session: AsyncSession) -> tuple[Restaurant, bool]:
    """Demo Bistro, created unless a restaurant with its slug exists; True when created."""
    existing = await session.scalar(select(Restaurant).where(Restaurant.slug == DEMO_SLUG))
    if existing is not None:
        return existing, False
    return await create_demo_restaurant(session), True


async def ensure_demo_admin(session: AsyncSession) -> tuple[StaffUser, str | None]:
    """The demo admin account; the generated password is returned only when it is created."""
    existing = await session.scalar(select(StaffUser).where(StaffUser.email == DEMO_ADMIN_EMAIL))
    if existing is not None:
        return existing, None
    password = secrets.token_urlsafe(12)
    staff = await create_staff(
        session,
        email=DEMO_ADMIN_EMAIL,
        full_name="Demo Admin",
        password=password,
        role=StaffRole.ADMIN,
        restaurant_ids=[],
    )
    return staff, password
