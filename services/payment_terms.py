"""A booking's payment terms: the restaurant's policy read from the database and frozen.

The whole policy is frozen onto the reservation as JSON when the guest books, so a
later change of party size is priced by the policy the guest agreed to, never by
the restaurant's settings of the day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Reservation, Restaurant, ServicePeriod, SpecialDay
from rules.opening_hours import ServiceHours, services_for_day
from rules.payment_policy import (
    BookingMoment,
    PaymentMode,
    PaymentPolicy,
    PaymentTerms,
    terms_for,
)


def policy_of(restaurant: Restaurant) -> PaymentPolicy:
    """The restaurant's payment policy as it stands now."""
    return PaymentPolicy(
        mode=PaymentMode(restaurant.payment_mode),
        fixed_minor=restaurant.payment_fixed_minor,
        percentage=Decimal(restaurant.payment_percentage),
        average_spend_per_cover_minor=restaurant.average_spend_per_cover_minor,
        min_party_size=restaurant.payment_min_party_size,
        weekdays=frozenset(restaurant.payment_weekdays or ()),
        services=frozenset(restaurant.payment_services or ()),
        on_special_days=restaurant.payment_on_special_days,
    )


def frozen(policy: PaymentPolicy, *, cancellation_deadline_hours: int) -> dict[str, Any]:
    """The policy as JSON for the reservation row."""
    return {
        "mode": policy.mode.value,
        "fixed_minor": policy.fixed_minor,
        "percentage": str(policy.percentage),
        "average_spend_per_cover_minor": policy.average_spend_per_cover_minor,
        "min_party_size": policy.min_party_size,
        "weekdays": sorted(policy.weekdays),
        "services": sorted(policy.services),
        "on_special_days": policy.on_special_days,
        "cancellation_deadline_hours": cancellation_deadline_hours,
    }


def thawed(data: dict[str, Any]) -> PaymentPolicy:
    """A policy frozen by `frozen` (an empty dict, from before policies were frozen, is NONE)."""
    if not data:
        return PaymentPolicy()
    return PaymentPolicy(
        mode=PaymentMode(data["mode"]),
        fixed_minor=int(data["fixed_minor"]),
        percentage=Decimal(data["percentage"]),
        average_spend_per_cover_minor=int(data["average_spend_per_cover_minor"]),
        min_party_size=data.get("min_party_size"),
        weekdays=frozenset(data.get("weekdays") or ()),
        services=frozenset(data.get("services") or ()),
        on_special_days=bool(data.get("on_special_days")),
    )


async def booking_moment(
    session: AsyncSession, restaurant: Restaurant, *, day: date, at: time, party_size: int
) -> BookingMoment:
    """The party, the weekday, the service the time falls in and whether it is a special day."""
    special = (
        (
            await session.execute(
                select(SpecialDay).where(
                    SpecialDay.restaurant_id == restaurant.id,
                    SpecialDay.starts_on <= day,
                    SpecialDay.ends_on >= day,
                )
            )
        )
        .scalars()
        .first()
    )
    if special is not None and special.custom_services:
        hours = [
            ServiceHours(
                name=str(s.get("name") or "service"),
                weekday=day.weekday(),
                opens=time.fromisoformat(s["opens_at"]),
                closes=time.fromisoformat(s["closes_at"]),
            )
            for s in special.custom_services
        ]
    else:
        rows = await session.execute(
            select(ServicePeriod).where(
                ServicePeriod.restaurant_id == restaurant.id,
                ServicePeriod.weekday == day.weekday(),
            )
        )
        hours = [
            ServiceHours(
                name=r.name,
                weekday=r.weekday,
                opens=r.opens_at,
                closes=r.closes_at,
                last_seating=r.last_seating_at,
            )
            for r in rows.scalars()
        ]
    service_name: str | None = None
    for service in services_for_day(day, hours):
        first, last = service.seating_window(day)
        wall = datetime.combine(day, at)
        if wall < first:  # after midnight in a service that runs past it
            wall += timedelta(days=1)
        if first <= wall <= last:
            service_name = service.name
            break
    return BookingMoment(
        party_size=party_size,
        weekday=day.weekday(),
        service_name=service_name,
        special_day=special is not None,
    )


async def terms_for_booking(
    session: AsyncSession, restaurant: Restaurant, *, day: date, at: time, party_size: int
) -> tuple[PaymentTerms, dict[str, Any]]:
    """The terms a new booking gets under today's policy, and that policy frozen."""
    policy = policy_of(restaurant)
    moment = await _moment_for(session, restaurant, policy, day=day, at=at, party_size=party_size)
    return terms_for(policy, moment), frozen(
        policy, cancellation_deadline_hours=restaurant.cancellation_deadline_hours
    )


async def _moment_for(
    session: AsyncSession,
    restaurant: Restaurant,
    policy: PaymentPolicy,
    *,
    day: date,
    at: time,
    party_size: int,
) -> BookingMoment:
    # the service and special-day lookups cost two queries in the hold's transaction:
    # only a policy with day conditions needs them
    if policy.mode is PaymentMode.NONE or not (
        policy.weekdays or policy.services or policy.on_special_days
    ):
        return BookingMoment(party_size=party_size, weekday=day.weekday())
    return await booking_moment(session, restaurant, day=day, at=at, party_size=party_size)


async def terms_after_change(
    session: AsyncSession, reservation: Reservation, *, day: date, at: time, party_size: int
) -> PaymentTerms:
    """The terms a modified booking would have under the policy frozen at booking."""
    restaurant = await session.get(Restaurant, reservation.restaurant_id)
    assert restaurant is not None
    policy = thawed(reservation.payment_policy)
    moment = await _moment_for(session, restaurant, policy, day=day, at=at, party_size=party_size)
    return terms_for(policy, moment)


def current_terms(reservation: Reservation) -> PaymentTerms:
    """The terms frozen on a reservation."""
    mode = PaymentMode(reservation.payment_mode)
    if mode is PaymentMode.DEPOSIT:
        return PaymentTerms(mode, reservation.deposit_amount_minor)
    if mode is PaymentMode.GUARANTEE:
        return PaymentTerms(mode, reservation.no_show_fee_minor)
    return PaymentTerms(PaymentMode.NONE, 0)


def deadline_hours(reservation: Reservation, restaurant: Restaurant) -> int:
    """The cancellation deadline the guest agreed to (frozen), else the restaurant's."""
    frozen_hours = reservation.payment_policy.get("cancellation_deadline_hours")
    return int(frozen_hours) if frozen_hours is not None else restaurant.cancellation_deadline_hours
