"""Domain vocabularies shared by the ORM, the API and the workflows (stdlib only)."""

from enum import StrEnum

from rules.state_machine import ReservationStatus

__all__ = [
    "AllocationStatus",
    "ConfirmationMode",
    "DepositStatus",
    "NotificationChannel",
    "NotificationStatus",
    "ReservationSource",
    "ReservationStatus",
    "SpecialDayKind",
    "StaffRole",
    "TableType",
    "WaitlistStatus",
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


class DepositStatus(StrEnum):
    NOT_REQUIRED = "not_required"
    PENDING = "pending"
    PAID = "paid"
    REFUNDED = "refunded"
    FORFEITED = "forfeited"


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
