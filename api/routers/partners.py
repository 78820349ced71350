"""Routes for partner channels holding an API key (restaurant groups' marketplaces, POS).

Every route takes `PartnerOf(scope)`: key, scope, restaurant and rate are checked
before anything else runs.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.responses import JSONResponse

from api.booking_flow import Refused, place_booking
from api.deps import CacheDep, SessionDep, SettingsDep
from api.partner_auth import PartnerAccess, PartnerOf
from api.problems import InvalidInput, problem_response
from api.temporal import TemporalDep
from api.views import reservation_out
from models.schemas.availability import AvailabilityOut, SlotOut
from models.schemas.common import ServiceDate
from models.schemas.reservation import NotAvailable, ReservationCreate, ReservationOut
from services import availability as svc
from services import reservation_queries as queries
from services.partners.keys import Scope

router = APIRouter(prefix="/partners", tags=["partners"])


@router.get(
    "/restaurants/{restaurant_id}/availability",
    response_model=AvailabilityOut,
    summary="A day's slots for a party (partner key with availability:read)",
)
async def partner_availability(
    restaurant_id: uuid.UUID,
    access: Annotated[PartnerAccess, PartnerOf(Scope.AVAILABILITY_READ)],
    session: SessionDep,
    cache: CacheDep,
    day: Annotated[ServiceDate, Query(alias="date")],
    party_size: Annotated[int, Query(ge=1, le=100)],
) -> AvailabilityOut:
    now = datetime.now(UTC)
    await svc.check_requested_time(
        session, restaurant_id=access.restaurant_id, day=day, local_time=None, now=now
    )
    answer, _ = await svc.cached_availability(
        session, cache, restaurant_id=access.restaurant_id, day=day, party_size=party_size, now=now
    )
    return AvailabilityOut(
        restaurant_id=restaurant_id,
        date=day,
        party_size=party_size,
        seating_area=None,
        closed_reason=answer.closed_reason,
        slots=[
            SlotOut(
                date=s.local_time.date(),
                time=s.local_time.time(),
                starts_at=s.start_utc,
                ends_at=s.end_utc,
                available=s.available,
                reason=s.reason.value if s.reason else None,
                service=s.service,
                table_numbers=[],
            )
            for s in answer.slots
        ],
    )


@router.post(
    "/restaurants/{restaurant_id}/reservations",
    status_code=status.HTTP_201_CREATED,
    response_model=ReservationOut,
    responses={409: {"model": NotAvailable, "description": "not available, with alternatives"}},
    summary="Book for a guest (partner key with bookings:write); recorded with the key's channel",
)
async def partner_booking(
    restaurant_id: uuid.UUID,
    data: ReservationCreate,
    request: Request,
    access: Annotated[PartnerAccess, PartnerOf(Scope.BOOKINGS_WRITE)],
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> ReservationOut | JSONResponse:
    if data.restaurant_id != restaurant_id:
        raise InvalidInput("restaurant_id differs from the path", field="restaurant_id")
    outcome = await place_booking(
        session,
        temporal,
        settings,
        data=data,
        source=access.channel,
        partner_id=access.key_id,
        # a partner's key never names another partner's booking
        idempotency_key=f"partner:{access.key_id}:{idempotency_key}" if idempotency_key else None,
        now=datetime.now(UTC),
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
    view = await queries.get_view(session, reservation_id=outcome.reservation_id)
    return reservation_out(view)
