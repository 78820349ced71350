"""The analytics routes' answers, each assembled from the families' queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models.orm import Restaurant
from models.schemas.analytics import (
    DashboardOut,
    DayRevenue,
    LeadTimesOut,
    NoShowsOut,
    RangeOut,
    RevenueOut,
    SlotsOut,
    TurnedAwayOut,
    TurnedAwayTotals,
    TurnTimesOut,
    VolumeOut,
)
from models.schemas.restaurant import BookingSettings, TurnTime
from services import restaurants
from services.analytics import (
    guests,
    messages,
    money,
    no_shows,
    revpash,
    slots,
    turn_times,
    turned_away,
)
from services.analytics import volume as vol
from services.analytics.lead_times import lead_times as lead_time_bands
from services.analytics.window import Window


def window_of(restaurant: Restaurant, date_from: date, date_to: date) -> Window:
    """The restaurant's local-day window (the caller has checked the range)."""
    return Window(timezone=restaurant.timezone, date_from=date_from, date_to=date_to)


def _range(restaurant: Restaurant, window: Window) -> RangeOut:
    return RangeOut(
        restaurant_id=str(restaurant.id),
        timezone=window.timezone,
        date_from=window.date_from,
        date_to=window.date_to,
        days=window.days,
    )


async def volume(session: AsyncSession, *, restaurant: Restaurant, window: Window) -> VolumeOut:
    """Covers and parties per day and service, turnover and channel mix."""
    rid = restaurant.id
    tables = await vol.active_tables(session, restaurant_id=rid)
    return VolumeOut(
        range=_range(restaurant, window),
        active_tables=tables,
        daily=await vol.daily(session, restaurant_id=rid, window=window, tables=tables),
        by_service=await vol.by_service(session, restaurant_id=rid, window=window),
        channel_mix=await vol.channel_mix(session, restaurant_id=rid, window=window),
    )


async def no_show_report(
    session: AsyncSession, *, restaurant: Restaurant, window: Window
) -> NoShowsOut:
    """Outcome rates in total and by channel, party size, lead time and weekday."""
    rid = restaurant.id
    by = await no_shows.breakdowns(session, restaurant_id=rid, window=window)
    return NoShowsOut(
        range=_range(restaurant, window),
        total=await no_shows.totals(session, restaurant_id=rid, window=window),
        **by,
    )


async def lead_time_report(
    session: AsyncSession, *, restaurant: Restaurant, window: Window
) -> LeadTimesOut:
    """The lead-time distribution in bands and its mean in hours."""
    total, average, bands = await lead_time_bands(
        session, restaurant_id=restaurant.id, window=window
    )
    return LeadTimesOut(
        range=_range(restaurant, window),
        reservations=total,
        average_hours=round(average, 2) if average is not None else None,
        bands=bands,
    )


async def slot_report(session: AsyncSession, *, restaurant: Restaurant, window: Window) -> SlotsOut:
    """Heat-map data: bookings per weekday and start time."""
    cells = await slots.heat_map(session, restaurant_id=restaurant.id, window=window)
    return SlotsOut(range=_range(restaurant, window), cells=cells)


async def turned_away_report(
    session: AsyncSession, *, restaurant: Restaurant, window: Window
) -> TurnedAwayOut:
    """Requests and covers turned away as full: per day, per channel, per weekday and time."""
    rid = restaurant.id
    days = await turned_away.per_day(session, restaurant_id=rid, window=window)
    return TurnedAwayOut(
        range=_range(restaurant, window),
        total=TurnedAwayTotals(
            requests=sum(d.requests for d in days), covers=sum(d.covers for d in days)
        ),
        days=days,
        channels=await turned_away.per_channel(session, restaurant_id=rid, window=window),
        cells=await turned_away.per_slot(session, restaurant_id=rid, window=window),
    )


async def revenue(session: AsyncSession, *, restaurant: Restaurant, window: Window) -> RevenueOut:
    """Revenue per day with its basis, seat hours, RevPASH and deposits."""
    rid = restaurant.id
    average = restaurant.average_spend_per_cover_minor
    per_day = await money.daily_revenue(
        session, restaurant_id=rid, window=window, average_spend_minor=average
    )
    seats = await revpash.available_seats(session, restaurant_id=rid)
    hours = await revpash.opening_hours(session, restaurant_id=rid, window=window)
    daily = []
    for day in window.each_day():
        checks, spend, estimate = per_day.get(day, (0, 0, 0))
        seat_hours = seats * hours[day]
        total = spend + estimate
        daily.append(
            DayRevenue(
                day=day,
                pos_checks=checks,
                pos_spend_minor=spend,
                estimated_minor=estimate,
                revenue_minor=total,
                seat_hours=round(seat_hours, 2),
                revpash_minor=round(total / seat_hours, 2) if seat_hours else None,
            )
        )
    visits, unchecked = await money.visits_without_check(session, restaurant_id=rid, window=window)
    revenue_total = sum(d.revenue_minor for d in daily)
    seat_hours_total = seats * sum(hours.values())
    return RevenueOut(
        range=_range(restaurant, window),
        currency=restaurant.currency,
        basis=money.basis_of(visits, unchecked, average),
        average_spend_per_cover_minor=average,
        revenue_minor=revenue_total,
        seat_hours=round(seat_hours_total, 2),
        revpash_minor=round(revenue_total / seat_hours_total, 2) if seat_hours_total else None,
        deposits=await money.deposits(session, restaurant_id=rid, window=window),
        daily=daily,
    )


async def turn_time_report(
    session: AsyncSession,
    *,
    restaurant: Restaurant,
    window: Window,
    min_samples: int = turn_times.MIN_SAMPLES,
) -> TurnTimesOut:
    """Planned vs actual turn times and the table they suggest."""
    rows = await turn_times.planned_vs_actual(session, restaurant_id=restaurant.id, window=window)
    return TurnTimesOut(
        range=_range(restaurant, window),
        min_samples=min_samples,
        by_party_size=rows,
        current=[TurnTime.model_validate(t) for t in restaurant.turn_times],
        suggested=turn_times.suggest(rows, min_samples=min_samples),
    )


async def dashboard(
    session: AsyncSession, *, restaurant: Restaurant, window: Window
) -> DashboardOut:
    """The headline figures of the other reports, in one answer."""
    rid = restaurant.id
    volume_now = await volume(session, restaurant=restaurant, window=window)
    money_now = await revenue(session, restaurant=restaurant, window=window)
    days = volume_now.daily
    parties_booked = sum(d.parties_booked for d in days)
    covers_booked = sum(d.covers_booked for d in days)
    parties_seated = sum(d.parties_seated for d in days)
    tables = volume_now.active_tables
    return DashboardOut(
        range=_range(restaurant, window),
        parties_booked=parties_booked,
        covers_booked=covers_booked,
        parties_seated=parties_seated,
        covers_seated=sum(d.covers_seated for d in days),
        average_party_size=round(covers_booked / parties_booked, 2) if parties_booked else None,
        table_turnover=round(parties_seated / tables / window.days, 2) if tables else None,
        outcomes=await no_shows.totals(session, restaurant_id=rid, window=window),
        guests=await guests.repeat_guests(session, restaurant_id=rid, window=window),
        waitlist=await messages.waitlist(session, restaurant_id=rid, window=window),
        notifications=await messages.notifications(session, restaurant_id=rid, window=window),
        revenue_minor=money_now.revenue_minor,
        revenue_basis=money_now.basis,
        revpash_minor=money_now.revpash_minor,
        deposits=money_now.deposits,
        channel_mix=volume_now.channel_mix,
    )


async def accept_turn_times(
    session: AsyncSession, *, restaurant: Restaurant, suggested: list[TurnTime]
) -> BookingSettings:
    """Make `suggested` the restaurant's turn times, through the settings' own path
    (every other setting kept); the caller commits and invalidates cached availability."""
    current = restaurants.settings_of(restaurant)
    settings = BookingSettings.model_validate(
        {**current.model_dump(), "turn_times": [t.model_dump() for t in suggested]}
    )
    updated = await restaurants.replace_settings(
        session, restaurant_id=restaurant.id, settings=settings
    )
    return restaurants.settings_of(updated)
