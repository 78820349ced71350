"""SQLAlchemy 2 typed ORM. Importing this package registers every mapped class."""

from models.orm.base import Base
from models.orm.demand import TurnedAwayRequest
from models.orm.floor import FloorPlan, RestaurantTable, SeatingArea
from models.orm.guest import (
    DataExportRequest,
    Guest,
    GuestAudit,
    GuestNote,
    GuestRelationship,
    MarketingConsent,
    MarketingSubscriber,
    RestaurantGroup,
)
from models.orm.messaging import Notification, ThreadMessage
from models.orm.optimizer import OptimisationPlan
from models.orm.partner import GoogleBooking
from models.orm.partners import (
    MarketplaceBooking,
    MarketplaceCredential,
    PosConnection,
    PosEvent,
    PosTableMapping,
)
from models.orm.payment import AuditEntry, Payment, ProcessedWebhookEvent
from models.orm.reservation import BookingNotes, ReferenceCounter, Reservation, TableAllocation
from models.orm.restaurant import PartySizeOverride, Restaurant, ServicePeriod, SpecialDay
from models.orm.staff import PartnerApiKey, PartnerKeyRestaurant, StaffRestaurant, StaffUser
from models.orm.waitlist import WaitlistEntry
from models.orm.webhooks import (
    StaffNotice,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = [
    "AuditEntry",
    "Base",
    "BookingNotes",
    "DataExportRequest",
    "FloorPlan",
    "GoogleBooking",
    "Guest",
    "GuestAudit",
    "GuestNote",
    "GuestRelationship",
    "MarketingConsent",
    "MarketingSubscriber",
    "MarketplaceBooking",
    "MarketplaceCredential",
    "Notification",
    "OptimisationPlan",
    "PartnerApiKey",
    "PartnerKeyRestaurant",
    "PartySizeOverride",
    "Payment",
    "PosConnection",
    "PosEvent",
    "PosTableMapping",
    "ProcessedWebhookEvent",
    "ReferenceCounter",
    "Reservation",
    "Restaurant",
    "RestaurantGroup",
    "RestaurantTable",
    "SeatingArea",
    "ServicePeriod",
    "SpecialDay",
    "StaffNotice",
    "StaffRestaurant",
    "StaffUser",
    "TableAllocation",
    "ThreadMessage",
    "TurnedAwayRequest",
    "WaitlistEntry",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
