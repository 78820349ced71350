"""SQLAlchemy 2 typed ORM. Importing this package registers every mapped class."""

from models.orm.base import Base
from models.orm.floor import FloorPlan, RestaurantTable, SeatingArea
from models.orm.guest import Guest, GuestNote
from models.orm.messaging import Notification, ThreadMessage
from models.orm.partner import GoogleBooking
from models.orm.payment import AuditEntry, Payment, ProcessedWebhookEvent
from models.orm.reservation import BookingNotes, ReferenceCounter, Reservation, TableAllocation
from models.orm.restaurant import PartySizeOverride, Restaurant, ServicePeriod, SpecialDay
from models.orm.staff import PartnerApiKey, PartnerKeyRestaurant, StaffRestaurant, StaffUser
from models.orm.waitlist import WaitlistEntry

__all__ = [
    "AuditEntry",
    "Base",
    "BookingNotes",
    "FloorPlan",
    "GoogleBooking",
    "Guest",
    "GuestNote",
    "Notification",
    "PartnerApiKey",
    "PartnerKeyRestaurant",
    "PartySizeOverride",
    "Payment",
    "ProcessedWebhookEvent",
    "ReferenceCounter",
    "Reservation",
    "Restaurant",
    "RestaurantTable",
    "SeatingArea",
    "ServicePeriod",
    "SpecialDay",
    "StaffRestaurant",
    "StaffUser",
    "TableAllocation",
    "ThreadMessage",
    "WaitlistEntry",
]
