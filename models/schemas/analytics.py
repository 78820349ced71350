"""HTTP contracts of the analytics routes: figures over a range of local days.

Rates are fractions in [0, 1] and null when nothing was there to count (no division by
zero is ever reported as 0). Money is integer minor units in the restaurant's currency.
Every list row names its bucket in the fields listed by `KEYS`; the CSV export writes
one line per (section, bucket, metric), so it holds exactly what the JSON holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, Field

from models.enums import ReservationSource
from models.schemas.common import ServiceDate, StrictModel
from models.schemas.restaurant import TurnTime

Rate = Annotated[float | None, Field(ge=0, le=1)]
RevenueBasis = Literal["pos", "average_spend", "deposits", "mixed", "none"]


class Row(BaseModel):
    """One bucket of a series; `KEYS` name the fields that identify the bucket."""

    KEYS: ClassVar[tuple[str, ...]] = ()


class RangeOut(BaseModel):
    restaurant_id: str
    timezone: str
    date_from: dt.date
    date_to: dt.date
    days: int


# ---- volume --------------------------------------------------------------------------


class DayVolume(Row):
    KEYS: ClassVar[tuple[str, ...]] = ("day",)
    day: dt.date
    weekday: int = Field(description="0 = Monday")
    parties_booked: int
    covers_booked: int
    parties_seated: int
    covers_seated: int
    bookings_made: int = Field(description="reservations created on this local day")
    table_turnover: float | None = Field(description="seated parties per active table")


class ServiceVolume(Row):
    KEYS: ClassVar[tuple[str, ...]] = ("day", "service")
    day: dt.date
    service: str
    parties_booked: int
    covers_booked: int
    parties_seated: int
    covers_seated: int


class ChannelShare(Row):
    KEYS: ClassVar[tuple[str, ...]] = ("channel",)
    channel: str
    parties: int
    covers: int
    share: Rate


class VolumeOut(BaseModel):
    range: RangeOut
    active_tables: int
    daily: list[DayVolume]
    by_service: list[ServiceVolume]
    channel_mix: list[ChannelShare]


# ---- outcomes (no-shows, cancellations) ------------------------------------------------


class OutcomeRow(Row):
    KEYS: ClassVar[tuple[str, ...]] = ("key",)
    key: str
    reservations: int
    no_shows: int
    no_show_rate: Rate
    late_cancellations: int
    late_cancellation_rate: Rate


class OutcomesTotal(BaseModel):
    reservations: int
    no_shows: int
    no_show_rate: Rate
    late_cancellations: int
    late_cancellation_rate: Rate
    cancellations: int
    cancellation_rate: Rate
    modified: int
    modification_rate: Rate


class NoShowsOut(BaseModel):
    range: RangeOut
    total: OutcomesTotal
    by_channel: list[OutcomeRow]
    by_party_size: list[OutcomeRow]
    by_lead_time: list[OutcomeRow]
    by_weekday: list[OutcomeRow]


# ---- lead times and slots ---------------------------------------------------------------


class LeadTimeBand(Row):
    KEYS: ClassVar[tuple[str, ...]] = ("band",)
    band: str
    reservations: int
    share: Rate


class LeadTimesOut(BaseModel):
    range: RangeOut
    reservations: int
    average_hours: float | None
    bands: list[LeadTimeBand]


class SlotCell(Row):
    KEYS: ClassVar[tuple[str, ...]] = ("weekday", "time")
    weekday: int = Field(description="0 = Monday")
    time: dt.time
    parties: int
    covers: int


class SlotsOut(BaseModel):
    range: RangeOut
    cells: list[SlotCell]


# ---- turned away -------------------------------------------------------------------------


class TurnedAwayDay(Row):
    KEYS: ClassVar[tuple[str, ...]] = ("day",)
    day: dt.date
    requests: int
    covers: int


class TurnedAwayChannel(Row):
    KEYS: ClassVar[tuple[str, ...]] = ("channel",)
    channel: ReservationSource
    requests: int
    covers: int


class TurnedAwayCell(Row):
    KEYS: ClassVar[tuple[str, ...]] = ("weekday", "time")
    weekday: int = Field(description="0 = Monday")
    time: dt.time = Field(description="the local time asked for")
    requests: int
    covers: int


class TurnedAwayTotals(BaseModel):
    requests: int
    covers: int


class TurnedAwayOut(BaseModel):
    range: RangeOut
    total: TurnedAwayTotals
    days: list[TurnedAwayDay] = Field(description="local days with any request turned away")
    channels: list[TurnedAwayChannel]
    cells: list[TurnedAwayCell] = Field(description="heat-map data: where tables sold out")


# ---- money ------------------------------------------------------------------------------


class DayRevenue(Row):
    KEYS: ClassVar[tuple[str, ...]] = ("day",)
    day: dt.date
    pos_checks: int
    pos_spend_minor: int
    estimated_minor: int = Field(description="visits without a POS check, estimated")
    revenue_minor: int
    seat_hours: float
    revpash_minor: float | None


class DepositsOut(BaseModel):
    collected_minor: int
    forfeited_minor: int
    refunded_minor: int
    fees_charged_minor: int


class RevenueOut(BaseModel):
    range: RangeOut
    currency: str
    basis: RevenueBasis = Field(
        description=(
            "where revenue comes from: POS checks, an average spend per cover, captured "
            "deposits, a mix (POS where present, the estimate elsewhere), or none"
        )
    )
    average_spend_per_cover_minor: int
    revenue_minor: int
    seat_hours: float
    revpash_minor: float | None = Field(description="revenue / (available seats x opening hours)")
    deposits: DepositsOut
    daily: list[DayRevenue]


# ---- turn times -------------------------------------------------------------------------


class TurnTimeRow(Row):
    KEYS: ClassVar[tuple[str, ...]] = ("party_size",)
    party_size: int
    completed: int
    planned_minutes: float
    actual_minutes: float
    difference_minutes: float


class TurnTimesOut(BaseModel):
    range: RangeOut
    min_samples: int
    by_party_size: list[TurnTimeRow]
    current: list[TurnTime]
    suggested: list[TurnTime]


class AcceptTurnTimes(StrictModel):
    """Accept the turn times suggested from this range's completed visits."""

    date_from: ServiceDate
    date_to: ServiceDate
    # visits a party size needs before it suggests a time (services.analytics.turn_times)
    min_samples: Annotated[int, Field(strict=True, ge=1, le=10_000)] = 5


# ---- guests, waitlist and messages ------------------------------------------------------


class GuestsOut(BaseModel):
    visiting_guests: int
    repeat_guests: int
    repeat_guest_rate: Rate


class WaitlistOut(BaseModel):
    entries: int
    converted: int
    conversion_rate: Rate


class NotificationsOut(BaseModel):
    attempted: int
    delivered: int = Field(description="sent or confirmed delivered")
    failed: int
    delivery_rate: Rate


class DashboardOut(BaseModel):
    range: RangeOut
    parties_booked: int
    covers_booked: int
    parties_seated: int
    covers_seated: int
    average_party_size: float | None
    table_turnover: float | None
    outcomes: OutcomesTotal
    guests: GuestsOut
    waitlist: WaitlistOut
    notifications: NotificationsOut
    revenue_minor: int
    revenue_basis: RevenueBasis
    revpash_minor: float | None
    deposits: DepositsOut
    channel_mix: list[ChannelShare]
