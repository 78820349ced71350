"""The waitlist: guests wait for a full day to free up; hosts keep today's walk-in queue.

Guests act with the manage token returned when they join (as for bookings);
staff act with their bearer token within their restaurants, and another
restaurant's entry is "not found". Every change goes through the entry's
workflow (`api.waitlist_lifecycle`); reads come from the database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import can_see_restaurant
from api.booking_flow import not_bookable_online
from api.deps import (
    CurrentStaff,
    HostOf,
    PageDep,
    SessionDep,
    SettingsDep,
    require_role,
    staff_from_bearer,
)
from api.lifecycle import AnyUpdate, Arg
from api.problems import Conflict, InvalidInput, NotFound, Unauthorized
from api.temporal import TemporalConnection, TemporalDep
from api.views import staff_out
from api.waitlist_lifecycle import start_entry, update_entry
from models.enums import ReservationSource, StaffRole, WaitlistStatus
from models.orm import StaffUser, WaitlistEntry
from models.schemas.common import Page, ServiceDate
from models.schemas.reservation import GuestIn, StaffReservationOut
from models.schemas.waitlist import (
    LeaveRequest,
    NotifyRequest,
    OfferAnswer,
    SeatRequest,
    SeatWalkIn,
    SkipRequest,
    WaitlistEntryOut,
    WaitlistInput,
    WaitlistJoin,
    WaitlistJoined,
    WaitlistKind,
    WaitlistState,
    WaitQuote,
    WalkInQueueAdd,
)
from reservations.settings import Settings
from services import reservation_queries as queries
from services.availability.requests import seating_area_named
from services.crm.blocking import refuse_if_blocked
from services.crm.consent import record_booking_consent
from services.guests import upsert_guest
from services.manage_links import entry_in_waitlist_token, waitlist_token
from services.restaurants import get_restaurant
from services.waitlist import entries, quotes
from workflows.waitlist import WaitlistWorkflow

router = APIRouter(tags=["waitlist"])
_bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True, slots=True)
class EntryAccess:
    """An entry the caller may act on, and the staff member acting (None: the guest)."""

    entry: WaitlistEntry
    staff: StaffUser | None


@dataclass(frozen=True, slots=True)
class HostAccess:
    """An entry of a restaurant the acting host (or manager, or admin) works for."""

    entry: WaitlistEntry
    staff: StaffUser


def _not_found(entry_id: uuid.UUID) -> NotFound:
    return NotFound(f"waitlist entry {entry_id} not found")


async def guest_or_staff_entry(
    entry_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    token: Annotated[
        str | None, Query(max_length=2000, description="the manage token from joining")
    ] = None,
    x_manage_token: Annotated[str | None, Header(max_length=2000)] = None,
) -> EntryAccess:
    """The entry, if the caller holds its manage token or is staff of its restaurant."""
    staff = await staff_from_bearer(request, session, credentials)
    manage = token or x_manage_token
    if staff is None:
        if manage is None:
            raise Unauthorized("a manage token or a staff bearer token is required")
        if entry_in_waitlist_token(manage, secret=request.app.state.jwt_secret) != entry_id:
            raise _not_found(entry_id)
    entry = await entries.get_entry(session, entry_id=entry_id)
    if staff is not None and not can_see_restaurant(staff, entry.restaurant_id):
        raise _not_found(entry_id)
    return EntryAccess(entry=entry, staff=staff)


async def host_entry(entry_id: uuid.UUID, staff: CurrentStaff, session: SessionDep) -> HostAccess:
    """The entry, if the caller is a host (or above) of its restaurant."""
    entry = await entries.get_entry(session, entry_id=entry_id)
    if not can_see_restaurant(staff, entry.restaurant_id):
        raise _not_found(entry_id)
    require_role(staff, StaffRole.HOST)
    return HostAccess(entry=entry, staff=staff)


GuestOrStaff = Annotated[EntryAccess, Depends(guest_or_staff_entry)]
HostEntry = Annotated[HostAccess, Depends(host_entry)]


def _input(entry: WaitlistEntry) -> WaitlistInput:
    """What the entry's workflow starts with: ids and non-personal facts only."""
    assert entry.expires_at is not None  # every entry made here has one
    return WaitlistInput(
        entry_id=entry.id,
        restaurant_id=entry.restaurant_id,
        kind=WaitlistKind(entry.kind),
        date=entry.desired_date,
        party_size=entry.party_size,
        expires_at=entry.expires_at,
        offer_minutes=entry.offer_minutes,
    )


async def _start(
    session: AsyncSession,
    temporal: TemporalConnection,
    settings: Settings,
    entry: WaitlistEntry,
) -> WaitlistEntryOut:
    """Start (or reach again) the entry's workflow and answer with the entry as stored."""
    inp = _input(entry)
    await session.commit()
    await start_entry(temporal, inp=inp, task_queue=settings.temporal_task_queue)
    return await _read(session, inp.entry_id)


async def _read(session: AsyncSession, entry_id: uuid.UUID) -> WaitlistEntryOut:
    """The entry as its workflow's activities left it."""
    session.expire_all()
    entry = await entries.get_entry(session, entry_id=entry_id)
    return await entries.entry_out(session, entry)


async def _act(
    session: AsyncSession,
    temporal: TemporalConnection,
    update: AnyUpdate[Arg, WaitlistState],
    arg: Arg,
    *,
    entry_id: uuid.UUID,
) -> WaitlistEntryOut:
    """Send one update to the entry's workflow and answer with the entry it wrote."""
    await update_entry(temporal, update, arg, session=session, entry_id=entry_id)
    return await _read(session, entry_id)


# ---- guests (and staff for them) -----------------------------------------------------


@router.post(
    "/waitlist",
    status_code=status.HTTP_201_CREATED,
    response_model=WaitlistJoined,
    summary="Join the waitlist of a day (the same guest, day and window: the same entry)",
)
async def join_waitlist(
    data: WaitlistJoin,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
) -> WaitlistJoined:
    now = datetime.now(UTC)
    restaurant = await get_restaurant(session, restaurant_id=data.restaurant_id)
    if not restaurant.is_active or not restaurant.accepts_reservations:
        raise InvalidInput("this restaurant does not take reservations", field="restaurant_id")
    data = await _known_area(session, restaurant.id, data)
    # a closed day, a window outside the booking window or the hours, or a party no
    # table combination seats: 422 naming the field (a merely full day is fine)
    _, window_end = await entries.validate_join(
        session,
        restaurant_id=restaurant.id,
        day=data.date,
        time_from=data.time_from,
        time_to=data.time_to,
        party_size=data.party_size,
        seating_area=data.seating_area,
        now=now,
    )
    guest = await upsert_guest(session, data=data.guest)
    if await refuse_if_blocked(
        session,
        guest_id=guest.id,
        restaurant_id=restaurant.id,
        channel=ReservationSource.WAITLIST,
        requested={
            "date": data.date,
            "time_from": data.time_from,
            "time_to": data.time_to,
            "party_size": data.party_size,
        },
    ):
        await session.commit()  # the staff-only trail of the refusal stays
        raise not_bookable_online()
    await record_booking_consent(
        session,
        guest_id=guest.id,
        restaurant_id=restaurant.id,
        given=data.guest.marketing_consent,
        wording_version=data.guest.consent_wording_version,
        now=now,
    )
    entry, _ = await entries.create_entry(
        session,
        restaurant_id=restaurant.id,
        guest_id=guest.id,
        kind=WaitlistKind.FUTURE,
        day=data.date,
        time_from=data.time_from,
        time_to=data.time_to,
        party_size=data.party_size,
        expires_at=entries.entry_expires_at(
            kind=WaitlistKind.FUTURE,
            day=data.date,
            time_from=data.time_from,
            time_to=data.time_to,
            timezone=restaurant.timezone,
            window_end=window_end,
        ),
        now=now,
        seating_area=data.seating_area,
        language=data.guest.preferred_language,
        notes=data.notes,
    )
    out = await _start(session, temporal, settings, entry)
    token = waitlist_token(out.id, secret=request.app.state.jwt_secret)
    return WaitlistJoined(**out.model_dump(), manage_token=token)


@router.get(
    "/waitlist/restaurant/{restaurant_id}",
    response_model=Page[WaitlistEntryOut],
    summary="The restaurant's waitlist and walk-in queue (filter by date and status)",
)
async def list_waitlist(
    scope: HostOf,
    session: SessionDep,
    page: PageDep,
    date_: Annotated[ServiceDate | None, Query(alias="date", description="the service day")] = None,
    status_: Annotated[list[WaitlistStatus] | None, Query(alias="status")] = None,
    kind: WaitlistKind | None = None,
) -> Page[WaitlistEntryOut]:
    rows, total = await entries.list_entries(
        session,
        restaurant_id=scope.restaurant_id,
        day=date_,
        statuses=tuple(status_ or ()),
        kind=kind,
        limit=page.limit,
        offset=page.offset,
    )
    items = [await entries.entry_out(session, row) for row in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/waitlist/{entry_id}", response_model=WaitlistEntryOut, summary="One entry")
async def get_entry(
    entry_id: uuid.UUID, access: GuestOrStaff, session: SessionDep
) -> WaitlistEntryOut:
    return await entries.entry_out(session, access.entry)


@router.delete(
    "/waitlist/{entry_id}",
    response_model=WaitlistEntryOut,
    summary="Leave the waitlist (the guest), or remove the entry (staff)",
)
async def leave_waitlist(
    entry_id: uuid.UUID, access: GuestOrStaff, session: SessionDep, temporal: TemporalDep
) -> WaitlistEntryOut:
    by = "guest" if access.staff is None else "restaurant"
    request = LeaveRequest(by=by)
    return await _act(session, temporal, WaitlistWorkflow.leave, request, entry_id=entry_id)


@router.post(
    "/waitlist/{entry_id}/accept",
    response_model=WaitlistEntryOut,
    responses={409: {"description": "no open offer (none made, expired, or answered)"}},
    summary="Accept the open offer: its held table becomes a booking",
)
async def accept_offer(
    entry_id: uuid.UUID, access: GuestOrStaff, session: SessionDep, temporal: TemporalDep
) -> WaitlistEntryOut:
    answer = OfferAnswer(via="link" if access.staff is None else "staff")
    return await _act(session, temporal, WaitlistWorkflow.accept, answer, entry_id=entry_id)


@router.post(
    "/waitlist/{entry_id}/decline",
    response_model=WaitlistEntryOut,
    responses={409: {"description": "no open offer (none made, expired, or answered)"}},
    summary="Decline the open offer: the table goes to the next guest",
)
async def decline_offer(
    entry_id: uuid.UUID, access: GuestOrStaff, session: SessionDep, temporal: TemporalDep
) -> WaitlistEntryOut:
    answer = OfferAnswer(via="link" if access.staff is None else "staff")
    return await _act(session, temporal, WaitlistWorkflow.decline, answer, entry_id=entry_id)


# ---- staff -------------------------------------------------------------------------------


@router.post(
    "/waitlist/{entry_id}/notify",
    response_model=WaitlistEntryOut,
    summary="Offer this entry a table now (or tell the guest we will call)",
)
async def notify_entry(
    entry_id: uuid.UUID, access: HostEntry, session: SessionDep, temporal: TemporalDep
) -> WaitlistEntryOut:
    request = NotifyRequest(staff_id=access.staff.id)
    return await _act(session, temporal, WaitlistWorkflow.notify, request, entry_id=entry_id)


@router.post(
    "/waitlist/{entry_id}/seat",
    response_model=StaffReservationOut,
    summary="Seat a queued walk-in party: it becomes a seated walk-in reservation",
)
async def seat_entry(
    entry_id: uuid.UUID,
    data: SeatWalkIn,
    access: HostEntry,
    session: SessionDep,
    temporal: TemporalDep,
) -> StaffReservationOut:
    request = SeatRequest(staff_id=access.staff.id, table_ids=data.table_ids)
    state = await update_entry(
        temporal, WaitlistWorkflow.seat, request, session=session, entry_id=entry_id
    )
    if state.reservation_id is None:
        raise Conflict("the party was not seated")
    session.expire_all()
    view = await queries.get_view(session, reservation_id=state.reservation_id)
    return await staff_out(session, view)


@router.post(
    "/waitlist/{entry_id}/skip",
    response_model=WaitlistEntryOut,
    summary="Skip a queued party (they left, or did not answer)",
)
async def skip_entry(
    entry_id: uuid.UUID, access: HostEntry, session: SessionDep, temporal: TemporalDep
) -> WaitlistEntryOut:
    request = SkipRequest(staff_id=access.staff.id)
    return await _act(session, temporal, WaitlistWorkflow.skip, request, entry_id=entry_id)


@router.post(
    "/restaurants/{restaurant_id}/walk-in-queue",
    status_code=status.HTTP_201_CREATED,
    response_model=WaitlistEntryOut,
    summary="Add a party at the door to today's queue; the answer carries its quote",
)
async def add_to_queue(
    data: WalkInQueueAdd,
    scope: HostOf,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
) -> WaitlistEntryOut:
    restaurant = await get_restaurant(session, restaurant_id=scope.restaurant_id)
    data = await _known_area(session, restaurant.id, data)
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(restaurant.timezone)).date()
    quote = await quotes.quote_wait(
        session,
        restaurant_id=restaurant.id,
        party_size=data.party_size,
        timezone=restaurant.timezone,
        now=now,
        seating_area=data.seating_area,
    )
    seats_until = await entries.day_last_seating(
        session, restaurant_id=restaurant.id, day=today, now=now
    )
    guest = await upsert_guest(session, data=_walk_in_guest(data))
    entry, _ = await entries.create_entry(
        session,
        restaurant_id=restaurant.id,
        guest_id=guest.id,
        kind=WaitlistKind.WALK_IN,
        day=today,
        time_from=None,
        time_to=None,
        party_size=data.party_size,
        expires_at=entries.entry_expires_at(
            kind=WaitlistKind.WALK_IN,
            day=today,
            time_from=None,
            time_to=None,
            timezone=restaurant.timezone,
            window_end=seats_until,
        ),
        now=now,
        seating_area=data.seating_area,
        language=data.language,
        notes=data.notes,
        quoted_wait_minutes=quote.wait_minutes,
    )
    return await _start(session, temporal, settings, entry)


def _walk_in_guest(data: WalkInQueueAdd) -> GuestIn:
    """A guest record of its own for a party at the door (texted when the table is ready)."""
    try:
        return GuestIn(
            email=f"walk-in+{uuid.uuid4().hex}@no-email.walk-in",
            first_name=data.first_name,
            phone=data.phone,
            preferred_language=data.language,
            email_notifications=False,
            sms_notifications=data.phone is not None,
        )
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = str(problem["loc"][0]) if problem["loc"] else "phone"
        raise InvalidInput(f"{field}: {problem['msg']}", field=field) from None


@router.get(
    "/restaurants/{restaurant_id}/walk-in-queue/quote",
    response_model=WaitQuote,
    summary="How long a party of this size would wait now",
)
async def quote_wait(
    scope: HostOf,
    session: SessionDep,
    party_size: Annotated[int, Query(ge=1, le=100, description="covers")],
    seating_area: Annotated[str | None, Query(max_length=120)] = None,
) -> WaitQuote:
    restaurant = await get_restaurant(session, restaurant_id=scope.restaurant_id)
    if seating_area is not None:
        seating_area = await seating_area_named(
            session, restaurant_id=restaurant.id, name=seating_area
        )
    return await quotes.quote_wait(
        session,
        restaurant_id=restaurant.id,
        party_size=party_size,
        timezone=restaurant.timezone,
        now=datetime.now(UTC),
        seating_area=seating_area,
    )


_Wanting = TypeVar("_Wanting", WaitlistJoin, WalkInQueueAdd)


async def _known_area(session: AsyncSession, restaurant_id: uuid.UUID, data: _Wanting) -> _Wanting:
    """The request with its seating area as the restaurant spells it; 422 naming
    `seating_area` when the restaurant has no such area (waiting could never end)."""
    if data.seating_area is None:
        return data
    area = await seating_area_named(session, restaurant_id=restaurant_id, name=data.seating_area)
    return data.model_copy(update={"seating_area": area})
