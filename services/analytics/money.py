"""Revenue per local day and deposits.

Revenue counts visits (completed reservations) of the day: the POS check's total where
a POS reported one at completion; otherwise an estimate, the restaurant's average spend
per cover x covers when it has one set, else the deposit the guest paid. `basis` says
which of these the figures rest on.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import DepositStatus, PaymentKind, PaymentState
from models.enums import ReservationStatus as S
from models.orm import Payment, Reservation
from models.schemas.analytics import DepositsOut, RevenueBasis
from services.analytics.scope import covers
from services.analytics.sql import count_if, sum_if
from services.analytics.window import Window

_PAID = (DepositStatus.PAID, DepositStatus.FORFEITED, DepositStatus.REFUND_PENDING)


def _in_window(restaurant_id: uuid.UUID, window: Window) -> ColumnElement[bool]:
    return and_(
        Reservation.restaurant_id == restaurant_id,
        Reservation.reservation_date >= window.date_from,
        Reservation.reservation_date <= window.date_to,
    )


async def daily_revenue(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window, average_spend_minor: int
) -> dict[date, tuple[int, int, int]]:
    """Per local day with visits: (POS checks, POS spend, estimated spend of the rest)."""
    no_check = Reservation.spend_minor.is_(None)
    if average_spend_minor > 0:
        estimate = sum_if(no_check, covers() * literal(average_spend_minor))
    else:
        deposit_kept = and_(no_check, Reservation.deposit_status.in_(_PAID))
        estimate = sum_if(deposit_kept, Reservation.deposit_amount_minor)
    query = (
        select(
            Reservation.reservation_date.label("day"),
            count_if(Reservation.spend_minor.is_not(None)).label("checks"),
            func.coalesce(func.sum(Reservation.spend_minor), 0).label("spend"),
            estimate.label("estimate"),
        )
        .where(_in_window(restaurant_id, window), Reservation.status == S.COMPLETED)
        .group_by(Reservation.reservation_date)
    )
    return {
        row.day: (int(row.checks), int(row.spend), int(row.estimate))
        for row in await session.execute(query)
    }


async def visits_without_check(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> tuple[int, int]:
    """(visits, visits without a POS check) in the window."""
    row = (
        await session.execute(
            select(
                func.count().label("visits"),
                count_if(Reservation.spend_minor.is_(None)).label("unchecked"),
            ).where(_in_window(restaurant_id, window), Reservation.status == S.COMPLETED)
        )
    ).one()
    return int(row.visits), int(row.unchecked)


def basis_of(visits: int, unchecked: int, average_spend_minor: int) -> RevenueBasis:
    """What the revenue figures rest on, from the visits with and without a POS check."""
    if visits == 0:
        return "none"
    if unchecked == 0:
        return "pos"
    estimate: RevenueBasis = "average_spend" if average_spend_minor > 0 else "deposits"
    return estimate if unchecked == visits else "mixed"


async def deposits(
    session: AsyncSession, *, restaurant_id: uuid.UUID, window: Window
) -> DepositsOut:
    """Money moved for the window's bookings: deposits captured, refunds, fees charged
    (succeeded payments), and deposits kept after a no-show or late cancellation."""
    ok = Payment.status == PaymentState.SUCCEEDED
    row = (
        await session.execute(
            select(
                sum_if(and_(ok, Payment.kind == PaymentKind.DEPOSIT), Payment.amount_minor).label(
                    "collected"
                ),
                sum_if(and_(ok, Payment.kind == PaymentKind.REFUND), Payment.amount_minor).label(
                    "refunded"
                ),
                sum_if(and_(ok, Payment.kind == PaymentKind.FEE), Payment.amount_minor).label(
                    "fees"
                ),
            )
            .join(Reservation, Reservation.id == Payment.reservation_id)
            .where(_in_window(restaurant_id, window))
        )
    ).one()
    forfeited = await session.scalar(
        select(func.coalesce(func.sum(Reservation.deposit_amount_minor), 0)).where(
            _in_window(restaurant_id, window),
            Reservation.deposit_status == DepositStatus.FORFEITED,
        )
    )
    return DepositsOut(
        collected_minor=int(row.collected),
        forfeited_minor=int(forfeited or 0),
        refunded_minor=int(row.refunded),
        fees_charged_minor=int(row.fees),
    )
