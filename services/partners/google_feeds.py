"""Reserve with Google feeds (merchant, service, availability) from the real engine.

One JSON file per feed, each with Google's `metadata` block. The availability feed
lists, for every bookable restaurant, every slot of the next `days` service days and
every party size up to Google's limit: `spots_total` is the number of online-bookable
tables that seat the party on their own (at least 1 when only a combination does),
`spots_open` is that number when the engine says the slot is available for the party
and 0 when not. The engine answers availability, not a count of free tables, so
`spots_open` is exact about 0 or not, and an upper bound otherwise; Google's
BatchAvailabilityLookup is the real-time check before every booking.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Restaurant
from services.availability import answer_day, restaurant_inputs


@dataclass(frozen=True, slots=True)
class FeedFiles:
    """Where the feeds were written, and how much they hold."""

    merchants: Path
    services: Path
    availability: Path
    merchant_count: int
    slot_count: int


def _metadata(now: datetime) -> dict[str, Any]:
    return {
        "processing_instruction": "PROCESS_AS_COMPLETE",
        "shard_number": 0,
        "total_shards": 1,
        "nonce": str(secrets.randbits(48)),
        "generation_timestamp": int(now.timestamp()),
    }


def merchant_entry(r: Restaurant) -> dict[str, Any]:
    """One restaurant as Google's Merchant."""
    entry: dict[str, Any] = {"merchant_id": str(r.id), "name": r.name, "category": "restaurant"}
    if r.phone:
        entry["telephone"] = r.phone
    if r.website:
        entry["url"] = r.website
    address = {
        "street_address": " ".join(p for p in (r.address_line1, r.address_line2) if p) or None,
        "locality": r.city,
        "postal_code": r.postal_code,
        "country": r.country_code,
    }
    if any(address.values()):
        entry["geo"] = {"address": {k: v for k, v in address.items() if v}}
        if r.latitude is not None and r.longitude is not None:
            entry["geo"]["latitude"] = float(r.latitude)
            entry["geo"]["longitude"] = float(r.longitude)
    return entry


async def bookable_restaurants(session: AsyncSession) -> list[Restaurant]:
    """Restaurants Google may show: active and taking bookings online."""
    rows = await session.scalars(
        select(Restaurant)
        .where(Restaurant.is_active.is_(True), Restaurant.accepts_reservations.is_(True))
        .order_by(Restaurant.id)
    )
    return list(rows)


async def availability_entries(
    session: AsyncSession,
    restaurant: Restaurant,
    *,
    first_day: date,
    days: int,
    max_party_size: int,
    service_id: str,
    now: datetime,
) -> list[dict[str, Any]]:
    """Every slot x party size of one restaurant over `days` service days."""
    last_day = first_day + timedelta(days=days - 1)
    inputs = await restaurant_inputs(
        session, restaurant_id=restaurant.id, first_day=first_day, last_day=last_day, now=now
    )
    tables = [t for t in inputs.tables if t.online_bookable]
    entries: list[dict[str, Any]] = []
    for party in range(1, max_party_size + 1):
        fitting = sum(1 for t in tables if t.min_capacity <= party <= t.max_capacity)
        for offset in range(days):
            answer = answer_day(
                inputs, day=first_day + timedelta(days=offset), party_size=party, now=now
            )
            for slot in answer.slots:
                if fitting == 0 and not slot.available:
                    continue  # a size no table (nor a free combination) seats is not listed
                total = max(fitting, 1)
                entries.append(
                    {
                        "merchant_id": str(restaurant.id),
                        "service_id": service_id,
                        "start_sec": int(slot.start_utc.timestamp()),
                        "duration_sec": int((slot.end_utc - slot.start_utc).total_seconds()),
                        "spots_total": total,
                        "spots_open": total if slot.available else 0,
                        "resources": {"party_size": party},
                        "confirmation_mode": "CONFIRMATION_MODE_SYNCHRONOUS",
                    }
                )
    return entries


async def write_feeds(
    session: AsyncSession,
    *,
    out: Path,
    days: int,
    max_party_size: int,
    service_id: str,
    now: datetime | None = None,
) -> FeedFiles:
    """Write merchants.json, services.json and availability.json into `out` (atomically)."""
    now = now or datetime.now(UTC)
    restaurants = await bookable_restaurants(session)
    merchants = {"metadata": _metadata(now), "merchant": [merchant_entry(r) for r in restaurants]}
    services = {
        "metadata": _metadata(now),
        "service": [
            {
                "merchant_id": str(r.id),
                "service_id": service_id,
                "name": "Table reservation",
                "prepayment_type": "NOT_SUPPORTED",
                "rules": {"min_advance_booking": r.min_notice_minutes * 60},
            }
            for r in restaurants
        ],
    }
    first_day = now.date()
    slots: list[dict[str, Any]] = []
    for restaurant in restaurants:
        slots += await availability_entries(
            session,
            restaurant,
            first_day=first_day,
            days=days,
            max_party_size=max_party_size,
            service_id=service_id,
            now=now,
        )
    availability = {
        "metadata": _metadata(now),
        "service_availability": [{"availability": slots}],
    }
    paths = _write(
        out,
        {"merchants.json": merchants, "services.json": services, "availability.json": availability},
    )
    return FeedFiles(paths[0], paths[1], paths[2], len(restaurants), len(slots))


def _write(out: Path, documents: dict[str, dict[str, Any]]) -> list[Path]:
    """Each document to its file through a temporary one, so a reader never sees half."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, document in documents.items():
        target = out / name
        temporary = out / f".{name}.tmp"
        temporary.write_text(json.dumps(document, separators=(",", ":")))
        temporary.replace(target)
        paths.append(target)
    return paths
