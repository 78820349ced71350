"""TheFork: reservation events from the marketplace, in the JSON format documented here.

TheFork's B2B API is available to accepted partners only and its webhook bodies
are not public, so this adapter reads a format of our own, documented in
docs/partners/marketplaces-and-pos.md: one event per request, the booking's whole
state in every created and updated event (so events may arrive in any order), and
an HMAC-SHA256 signature over "<timestamp>.<raw body>".
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.enums import ReservationSource
from models.schemas.reservation import GuestIn, Language, ReservationCreate
from services.partners.marketplace import (
    EventKind,
    MalformedEvent,
    MarketplaceEvent,
    timestamped_hmac_ok,
)

TIMESTAMP_HEADER = "x-thefork-timestamp"
SIGNATURE_HEADER = "x-thefork-signature"

_KINDS: dict[str, EventKind] = {
    "RESERVATION_CREATED": "created",
    "RESERVATION_UPDATED": "updated",
    "RESERVATION_CANCELLED": "cancelled",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class TheForkCustomer(_Strict):
    firstName: Annotated[str, Field(min_length=1, max_length=120)]
    lastName: Annotated[str, Field(max_length=120)] | None = None
    email: Annotated[str, Field(max_length=254)]
    phone: Annotated[str, Field(max_length=20)] | None = None
    locale: Language = "en"


class TheForkReservation(_Strict):
    reservationId: Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[\w.:-]+$")]
    restaurantId: uuid.UUID = Field(strict=False)
    # the local wall clock of the start, as the restaurant's guests read it
    mealDate: dt.date | None = Field(default=None, strict=False)
    mealTime: dt.time | None = Field(default=None, strict=False)
    partySize: Annotated[int, Field(ge=1, le=100)] | None = None
    customer: TheForkCustomer | None = None
    customerNote: Annotated[str, Field(max_length=1000)] | None = None


class TheForkEvent(_Strict):
    eventId: Annotated[str, Field(min_length=1, max_length=150)]
    eventType: Literal["RESERVATION_CREATED", "RESERVATION_UPDATED", "RESERVATION_CANCELLED"]
    occurredAt: dt.datetime = Field(strict=False)
    reservation: TheForkReservation
    cancellationReason: Annotated[str, Field(max_length=1000)] | None = None


class TheForkAdapter:
    """TheFork's webhooks, behind `MarketplaceAdapter`."""

    name = "thefork"
    source = ReservationSource.THEFORK

    def verify(
        self, *, body: bytes, headers: Mapping[str, str], secret: str, now: dt.datetime
    ) -> None:
        timestamped_hmac_ok(
            body=body,
            timestamp=headers.get(TIMESTAMP_HEADER),
            signature=headers.get(SIGNATURE_HEADER),
            secret=secret,
            now=now,
        )

    def parse(self, body: bytes) -> TheForkEvent:
        try:
            return TheForkEvent.model_validate_json(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "body"
            raise MalformedEvent(f"{field}: {first['msg']}", field=field) from None

    def map(self, parsed: TheForkEvent) -> MarketplaceEvent:
        kind = _KINDS[parsed.eventType]
        r = parsed.reservation
        if parsed.occurredAt.tzinfo is None:
            raise MalformedEvent("occurredAt needs a UTC offset", field="occurredAt")
        booking = None
        if kind != "cancelled":
            missing = [
                name
                for name in ("mealDate", "mealTime", "partySize", "customer")
                if getattr(r, name) is None
            ]
            if missing:
                raise MalformedEvent(
                    f"a {parsed.eventType} event carries the whole booking: "
                    f"{', '.join(missing)} missing",
                    field=f"reservation.{missing[0]}",
                )
            assert r.customer is not None and r.mealDate and r.mealTime and r.partySize
            try:
                booking = ReservationCreate(
                    restaurant_id=r.restaurantId,
                    date=r.mealDate,
                    time=r.mealTime,
                    party_size=r.partySize,
                    guest=GuestIn(
                        email=r.customer.email,
                        first_name=r.customer.firstName,
                        last_name=r.customer.lastName,
                        phone=r.customer.phone,
                        preferred_language=r.customer.locale,
                    ),
                    special_requests=r.customerNote,
                )
            except ValidationError as exc:
                first = exc.errors()[0]
                field = "reservation." + ".".join(str(p) for p in first["loc"])
                raise MalformedEvent(f"{field}: {first['msg']}", field=field) from None
        return MarketplaceEvent(
            event_id=parsed.eventId,
            kind=kind,
            booking_id=r.reservationId,
            restaurant_id=r.restaurantId,
            occurred_at=parsed.occurredAt.astimezone(dt.UTC),
            booking=booking,
            reason=parsed.cancellationReason,
        )
