"""Google's booking server v3 messages (ext.maps.booking.partner.v3) as JSON.

Field names are proto names (snake_case) and their lowerCamelCase JSON form is
accepted too; int64 fields arrive as numbers or as strings of digits. Unknown fields
are ignored, as proto3 readers do, so Google can add fields without breaking us.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel


def _int64(value: Any) -> Any:
    # a boolean is not a number, whatever Python thinks
    if isinstance(value, bool):
        raise ValueError("expected an integer")
    if isinstance(value, str):
        if not value.strip().lstrip("-").isdigit():
            raise ValueError("expected an integer")
        return int(value)
    return value


Int64 = Annotated[int, BeforeValidator(_int64), Field(ge=0, le=2**62)]
# a slot's start: seconds since the epoch up to the end of the API's last day (2199-12-31),
# so every start has a local date and time in every zone
StartSec = Annotated[int, BeforeValidator(_int64), Field(ge=0, le=7_258_118_399)]
PartySize = Annotated[int, BeforeValidator(_int64), Field(ge=1, le=1000)]
Text = Annotated[str, Field(max_length=500)]


class GoogleModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class ResourceIds(GoogleModel):
    staff_id: Text | None = None
    room_id: Text | None = None
    party_size: PartySize | None = None


class SlotTime(GoogleModel):
    service_id: Text = ""
    start_sec: StartSec
    duration_sec: Int64 | None = None
    availability_tag: Text | None = None
    resource_ids: ResourceIds | None = None
    confirmation_mode: Text | None = None


class BatchAvailabilityLookupRequest(GoogleModel):
    merchant_id: Text
    slot_time: Annotated[list[SlotTime], Field(max_length=2000)] = Field(default_factory=list)


class SlotTimeAvailability(GoogleModel):
    slot_time: SlotTime
    available: bool


class Slot(GoogleModel):
    merchant_id: Text
    service_id: Text = ""
    start_sec: StartSec
    duration_sec: Int64 | None = None
    availability_tag: Text | None = None
    resources: ResourceIds | None = None
    confirmation_mode: Text | None = None


class UserInformation(GoogleModel):
    user_id: Text | None = None
    given_name: Text | None = None
    family_name: Text | None = None
    telephone: Text | None = None
    email: Text | None = None
    language_code: Text | None = None


class CreateBookingRequest(GoogleModel):
    slot: Slot
    user_information: UserInformation
    idempotency_token: Annotated[str, Field(min_length=1, max_length=200)]
    additional_request: Annotated[str, Field(max_length=1000)] | None = None


BookingStatus = Literal[
    "BOOKING_STATUS_UNSPECIFIED",
    "CONFIRMED",
    "PENDING_MERCHANT_CONFIRMATION",
    "PENDING_CLIENT_CONFIRMATION",
    "CANCELED",
    "NO_SHOW",
    "NO_SHOW_PENALIZED",
    "FAILED",
    "DECLINED_BY_MERCHANT",
]

FailureCause = Literal[
    "CAUSE_UNSPECIFIED",
    "SLOT_UNAVAILABLE",
    "SLOT_ALREADY_BOOKED_BY_USER",
    "LEASE_EXPIRED",
    "OUTSIDE_CANCELLATION_WINDOW",
    "PAYMENT_OPTION_NOT_VALID",
    "PAYMENT_ERROR",
    "BOOKING_ALREADY_CANCELLED",
    "BOOKING_NOT_CANCELLABLE",
    "OVERLAPPING_RESERVATION",
    "USER_OVER_BOOKING_LIMIT",
]


class Booking(GoogleModel):
    booking_id: str
    slot: Slot
    user_information: UserInformation | None = None
    status: BookingStatus
    payment_information: dict[str, Any] | None = None


class BookingUpdate(GoogleModel):
    """The booking as UpdateBooking sends it: the id, and the fields that change."""

    booking_id: Annotated[str, Field(min_length=1, max_length=100)]
    slot: Slot | None = None
    status: BookingStatus | None = None


class UpdateBookingRequest(GoogleModel):
    update_mask: Annotated[str, Field(max_length=500)] | None = None
    booking: BookingUpdate


class BookingFailure(GoogleModel):
    cause: FailureCause
    description: str | None = None


class BookingResponse(GoogleModel):
    """CreateBookingResponse and UpdateBookingResponse: a booking, or why not."""

    booking: Booking | None = None
    booking_failure: BookingFailure | None = None


class GetBookingStatusRequest(GoogleModel):
    booking_id: Annotated[str, Field(min_length=1, max_length=100)]


class GetBookingStatusResponse(GoogleModel):
    booking_id: str
    booking_status: BookingStatus
    prepayment_status: str = "PREPAYMENT_NOT_PROVIDED"


class ListBookingsRequest(GoogleModel):
    user_id: Annotated[str, Field(min_length=1, max_length=200)]


class ListBookingsResponse(GoogleModel):
    bookings: list[Booking]


class GoogleNotice(BaseModel):
    """A Google-made booking changed on our side: tell Google (workflow and activity input).

    Ids and the kind of change only; the activity reads the booking as it is when sent.
    """

    reservation_id: str
    change: Literal["status", "slot"]
    change_key: str  # what makes this change distinct (its action and instant, or a count)
