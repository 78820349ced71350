"""Domain vocabularies shared by the ORM, the API and the workflows (stdlib only)."""

from enum import StrEnum

from rules.payment_policy import PaymentMode
from rules.state_machine import ReservationStatus

__all__ = [
    "AllocationStatus",
    "ConfirmationMode",
    "DepositStatus",
    "MessageDirection",
    "NotificationChannel",
    "NotificationStatus",
    "PaymentKind",
    "PaymentMode",
    "PaymentState",
    "ReservationSource",
    "ReservationStatus",
    "SpecialDayKind",
    "StaffRole",
    "TableType",
    "WaitlistStatus",
    "WebhookDeliveryStatus",
    "WebhookEventType",
]


class ConfirmationMode(StrEnum):
    INSTANT = "instant"
    MANUAL = "manual"


class StaffRole(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    HOST = "host"


class TableType(StrEnum):
    STANDARD = "standard"
    BOOTH = "booth"
    BAR = "bar"
    HIGH_TOP = "high_top"
    OUTDOOR = "outdoor"
    PRIVATE = "private"


class TableLiveStatus(StrEnum):
    """What a host (or the end of a meal) says about a table on the live floor.

    Free clears the mark; cleaning and blocked are shown until cleared. None of them
    changes availability (``is_active`` and ``online_bookable`` do that).
    """

    FREE = "free"
    CLEANING = "cleaning"
    BLOCKED = "blocked"


class SpecialDayKind(StrEnum):
    CLOSED = "closed"
    PRIVATE_EVENT = "private_event"
    CUSTOM_HOURS = "custom_hours"
    WEATHER = "weather"


class AllocationStatus(StrEnum):
    HELD = "held"
    BOOKED = "booked"
    RELEASED = "released"


class ReservationSource(StrEnum):
    ONLINE = "online"
    PHONE = "phone"
    WALK_IN = "walk_in"
    PARTNER = "partner"
    STAFF = "staff"
    # partner channels by name (a marketplace without its own value books as "partner")
    GOOGLE = "google"
    THEFORK = "thefork"
    POS = "pos"
    # a table offered to a waitlist entry (held while the guest decides)
    WAITLIST = "waitlist"


class DepositStatus(StrEnum):
    """Where the booking's money stands (a deposit, or a guarantee's stored card)."""

    NOT_REQUIRED = "not_required"
    PENDING = "pending"  # waiting for the guest to pay or store a card
    PAID = "paid"  # deposit captured
    GUARANTEED = "guaranteed"  # card stored, nothing charged
    REFUND_PENDING = "refund_pending"  # refund asked of the provider, not yet confirmed
    REFUNDED = "refunded"
    FORFEITED = "forfeited"  # deposit kept after a late cancellation or no-show
    RELEASED = "released"  # guarantee ended without a charge
    CHARGED = "charged"  # guarantee's no-show or late-cancellation fee charged


class PaymentKind(StrEnum):
    """One money movement recorded in `payments`."""

    DEPOSIT = "deposit"
    GUARANTEE = "guarantee"
    REFUND = "refund"
    FEE = "fee"


class PaymentState(StrEnum):
    PENDING = "pending"  # asked of the provider, outcome not known yet
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class MessageDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class WaitlistStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    SEATED = "seated"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class NotificationChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class NotificationStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookEventType(StrEnum):
    """What a webhook subscription can ask to be told about."""

    RESERVATION_CREATED = "reservation.created"
    RESERVATION_CONFIRMED = "reservation.confirmed"
    RESERVATION_MODIFIED = "reservation.modified"
    RESERVATION_CANCELLED = "reservation.cancelled"
    RESERVATION_SEATED = "reservation.seated"
    RESERVATION_COMPLETED = "reservation.completed"
    RESERVATION_NO_SHOW = "reservation.no_show"
    # reserved for the waitlist (emitted once it lands)
    WAITLIST_OFFERED = "waitlist.offered"
    WAITLIST_OFFER_ACCEPTED = "waitlist.offer_accepted"
    WAITLIST_OFFER_EXPIRED = "waitlist.offer_expired"
    AVAILABILITY_CHANGED = "availability.changed"


class WebhookDeliveryStatus(StrEnum):
    PENDING = "pending"  # being tried (or waiting for its next retry)
    DELIVERED = "delivered"  # the subscriber answered 2xx
    FAILED = "failed"  # refused for good (4xx) or retries exhausted
    SKIPPED = "skipped"  # the subscription was disabled or deleted first


class GuestNoteType(StrEnum):
    """What a staff note about a guest is about."""

    PREFERENCE = "preference"
    ALLERGY = "allergy"
    INCIDENT = "incident"
    VIP = "vip"
    GENERAL = "general"


class ConsentSource(StrEnum):
    """Where a guest's marketing consent was given."""

    BOOKING_FORM = "booking_form"
    STAFF = "staff"
    IMPORT = "import"
