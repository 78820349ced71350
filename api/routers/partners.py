"""Routes for partner channels holding an API key (restaurant groups' marketplaces, POS).

Every route takes `PartnerOf(scope)`: key, scope, restaurant and rate are checked
before anything else runs.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CacheDep, SessionDep
from api.partner_auth import PartnerAccess, PartnerOf
from models.schemas.availability import AvailabilityOut, SlotOut
from models.schemas.common import ServiceDate
from services import availability as svc
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
