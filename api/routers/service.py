"""Staff routes for the service: the book, check-in, complete, no-show, tables, walk-ins."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, status

from api.deps import HostOf, ManagerOf, PageDep, SessionDep, SettingsDep, require_owned
from api.lifecycle import (
    Arg,
    BookingReplayed,
    Update,
    act_and_read,
    policy_for,
    reservation_id_for,
    start_reservation,
)
from api.problems import Conflict, InvalidInput
from api.temporal import TemporalConnection, TemporalDep
from api.views import staff_out, staff_outs
from models.enums import ConsentSource, ReservationSource
from models.schemas.common import Page, ServiceDate
from models.schemas.lifecycle import (
    AssignTablesRequest,
    CancelRequest,
    CheckInRequest,
    CompleteRequest,
    DecisionRequest,
    NoShowRequest,
    ReservationInput,
    ReservationState,
)
from models.schemas.reservation import (
    AssignTablesIn,
    CancelIn,
    CheckInIn,
    DecisionIn,
    GuestIn,
    StaffReservationOut,
    WalkInCreate,
)
from rules.state_machine import ReservationStatus
from services import reservation_queries as queries
from services.booking import booking_request_for_walk_in, keep_booking_notes
from services.crm.consent import record_booking_consent
from services.guests import upsert_guest
from services.restaurants import get_restaurant
from workflows.reservation import ReservationWorkflow

router = APIRouter(prefix="/restaurants/{restaurant_id}", tags=["service"])


@router.get(
    "/reservations",
    response_model=Page[StaffReservationOut],
    summary="The restaurant's reservations (filter by date range, status, seating area)",
)
async def list_reservations(
    scope: HostOf,
    session: SessionDep,
    page: PageDep,
    date_from: ServiceDate | None = None,
    date_to: ServiceDate | None = None,
    day: Annotated[
        ServiceDate | None,
        Query(alias="date", description="one service day: date_from and date_to both"),
    ] = None,
    status_: Annotated[list[ReservationStatus] | None, Query(alias="status")] = None,
    seating_area: Annotated[str | None, Query(max_length=120)] = None,
    source: Annotated[
        list[ReservationSource] | None,
        Query(description="the channels to list (online, phone, google, thefork, pos, ...)"),
    ] = None,
) -> Page[StaffReservationOut]:
    if day is not None:
        if date_from is not None or date_to is not None:
            raise InvalidInput("give date, or date_from and date_to, not both", field="date")
        date_from = date_to = day
    if date_from and date_to and date_from > date_to:
        raise InvalidInput("date_from must not be after date_to", field="date_from")
    views, total = await queries.list_for_restaurant(
        session,
        restaurant_id=scope.restaurant_id,
        filters=queries.ReservationFilters(
            date_from=date_from,
            date_to=date_to,
            statuses=tuple(status_ or ()),
            seating_area=seating_area,
            sources=tuple(source or ()),
        ),
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=await staff_outs(session, views),
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


async def _after(session: SessionDep, reservation_id: uuid.UUID) -> StaffReservationOut:
    session.expire_all()
    return await staff_out(session, await queries.get_view(session, reservation_id=reservation_id))


async def _act(
    session: SessionDep,
    temporal: TemporalConnection,
    update: Update[Arg, ReservationState],
    arg: Arg,
    *,
    restaurant_id: uuid.UUID,
    reservation_id: uuid.UUID,
) -> StaffReservationOut:
    """Send one staff action to the reservation's workflow and answer with the result."""
    await require_owned(session, restaurant_id, reservation_id)
    view = await act_and_read(temporal, update, arg, session=session, reservation_id=reservation_id)
    return await staff_out(session, view)


@router.get(
    "/reservations/{reservation_id}",
    response_model=StaffReservationOut,
    summary="One reservation with the guest's contact details",
)
async def get_reservation(
    reservation_id: uuid.UUID, scope: HostOf, session: SessionDep
) -> StaffReservationOut:
    await require_owned(session, scope.restaurant_id, reservation_id)
    return await _after(session, reservation_id)


@router.post(
    "/reservations/{reservation_id}/check-in",
    response_model=StaffReservationOut,
    summary="Seat the party",
)
async def check_in(
    reservation_id: uuid.UUID,
    scope: HostOf,
    session: SessionDep,
    temporal: TemporalDep,
    data: CheckInIn | None = None,
) -> StaffReservationOut:
    arg = CheckInRequest(actual_party_size=data.actual_party_size if data else None)
    return await _act(
        session,
        temporal,
        ReservationWorkflow.check_in,
        arg,
        restaurant_id=scope.restaurant_id,
        reservation_id=reservation_id,
    )


@router.post(
    "/reservations/{reservation_id}/complete",
    response_model=StaffReservationOut,
    summary="The party left: tables are released",
)
async def complete(
    reservation_id: uuid.UUID, scope: HostOf, session: SessionDep, temporal: TemporalDep
) -> StaffReservationOut:
    return await _act(
        session,
        temporal,
        ReservationWorkflow.complete,
        CompleteRequest(),
        restaurant_id=scope.restaurant_id,
        reservation_id=reservation_id,
    )


@router.post(
    "/reservations/{reservation_id}/no-show",
    response_model=StaffReservationOut,
    summary="Mark the party as a no-show",
)
async def no_show(
    reservation_id: uuid.UUID, scope: HostOf, session: SessionDep, temporal: TemporalDep
) -> StaffReservationOut:
    return await _act(
        session,
        temporal,
        ReservationWorkflow.no_show,
        NoShowRequest(),
        restaurant_id=scope.restaurant_id,
        reservation_id=reservation_id,
    )


@router.post(
    "/reservations/{reservation_id}/assign-tables",
    response_model=StaffReservationOut,
    summary="Put the party on other tables (capacity and overlaps checked)",
)
async def assign_tables(
    reservation_id: uuid.UUID,
    data: AssignTablesIn,
    scope: HostOf,
    session: SessionDep,
    temporal: TemporalDep,
) -> StaffReservationOut:
    return await _act(
        session,
        temporal,
        ReservationWorkflow.assign_tables,
        AssignTablesRequest(table_ids=data.table_ids, lock=data.lock),
        restaurant_id=scope.restaurant_id,
        reservation_id=reservation_id,
    )


@router.post(
    "/reservations/{reservation_id}/confirm",
    response_model=StaffReservationOut,
    summary="Accept a booking waiting for manual confirmation (manager)",
)
async def confirm(
    reservation_id: uuid.UUID,
    scope: ManagerOf,
    session: SessionDep,
    temporal: TemporalDep,
    data: DecisionIn | None = None,
) -> StaffReservationOut:
    arg = DecisionRequest(reason=data.reason if data else None)
    return await _act(
        session,
        temporal,
        ReservationWorkflow.confirm,
        arg,
        restaurant_id=scope.restaurant_id,
        reservation_id=reservation_id,
    )


@router.post(
    "/reservations/{reservation_id}/decline",
    response_model=StaffReservationOut,
    summary="Decline a booking waiting for manual confirmation (manager)",
)
async def decline(
    reservation_id: uuid.UUID,
    scope: ManagerOf,
    session: SessionDep,
    temporal: TemporalDep,
    data: DecisionIn | None = None,
) -> StaffReservationOut:
    arg = DecisionRequest(reason=data.reason if data else None)
    return await _act(
        session,
        temporal,
        ReservationWorkflow.decline,
        arg,
        restaurant_id=scope.restaurant_id,
        reservation_id=reservation_id,
    )


@router.post(
    "/reservations/{reservation_id}/cancel",
    response_model=StaffReservationOut,
    summary="The restaurant cancels (with a reason)",
)
async def cancel(
    reservation_id: uuid.UUID,
    scope: HostOf,
    session: SessionDep,
    temporal: TemporalDep,
    data: CancelIn | None = None,
) -> StaffReservationOut:
    arg = CancelRequest(by="restaurant", reason=data.reason if data else None)
    return await _act(
        session,
        temporal,
        ReservationWorkflow.cancel,
        arg,
        restaurant_id=scope.restaurant_id,
        reservation_id=reservation_id,
    )


@router.post(
    "/walk-ins",
    status_code=status.HTTP_201_CREATED,
    response_model=StaffReservationOut,
    summary="Seat a party that walked in",
)
async def walk_in(
    data: WalkInCreate,
    scope: HostOf,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=200,
            description="the same key seats the party once: a retry answers the first walk-in",
        ),
    ] = None,
) -> StaffReservationOut:
    restaurant = await get_restaurant(session, restaurant_id=scope.restaurant_id)
    reservation_id = reservation_id_for(idempotency_key, scope=f"walk-in:{restaurant.id}")
    guest_in = data.guest or GuestIn(
        email=f"walk-in+{reservation_id.hex}@no-email.walk-in",
        first_name="Walk-in",
        email_notifications=False,
    )
    guest = await upsert_guest(session, data=guest_in)
    await record_booking_consent(
        session,
        guest_id=guest.id,
        restaurant_id=restaurant.id,
        given=guest_in.marketing_consent,
        wording_version=guest_in.consent_wording_version,
        now=datetime.now(UTC),
        source=ConsentSource.STAFF,
        staff_id=scope.staff.id,
    )
    booking = booking_request_for_walk_in(
        reservation_id=reservation_id,
        restaurant_id=restaurant.id,
        guest_id=guest.id,
        party_size=data.party_size,
        table_ids=data.table_ids,
        now=datetime.now(UTC),
        timezone=restaurant.timezone,
        interval_minutes=restaurant.slot_interval_minutes,
    )
    booking = await keep_booking_notes(session, booking=booking)
    await session.commit()
    try:
        state = await start_reservation(
            temporal,
            inp=ReservationInput(booking=booking, policy=policy_for(settings, manual=False)),
            task_queue=settings.temporal_task_queue,
            idempotency_key=idempotency_key,
            memo={"guest_id": str(guest.id)},
        )
    except BookingReplayed:  # seated under this key before, and since completed
        return await _after(session, reservation_id)
    if state.hold is not None and state.hold.invalid_field is not None:
        # tables that are not this restaurant's, or too small: the request's fault
        raise InvalidInput(state.hold.reason or "invalid walk-in", field=state.hold.invalid_field)
    if state.refused or state.hold is None or not state.hold.held:
        reason = state.hold.reason if state.hold else "no table"
        raise Conflict(f"no table free for a party of {data.party_size} now: {reason}")
    return await _after(session, reservation_id)
