"""Guest-facing reservation routes: create, read, modify, cancel, re-confirm, look up.

Guests have no accounts: they act with the manage token returned at creation
(or found again by reference + email). Staff may use these routes too with their
bearer token, within their restaurants.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, status
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import can_see_restaurant
from api.booking_flow import Refused, place_booking
from api.deps import CacheDep, PageDep, SessionDep, SettingsDep, staff_from_bearer
from api.lifecycle import (
    act_and_read,
)
from api.problems import (
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
    problem_response,
)
from api.temporal import TemporalDep
from api.views import reservation_out
from models.enums import DepositStatus, ReservationSource, StaffRole
from models.orm import StaffUser
from models.schemas.common import Page
from models.schemas.lifecycle import (
    CancelRequest,
    CheckoutSessionOut,
    GuestReconfirmRequest,
    ModifyRequest,
)
from models.schemas.reservation import (
    CancelIn,
    HeldReservation,
    LookupIn,
    NotAvailable,
    ReservationCreate,
    ReservationModify,
    ReservationOut,
)
from services import messages
from services import reservation_queries as queries
from services.availability import check_requested_time
from services.guest_links import reservation_links
from services.guests import normalise_email
from services.manage_links import manage_token, reservation_in_token
from services.payments import checkout_session_of
from services.reservation_queries import ReservationView
from services.restaurants import get_restaurant
from workflows.reservation import ReservationWorkflow

router = APIRouter(prefix="/reservations", tags=["reservations"])
_bearer = HTTPBearer(auto_error=False)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=HeldReservation,
    responses={409: {"model": NotAvailable, "description": "not available, with alternatives"}},
    summary="Book a table: the answer is a hold (with a manage token) or alternatives",
)
async def create_reservation(
    data: ReservationCreate,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
    cache: CacheDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> HeldReservation | JSONResponse:
    outcome = await place_booking(
        session,
        temporal,
        settings,
        data=data,
        source=ReservationSource.ONLINE,
        idempotency_key=idempotency_key,
        now=datetime.now(UTC),
        # a surely full time is refused without a workflow
        cache=cache if settings.booking_precheck else None,
        same_request_per_key=True,
    )
    if isinstance(outcome, Refused):
        hold = outcome.hold
        return problem_response(
            409,
            "Not available",
            f"no table for {data.party_size} at {data.time.isoformat('minutes')} on "
            f"{data.date.isoformat()}",
            instance=request.url.path,
            reason=hold.reason if hold else None,
            alternatives=[a.model_dump(mode="json") for a in hold.alternatives] if hold else [],
        )
    return await _held_answer(session, request, outcome.reservation_id, payment=outcome.payment)


async def _held_answer(
    session: AsyncSession,
    request: Request,
    reservation_id: uuid.UUID,
    *,
    payment: CheckoutSessionOut | None,
) -> HeldReservation:
    view = await queries.get_view(session, reservation_id=reservation_id)
    return HeldReservation(
        **reservation_out(view).model_dump(),
        manage_token=manage_token(reservation_id, secret=request.app.state.jwt_secret),
        payment=payment,
    )


async def guest_or_staff_access(
    reservation_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    token: Annotated[str | None, Query(description="the manage token from the booking")] = None,
    x_manage_token: Annotated[str | None, Header()] = None,
) -> tuple[ReservationView, StaffUser | None]:
    """The reservation, if the caller holds its manage token or is staff of its restaurant."""
    staff = await staff_from_bearer(request, session, credentials)
    manage = token or x_manage_token
    if staff is None:
        if manage is None:
            raise Unauthorized("a manage token or a staff bearer token is required")
        bound = reservation_in_token(manage, secret=request.app.state.jwt_secret)
        if bound != reservation_id:
            raise NotFound(f"reservation {reservation_id} not found")
    view = await queries.get_view(session, reservation_id=reservation_id)
    if staff is not None and not can_see_restaurant(staff, view.reservation.restaurant_id):
        raise NotFound(f"reservation {reservation_id} not found")
    return view, staff


AccessDep = Annotated[tuple[ReservationView, StaffUser | None], Depends(guest_or_staff_access)]


@router.get("/{reservation_id}", response_model=ReservationOut, summary="One reservation")
async def get_reservation(access: AccessDep) -> ReservationOut:
    return reservation_out(access[0])


@router.patch(
    "/{reservation_id}",
    response_model=ReservationOut,
    summary="Change date, time, party size or seating preference",
)
async def modify_reservation(
    reservation_id: uuid.UUID,
    data: ReservationModify,
    access: AccessDep,
    session: SessionDep,
    temporal: TemporalDep,
) -> ReservationOut:
    # a null date, time or party size leaves it as it is (a null seating preference
    # clears it): with nothing else sent there is nothing to change
    unchanged = {name for name in ("date", "time", "party_size") if getattr(data, name) is None}
    if not data.model_fields_set - unchanged:
        raise InvalidInput("nothing to change", field="body")
    if data.date is not None or data.time is not None:
        current = access[0].reservation
        await check_requested_time(
            session,
            restaurant_id=current.restaurant_id,
            day=data.date or current.reservation_date,
            local_time=data.time or current.reservation_time,
            now=datetime.now(UTC),
        )
    request = ModifyRequest(
        **data.model_dump(exclude_unset=True, exclude={"seating_preference"}),
        seating_area=data.seating_preference,
        staff=access[1] is not None,
    )
    view = await act_and_read(
        temporal,
        ReservationWorkflow.modify,
        request,
        session=session,
        reservation_id=reservation_id,
    )
    return reservation_out(view)


@router.post(
    "/{reservation_id}/cancel",
    response_model=ReservationOut,
    summary="Cancel (by the guest with the manage token, by the restaurant with staff auth)",
)
async def cancel_reservation(
    reservation_id: uuid.UUID,
    access: AccessDep,
    session: SessionDep,
    temporal: TemporalDep,
    data: CancelIn | None = None,
) -> ReservationOut:
    by = "restaurant" if access[1] is not None else "guest"
    reason = data.reason if data else None
    view = await act_and_read(
        temporal,
        ReservationWorkflow.cancel,
        CancelRequest(by=by, reason=reason),
        session=session,
        reservation_id=reservation_id,
    )
    return reservation_out(view)


@router.post(
    "/{reservation_id}/confirm",
    response_model=ReservationOut,
    summary="The guest confirms they are still coming (from the reminder's link)",
)
async def guest_confirm(
    reservation_id: uuid.UUID, access: AccessDep, session: SessionDep, temporal: TemporalDep
) -> ReservationOut:
    view = await act_and_read(
        temporal,
        ReservationWorkflow.guest_reconfirm,
        GuestReconfirmRequest(via="link"),
        session=session,
        reservation_id=reservation_id,
    )
    return reservation_out(view)


@router.get(
    "/{reservation_id}/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
    summary="The booking as a calendar file (METHOD:CANCEL once cancelled)",
)
async def calendar_file(access: AccessDep, request: Request, session: SessionDep) -> Response:
    reservation = access[0].reservation
    restaurant = await get_restaurant(session, restaurant_id=reservation.restaurant_id)
    links = reservation_links(
        base_url=request.app.state.settings.public_base_url,
        secret=request.app.state.jwt_secret,
        reservation_id=reservation.id,
        restaurant=restaurant,
    )
    data = messages.calendar_file(reservation, restaurant, links, stamp=datetime.now(UTC))
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{reservation.reference}.ics"'},
    )


@router.get(
    "/{reservation_id}/guest-reservations",
    response_model=Page[ReservationOut],
    summary="All reservations of the guest this booking belongs to (staff)",
)
async def guest_reservations(
    access: AccessDep, session: SessionDep, page: PageDep
) -> Page[ReservationOut]:
    view, staff = access
    if staff is None:
        # a manage token proves access to one booking, not ownership of the email
        raise Forbidden("listing a guest's reservations needs a staff token")
    scope = None if staff.role is StaffRole.ADMIN else staff.restaurant_ids
    views, total = await queries.list_for_guest(
        session, guest_id=view.guest.id, restaurant_ids=scope, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[reservation_out(v) for v in views],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/lookup",
    response_model=HeldReservation,
    summary="Find a booking by reference and email; answers with a fresh manage token",
)
async def lookup(data: LookupIn, request: Request, session: SessionDep) -> HeldReservation:
    try:
        email = normalise_email(str(data.email))
    except ValueError as exc:
        raise InvalidInput(str(exc), field="email") from None
    view = await queries.find_by_reference(session, reference=data.reference, email=email)
    pending = view.reservation.deposit_status is DepositStatus.PENDING
    return HeldReservation(
        **reservation_out(view).model_dump(),
        manage_token=manage_token(view.reservation.id, secret=request.app.state.jwt_secret),
        payment=await checkout_session_of(session, view.reservation.id) if pending else None,
    )
