"""Reserve with Google: booking server v3 (REST/JSON) under /google/v3.

Google calls `<base>/v3/HealthCheck` (GET) and `<base>/v3/<Method>` (POST) with HTTP
Basic auth; a restaurant group registers `https://<host>/google` as the base. Errors
of the request itself are HTTP 4xx (400 malformed, 401 credentials, 404 unknown
booking, 413 too large); business refusals are HTTP 200 with `booking_failure`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from api.booking_flow import Booked, place_booking
from api.deps import CacheDep, SessionDep, SettingsDep
from api.lifecycle import send_update
from api.problems import Problem
from api.temporal import TemporalDep
from models.enums import ReservationSource
from models.orm import Restaurant
from models.schemas.google import (
    BatchAvailabilityLookupRequest,
    BookingFailure,
    BookingResponse,
    CreateBookingRequest,
    FailureCause,
    GetBookingStatusRequest,
    GetBookingStatusResponse,
    ListBookingsRequest,
    ListBookingsResponse,
    UpdateBookingRequest,
)
from models.schemas.lifecycle import CancelRequest, ModifyRequest
from models.schemas.reservation import GuestIn, ReservationCreate
from rules.state_machine import ReservationStatus as S
from services import reservation_queries as queries
from services.availability import check_requested_time
from services.errors import ServiceError
from services.partners import google as svc
from services.partners.google import CANCELLED_ON_GOOGLE
from workflows.reservation import ReservationWorkflow

router = APIRouter(prefix="/google/v3", tags=["google"])
# the largest request is a lookup of the most slots the schema admits (2,000, about
# 150 bytes each): the body limit must not refuse what the schema accepts
MAX_BODY = 512 * 1024
M = TypeVar("M", bound=BaseModel)


_TITLES = {400: "Bad request", 401: "Unauthorized", 404: "Not found", 413: "Payload too large"}


class GoogleError(Problem):
    """A request error answered with a status Google maps to its canonical codes."""

    def __init__(self, detail: str, *, status: int, **kwargs: Any) -> None:
        super().__init__(detail, status=status, **kwargs)
        self.title = _TITLES.get(status, "Bad request")


async def _check_basic(request: Request, settings: SettingsDep) -> None:
    valid = settings.google_credentials()
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    user = password = ""
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(token, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user = password = ""
    # compare against every valid pair (two during a rotation) without short-circuiting
    ok = False
    for good_user, good_password in valid:
        same_user = hmac.compare_digest(user.encode(), good_user.encode())
        same_password = hmac.compare_digest(password.encode(), good_password.encode())
        ok |= same_user and same_password
    if not ok:
        raise GoogleError(
            "HTTP Basic credentials for Google's booking server are missing or wrong",
            status=401,
            headers={"WWW-Authenticate": 'Basic realm="google-booking-server"'},
        )


GoogleAuth = Annotated[None, Depends(_check_basic)]


async def _body(request: Request, model: type[M]) -> M:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise GoogleError(f"the body is larger than {MAX_BODY} bytes", status=413)
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise GoogleError(f"the body is larger than {MAX_BODY} bytes", status=413)
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise GoogleError(f"malformed JSON: {exc}", status=400) from None
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise GoogleError(f"{where}: {first['msg']}", status=400, field=where) from None


def _answer(model: BaseModel) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json", exclude_none=True))


def _failure(cause: FailureCause, description: str) -> JSONResponse:
    return _answer(
        BookingResponse(booking_failure=BookingFailure(cause=cause, description=description))
    )


@router.get("/HealthCheck", summary="Google's health check")
async def health_check(_auth: GoogleAuth) -> JSONResponse:
    return JSONResponse({"status": "serving"})


@router.post("/BatchAvailabilityLookup", summary="Is each slot still available?")
async def batch_availability_lookup(
    request: Request, _auth: GoogleAuth, session: SessionDep, cache: CacheDep, settings: SettingsDep
) -> JSONResponse:
    data = await _body(request, BatchAvailabilityLookupRequest)
    answers = await svc.lookup(
        session,
        cache,
        merchant_id=data.merchant_id,
        slot_times=data.slot_time,
        service_id=settings.google_service_id,
        max_party_size=settings.google_max_party_size,
        now=datetime.now(UTC),
    )
    return JSONResponse(
        {"slot_time_availability": [a.model_dump(mode="json", exclude_none=True) for a in answers]}
    )


def _guest(info: Any) -> GuestIn | None:
    base: dict[str, Any] = {
        "email": info.email,
        "first_name": info.given_name or "Google guest",
        "last_name": info.family_name,
    }
    for extra in ({"phone": info.telephone} if info.telephone else {}, {}):
        try:
            return GuestIn.model_validate({**base, **extra})
        except ValidationError:
            continue  # a phone we cannot read is left out rather than refuse the booking
    return None


@router.post("/CreateBooking", summary="Book a slot (idempotent on idempotency_token)")
async def create_booking(
    request: Request,
    _auth: GoogleAuth,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
) -> JSONResponse:
    data = await _body(request, CreateBookingRequest)
    slot = data.slot
    reservation_id = svc.reservation_id_for_token(data.idempotency_token)
    # a replay of a token that already booked answers with that booking, whatever since
    known = await svc.google_view(session, booking_id=str(reservation_id))
    if known is not None:
        user_id = known[1] or data.user_information.user_id
        if known[1] is None:  # an earlier answer was lost before the user was noted
            await svc.remember_user(session, reservation_id=reservation_id, user_id=user_id)
            await session.commit()
        return _booking_answer(known[0], user_id, settings.google_service_id)
    restaurant = await svc.merchant(session, slot.merchant_id)
    if restaurant is None:
        return _failure("SLOT_UNAVAILABLE", "unknown merchant")
    party = slot.resources.party_size if slot.resources else None
    if party is None or party > settings.google_max_party_size:
        return _failure("SLOT_UNAVAILABLE", "party size outside what this merchant takes online")
    if slot.service_id and slot.service_id != settings.google_service_id:
        return _failure("SLOT_UNAVAILABLE", "unknown service")
    if wrong_length := svc.slot_length_refusal(
        restaurant, duration_sec=slot.duration_sec, party=party
    ):
        return _failure("SLOT_UNAVAILABLE", wrong_length)
    guest = _guest(data.user_information)
    if guest is None:
        raise GoogleError("user_information needs a valid email", status=400, field="email")
    start = svc.local_start(restaurant, slot.start_sec)
    try:
        booking = ReservationCreate(
            restaurant_id=restaurant.id,
            date=start.date(),
            time=start.time(),
            party_size=party,
            guest=guest,
            special_requests=data.additional_request,
        )
        outcome = await place_booking(
            session,
            temporal,
            settings,
            data=booking,
            source=ReservationSource.GOOGLE,
            idempotency_key=f"google:{data.idempotency_token}",
            now=datetime.now(UTC),
            reservation_id=reservation_id,
        )
    except ValidationError as exc:
        return _failure("SLOT_UNAVAILABLE", str(exc.errors()[0]["msg"]))
    except (Problem, ServiceError) as exc:
        if isinstance(exc, Problem) and exc.status >= 500:
            raise
        reason = exc.extra.get("reason") if isinstance(exc, Problem) else exc.reason
        return _failure(svc.failure_cause(reason or getattr(exc, "field", None)), exc.detail)
    if not isinstance(outcome, Booked):
        hold = outcome.hold
        return _failure(svc.failure_cause(hold.reason if hold else None), "no table for this slot")
    await svc.remember_user(
        session, reservation_id=reservation_id, user_id=data.user_information.user_id
    )
    await session.commit()
    view = await queries.get_view(session, reservation_id=reservation_id)
    return _booking_answer(view, data.user_information.user_id, settings.google_service_id)


def _booking_answer(view: Any, user_id: str | None, service_id: str) -> JSONResponse:
    return _answer(
        BookingResponse(booking=svc.booking_of(view, service_id=service_id, user_id=user_id))
    )


async def _google_booking(session: Any, booking_id: str) -> Any:
    found = await svc.google_view(session, booking_id=booking_id)
    if found is None:
        raise GoogleError(f"booking {booking_id} not found", status=404)
    return found


@router.post("/UpdateBooking", summary="Cancel, move or resize a booking (idempotent)")
async def update_booking(
    request: Request,
    _auth: GoogleAuth,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
) -> JSONResponse:
    data = await _body(request, UpdateBookingRequest)
    view, user_id = await _google_booking(session, data.booking.booking_id)
    r = view.reservation
    rid = r.id  # the session is rolled back before each update: keep plain values
    mask = {p.strip() for p in (data.update_mask or "").split(",") if p.strip()}
    cancel = data.booking.status == "CANCELED" and (not mask or "status" in mask)
    try:
        if cancel:
            if r.status is S.CANCELLED_BY_GUEST:
                pass  # already done: a replay answers the same
            elif r.status is S.CANCELLED_BY_RESTAURANT:
                return _failure("BOOKING_ALREADY_CANCELLED", "the restaurant cancelled it")
            elif r.status in {S.NO_SHOW, S.COMPLETED, S.SEATED, S.EXPIRED, S.DECLINED}:
                return _failure("BOOKING_NOT_CANCELLABLE", f"the booking is {r.status.value}")
            else:
                await send_update(
                    temporal,
                    ReservationWorkflow.cancel,
                    CancelRequest(by="guest", reason=CANCELLED_ON_GOOGLE),
                    session=session,
                    reservation_id=rid,
                )
        elif data.booking.slot is not None:
            restaurant = await session.get(Restaurant, r.restaurant_id)
            assert restaurant is not None
            change = _modification(
                view, restaurant, data.booking.slot, settings.google_max_party_size
            )
            if isinstance(change, str):
                return _failure("SLOT_UNAVAILABLE", change)
            if change is not None:
                await check_requested_time(
                    session,
                    restaurant_id=r.restaurant_id,
                    day=change.date or r.reservation_date,
                    local_time=change.time or r.reservation_time,
                    now=datetime.now(UTC),
                )
                await send_update(
                    temporal,
                    ReservationWorkflow.modify,
                    change,
                    session=session,
                    reservation_id=rid,
                )
    except (Problem, ServiceError) as exc:
        if isinstance(exc, Problem) and exc.status >= 500:
            raise
        reason = exc.extra.get("reason") if isinstance(exc, Problem) else exc.reason
        if cancel:
            session.expire_all()
            now = await queries.get_view(session, reservation_id=rid)
            if now.reservation.status is S.CANCELLED_BY_GUEST:
                # an earlier attempt (its answer lost with the API) cancelled it: the same
                return _booking_answer(now, user_id, settings.google_service_id)
            return _failure("BOOKING_NOT_CANCELLABLE", exc.detail)
        return _failure(svc.failure_cause(reason), exc.detail)
    session.expire_all()
    fresh = await queries.get_view(session, reservation_id=rid)
    return _booking_answer(fresh, user_id, settings.google_service_id)


def _modification(
    view: Any, restaurant: Restaurant, slot: Any, max_party: int
) -> ModifyRequest | str | None:
    """What changes (None: nothing, so a replay is a no-op), or why it cannot."""
    r = view.reservation
    if slot.merchant_id and svc.merchant_uuid(slot.merchant_id) != restaurant.id:
        # a booking stays at its restaurant: a move elsewhere is a new booking
        return "the booking is at another merchant"
    party = slot.resources.party_size if slot.resources else None
    if party is not None and party > max_party:
        return "party size outside what this merchant takes online"
    if wrong_length := svc.slot_length_refusal(
        restaurant, duration_sec=slot.duration_sec, party=party or r.party_size
    ):
        return wrong_length
    start = svc.local_start(restaurant, slot.start_sec)
    fields: dict[str, Any] = {}
    if start.date() != r.reservation_date:
        fields["date"] = start.date()
    if start.time() != r.reservation_time:
        fields["time"] = start.time()
    if party is not None and party != r.party_size:
        fields["party_size"] = party
    return ModifyRequest(**fields) if fields else None


@router.post("/GetBookingStatus", summary="A booking's status")
async def get_booking_status(
    request: Request, _auth: GoogleAuth, session: SessionDep
) -> JSONResponse:
    data = await _body(request, GetBookingStatusRequest)
    view, _ = await _google_booking(session, data.booking_id)
    return _answer(
        GetBookingStatusResponse(
            booking_id=data.booking_id, booking_status=svc.booking_status(view.reservation.status)
        )
    )


@router.post("/ListBookings", summary="A Google user's bookings")
async def list_bookings(
    request: Request, _auth: GoogleAuth, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    data = await _body(request, ListBookingsRequest)
    views = await svc.bookings_of_user(session, user_id=data.user_id)
    return _answer(
        ListBookingsResponse(
            bookings=[
                svc.booking_of(v, service_id=settings.google_service_id, user_id=data.user_id)
                for v in views
            ]
        )
    )
