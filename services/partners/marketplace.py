"""One interface for every marketplace, and the database side of their bookings.

A marketplace is an adapter (`MarketplaceAdapter`): it checks the signature of a
webhook, parses the body into its own event and maps that event onto ours
(`MarketplaceEvent`). Everything after that (idempotency, order of events, the
booking path, refusals) is the same for all of them, so a third marketplace is
a new adapter file and one entry in `ADAPTERS`.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReservationSource
from models.orm import MarketplaceBooking, MarketplaceCredential, PartnerApiKey, Reservation
from models.schemas.reservation import ReservationCreate
from reservations.db import upsert_insert

# a signed request older (or further in the future) than this is refused as a replay
SIGNATURE_TOLERANCE = timedelta(minutes=5)
# a stable namespace: the same marketplace booking always names the same reservation
MARKETPLACE_NAMESPACE = uuid.UUID("3b8f0a52-6c1d-4e0f-a4a9-1d7c5e2f9b30")

EventKind = Literal["created", "updated", "cancelled"]
Parsed = TypeVar("Parsed")


class SignatureRefused(Exception):
    """The request is not signed by the partner's secret, or not recently enough."""


class MalformedEvent(Exception):
    """The body is not an event this marketplace sends (names the field when it can)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class MarketplaceEvent:
    """A marketplace event in our terms: which booking, what happened, and its snapshot."""

    event_id: str
    kind: EventKind
    booking_id: str
    restaurant_id: uuid.UUID
    occurred_at: datetime
    # the booking as the marketplace holds it now (created and updated events)
    booking: ReservationCreate | None = None
    reason: str | None = None


class MarketplaceAdapter(Protocol[Parsed]):
    """What one marketplace must provide; the route and the booking path do the rest."""

    name: str  # the key in ADAPTERS, marketplace_credentials.marketplace, webhook provider
    source: ReservationSource

    def verify(
        self, *, body: bytes, headers: Mapping[str, str], secret: str, now: datetime
    ) -> None:
        """Raise `SignatureRefused` unless the body is signed with `secret`, recently."""
        ...

    def parse(self, body: bytes) -> Parsed:
        """The marketplace's own event; `MalformedEvent` when the body is not one."""
        ...

    def map(self, parsed: Parsed) -> MarketplaceEvent:
        """The event in our terms; `MalformedEvent` when it cannot be booked as given."""
        ...


def timestamped_hmac_ok(
    *, body: bytes, timestamp: str | None, signature: str | None, secret: str, now: datetime
) -> None:
    """Check `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` within the tolerance."""
    if not timestamp or not signature:
        raise SignatureRefused("the timestamp and signature headers are required")
    try:
        sent = int(timestamp)
    except ValueError:
        raise SignatureRefused("the timestamp is not a number of seconds") from None
    # in whole seconds, as ints: a number of hundreds of digits overflows a float
    if abs(int(now.timestamp()) - sent) > SIGNATURE_TOLERANCE.total_seconds():
        raise SignatureRefused("the timestamp is outside the 5-minute tolerance")
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    given = signature.removeprefix("sha256=")
    # compared as bytes: compare_digest raises TypeError on a str holding non-ASCII (a
    # header's raw 0xE9 arrives as "é"); surrogatepass encodes any str at all
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass")):
        raise SignatureRefused("the signature does not match")


def sign(*, body: bytes, secret: str, timestamp: int) -> str:
    """The signature header value a partner sends (for its side, tests and the docs)."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def reservation_id_of(marketplace: str, booking_id: str, attempt: int) -> uuid.UUID:
    """The reservation a marketplace booking becomes (a new one after each refusal)."""
    suffix = "" if attempt == 0 else f"#{attempt}"
    return uuid.uuid5(MARKETPLACE_NAMESPACE, f"{marketplace}:{booking_id}{suffix}")


async def credential_for(
    session: AsyncSession, *, partner: PartnerApiKey
) -> MarketplaceCredential | None:
    """The marketplace and HMAC secret of a partner key, if it has them."""
    return await session.scalar(
        select(MarketplaceCredential).where(MarketplaceCredential.partner_key_id == partner.id)
    )


async def set_credential(
    session: AsyncSession, *, partner_key_id: uuid.UUID, marketplace: str, hmac_secret: str
) -> MarketplaceCredential:
    """Give a partner key its marketplace and HMAC secret (replacing any earlier secret)."""
    found = await session.scalar(
        select(MarketplaceCredential).where(MarketplaceCredential.partner_key_id == partner_key_id)
    )
    if found is None:
        found = MarketplaceCredential(partner_key_id=partner_key_id)
        session.add(found)
    found.marketplace = marketplace
    found.hmac_secret = hmac_secret
    await session.flush()
    return found


async def booking_of(
    session: AsyncSession, *, marketplace: str, booking_id: str
) -> MarketplaceBooking | None:
    """What we know of a marketplace booking (None: never seen)."""
    return await session.scalar(
        select(MarketplaceBooking).where(
            MarketplaceBooking.marketplace == marketplace,
            MarketplaceBooking.booking_id == booking_id,
        )
    )


async def claim_booking(
    session: AsyncSession,
    *,
    event: MarketplaceEvent,
    marketplace: str,
    partner_key_id: uuid.UUID | None,
    cancelled: bool = False,
) -> MarketplaceBooking:
    """The booking's row, inserted at its first event (a concurrent insert is a no-op)."""
    await session.execute(
        upsert_insert(session)(MarketplaceBooking)
        .values(
            id=uuid.uuid4(),
            marketplace=marketplace,
            booking_id=event.booking_id,
            restaurant_id=event.restaurant_id,
            reservation_id=reservation_id_of(marketplace, event.booking_id, 0),
            partner_key_id=partner_key_id,
            attempts=0,
            booked=False,
            cancelled=cancelled,
            last_event_at=event.occurred_at,
        )
        .on_conflict_do_nothing(index_elements=["marketplace", "booking_id"])
    )
    row = await booking_of(session, marketplace=marketplace, booking_id=event.booking_id)
    assert row is not None
    return row


async def mark_booking(
    session: AsyncSession,
    *,
    row_id: uuid.UUID,
    occurred_at: datetime,
    booked: bool | None = None,
    cancelled: bool | None = None,
    refused: bool = False,
) -> None:
    """Remember what an event did to the booking (the latest event time only moves on)."""
    values: dict[str, object] = {}
    if booked is not None:
        values["booked"] = booked
    if cancelled is not None:
        values["cancelled"] = cancelled
    if refused:
        values["attempts"] = MarketplaceBooking.attempts + 1
    row = await session.get(MarketplaceBooking, row_id)
    assert row is not None
    if occurred_at > row.last_event_at:
        values["last_event_at"] = occurred_at
    if values:
        await session.execute(
            update(MarketplaceBooking).where(MarketplaceBooking.id == row_id).values(**values)
        )
        if refused:
            attempts = row.attempts + 1
            await session.execute(
                update(MarketplaceBooking)
                .where(MarketplaceBooking.id == row_id)
                .values(reservation_id=reservation_id_of(row.marketplace, row.booking_id, attempts))
            )
    await session.flush()


async def reservation_of(session: AsyncSession, *, row: MarketplaceBooking) -> Reservation | None:
    """Our reservation for a marketplace booking, when it was booked."""
    return await session.get(Reservation, row.reservation_id) if row.booked else None
