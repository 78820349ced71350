"""Staff routes for guest contact and money: outbox, SMS threads, payments, waivers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import HostOf, ManagerOf, PageDep, SessionDep, require_owned
from api.lifecycle import act_and_read, send_update
from api.temporal import TemporalDep
from api.views import staff_out
from models.enums import NotificationChannel, NotificationStatus
from models.schemas.common import Page
from models.schemas.contact import (
    AuditEntryOut,
    MoneyOut,
    NotificationOut,
    PaymentOut,
    RefundResolutionIn,
    ThreadMessageIn,
    ThreadMessageOut,
    WaiverIn,
)
from models.schemas.lifecycle import RefundResolution, StaffAnswer, WaiverRequest
from models.schemas.reservation import StaffReservationOut
from services import conversations, payments
from workflows.reservation import ReservationWorkflow

router = APIRouter(prefix="/restaurants/{restaurant_id}", tags=["guest contact and money"])


@router.get("/outbox", response_model=Page[NotificationOut], summary="Messages to guests")
async def list_outbox(
    scope: HostOf,
    session: SessionDep,
    page: PageDep,
    status_: Annotated[NotificationStatus | None, Query(alias="status")] = None,
    channel: NotificationChannel | None = None,
    reservation_id: uuid.UUID | None = None,
) -> Page[NotificationOut]:
    rows, total = await conversations.outbox(
        session,
        restaurant_id=scope.restaurant_id,
        status=status_,
        channel=channel,
        reservation_id=reservation_id,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[NotificationOut.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/reservations/{reservation_id}/messages",
    response_model=Page[ThreadMessageOut],
    summary="The reservation's SMS conversation with the guest, oldest first",
)
async def list_thread(
    reservation_id: uuid.UUID, scope: HostOf, session: SessionDep, page: PageDep
) -> Page[ThreadMessageOut]:
    await require_owned(session, scope.restaurant_id, reservation_id)
    rows, total = await conversations.thread(
        session, reservation_id=reservation_id, limit=page.limit, offset=page.offset
    )
    items = [ThreadMessageOut.model_validate(r) for r in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/reservations/{reservation_id}/messages",
    response_model=ThreadMessageOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Answer the guest by SMS",
)
async def answer_guest(
    reservation_id: uuid.UUID,
    data: ThreadMessageIn,
    scope: HostOf,
    session: SessionDep,
    temporal: TemporalDep,
) -> ThreadMessageOut:
    await require_owned(session, scope.restaurant_id, reservation_id)
    # the workflow writes the thread row and sends it in one step: nothing looks sent
    # that is not, and a Temporal outage answers 503 with nothing recorded
    message_id = await send_update(
        temporal,
        ReservationWorkflow.answer_guest,
        StaffAnswer(staff_id=scope.staff.id, body=data.body),
        session=session,
        reservation_id=reservation_id,
    )
    message = await conversations.thread_message(session, message_id=message_id)
    return ThreadMessageOut.model_validate(message)


@router.get(
    "/reservations/{reservation_id}/payments",
    response_model=MoneyOut,
    summary="Every money movement of the reservation, and waivers",
)
async def money_of(reservation_id: uuid.UUID, scope: HostOf, session: SessionDep) -> MoneyOut:
    await require_owned(session, scope.restaurant_id, reservation_id)
    return MoneyOut(
        payments=[
            PaymentOut.model_validate(p)
            for p in await payments.payments_of(session, reservation_id)
        ],
        audit=[
            AuditEntryOut.model_validate(a)
            for a in await payments.audit_of(session, reservation_id)
        ],
    )


@router.post(
    "/reservations/{reservation_id}/waive",
    response_model=StaffReservationOut,
    summary="Waive a forfeited deposit or a charged no-show fee (managers); it is refunded",
)
async def waive(
    reservation_id: uuid.UUID,
    data: WaiverIn,
    scope: ManagerOf,
    session: SessionDep,
    temporal: TemporalDep,
) -> StaffReservationOut:
    await require_owned(session, scope.restaurant_id, reservation_id)
    request = WaiverRequest(staff_id=scope.staff.id, reason=data.reason)
    view = await act_and_read(
        temporal, ReservationWorkflow.waive, request, session=session, reservation_id=reservation_id
    )
    return await staff_out(session, view)


@router.post(
    "/reservations/{reservation_id}/refund",
    response_model=StaffReservationOut,
    summary="Settle a refund the provider refused: ask again, or record it made by hand (managers)",
)
async def resolve_refund(
    reservation_id: uuid.UUID,
    data: RefundResolutionIn,
    scope: ManagerOf,
    session: SessionDep,
    temporal: TemporalDep,
) -> StaffReservationOut:
    await require_owned(session, scope.restaurant_id, reservation_id)
    request = RefundResolution(staff_id=scope.staff.id, action=data.action, reason=data.reason)
    view = await act_and_read(
        temporal,
        ReservationWorkflow.resolve_refund,
        request,
        session=session,
        reservation_id=reservation_id,
    )
    return await staff_out(session, view)
