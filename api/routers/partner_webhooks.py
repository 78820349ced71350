"""Partner webhooks coming in (marketplaces, POS systems) and the staff routes behind them.

Marketplaces (`/webhooks/{marketplace}`, under the API prefix): a partner API key and an
HMAC-SHA256 signature over "<timestamp>.<body>" within five minutes; created and
updated events carry the whole booking and become a booking through the same
path as the public API (update-with-start) or a `modify`; cancelled events a
`cancel`. Each event id is handled once; a stale event (older than the last one
applied) changes nothing; a cancellation that comes first refuses the late create.

POS systems (`/webhooks/pos/{system}`): every verified event is kept
in `pos_events` before anything else, then a check opened on a mapped table
checks the reservation on it in, and a check closed completes it with the spend.
An event that matches nothing stays there as `unmatched` for staff: a 200.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import structlog
from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from api.booking_flow import Refused, place_booking
from api.deps import SessionDep, SettingsDep
from api.lifecycle import send_update
from api.problems import InvalidInput, NotFound, Problem, Unauthorized, problem_response
from api.temporal import TemporalDep
from models.orm import MarketplaceBooking, PartnerApiKey
from models.schemas.common import storable_text
from models.schemas.lifecycle import CancelRequest, CheckInRequest, CompleteRequest, ModifyRequest
from rules.state_machine import ReservationStatus
from services import inbound
from services import reservation_queries as queries
from services.partners import marketplace as market
from services.partners import pos, square
from services.partners.keys import partner_for_key
from services.partners.thefork import TheForkAdapter
from workflows.reservation import ReservationWorkflow

log = structlog.get_logger()
router = APIRouter(tags=["partners"])
S = ReservationStatus

# a webhook body is a few kilobytes; anything past this is refused unread
MAX_BODY_BYTES = 64 * 1024
PARTNER_KEY_HEADER = "x-partner-key"
ADAPTERS: dict[str, market.MarketplaceAdapter[Any]] = {"thefork": TheForkAdapter()}


class PayloadTooLarge(Problem):
    status = 413
    title = "Payload too large"


async def _body(request: Request) -> bytes:
    """The raw body (signatures are over these bytes), refused past MAX_BODY_BYTES."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body is larger than {MAX_BODY_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"the body is larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    _refuse_unstorable(body)
    return body


def _refuse_unstorable(body: bytes) -> None:
    """422 for JSON holding text no column can keep (NUL, control characters, surrogates).

    Event ids, table names and the payload itself are stored; PostgreSQL refuses
    such text. A body that is not JSON is left to the adapter's parser.
    """
    try:
        parsed = json.loads(body)
    except RecursionError:
        # no adapter could read it either; uncaught it would be a 500
        raise InvalidInput("the body is nested too deeply", field="body") from None
    except ValueError:
        return
    stack: list[Any] = [parsed]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            try:
                storable_text(value)
            except ValueError as exc:
                raise InvalidInput(str(exc), field="body") from None
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _refusal(
    request: Request, status: int, code: str, detail: str, alternatives: list[Any] | None = None
) -> JSONResponse:
    """A refusal the partner can show: a reason code, a sentence and alternative times."""
    return problem_response(
        status,
        "Booking refused" if status == 409 else "Unknown booking",
        detail,
        instance=request.url.path,
        code=code,
        reason=detail,
        alternatives=alternatives or [],
    )


def _accepted(
    status: str, *, reservation_id: uuid.UUID | None = None, **extra: Any
) -> dict[str, Any]:
    return {"status": status, "reservation_id": reservation_id, **extra}


# ---- marketplaces ------------------------------------------------------------------------


async def marketplace_webhook(
    adapter: market.MarketplaceAdapter[Any],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
    x_partner_key: str | None,
) -> Any:
    """Authenticate, parse and apply one marketplace event (routes below, one per adapter)."""
    body = await _body(request)
    now = datetime.now(UTC)
    partner = (
        await partner_for_key(session, clear_key=x_partner_key, now=now) if x_partner_key else None
    )
    credential = await market.credential_for(session, partner=partner) if partner else None
    if partner is None or credential is None or credential.marketplace != adapter.name:
        raise Unauthorized("an active partner key for this marketplace is required")
    try:
        adapter.verify(body=body, headers=request.headers, secret=credential.hmac_secret, now=now)
    except market.SignatureRefused as exc:
        raise Unauthorized(str(exc)) from None
    try:
        event = adapter.map(adapter.parse(body))
    except market.MalformedEvent as exc:
        raise InvalidInput(str(exc), field=exc.field) from None
    # a key bound to restaurants sends for those only; one bound to none is the
    # marketplace's own, for every restaurant (docs/partners/marketplaces-and-pos.md)
    if partner.restaurant_ids and event.restaurant_id not in partner.restaurant_ids:
        raise NotFound(f"restaurant {event.restaurant_id} not found")
    if event.occurred_at > now + market.SIGNATURE_TOLERANCE:
        # a time ahead of the clock would make every later real event look stale
        raise InvalidInput("occurredAt is in the future", field="occurredAt")
    # event ids are the sender's own: another key may use the same one for its event
    seen = f"{partner.id}:{event.event_id}"
    if await inbound.already_processed(session, provider=adapter.name, event_id=seen):
        return _accepted("duplicate")
    answer = await _apply(request, session, settings, temporal, adapter, event, partner)
    if not isinstance(answer, JSONResponse) or answer.status_code < 400:
        await inbound.mark_processed(
            session, provider=adapter.name, event_id=seen, payload=json.loads(body)
        )
        await session.commit()
    return answer


def _owns(row: MarketplaceBooking, partner: PartnerApiKey, event: market.MarketplaceEvent) -> bool:
    """The booking was made through this key, at the event's restaurant (rows from before
    keys were recorded on them answer to any key of the marketplace)."""
    same_key = row.partner_key_id is None or row.partner_key_id == partner.id
    return same_key and row.restaurant_id == event.restaurant_id


async def _apply(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
    adapter: market.MarketplaceAdapter[Any],
    event: market.MarketplaceEvent,
    partner: PartnerApiKey,
) -> dict[str, Any] | JSONResponse:
    name = adapter.name
    row = await market.booking_of(session, marketplace=name, booking_id=event.booking_id)
    if row is not None and not _owns(row, partner, event):
        # another key's booking (or one at another restaurant): not this caller's to touch
        if event.kind == "created":
            return _refusal(
                request, 409, "booking_id_taken", "this booking id is another booking's"
            )
        return _refusal(request, 404, "unknown_booking", f"no booking {event.booking_id}")
    if event.kind == "cancelled":
        if row is None:
            # remembered, so a creation that arrives after its cancellation is refused
            await market.claim_booking(
                session, event=event, marketplace=name, partner_key_id=partner.id, cancelled=True
            )
            await session.commit()
            return _refusal(request, 404, "unknown_booking", f"no booking {event.booking_id}")
        if row.cancelled or not row.booked:
            await market.mark_booking(
                session, row_id=row.id, occurred_at=event.occurred_at, cancelled=True
            )
            return _accepted("cancelled", reservation_id=row.reservation_id if row.booked else None)
        reservation_id = row.reservation_id
        row_id = row.id
        reservation = await market.reservation_of(session, row=row)
        if reservation is not None and reservation.status in {
            S.HELD,
            S.PENDING_CONFIRMATION,
            S.CONFIRMED,
        }:
            await send_update(
                temporal,
                ReservationWorkflow.cancel,
                CancelRequest(by="guest", reason=event.reason or f"cancelled on {name}"),
                session=session,
                reservation_id=reservation_id,
            )
        elif reservation is not None and reservation.status is S.SEATED:
            return _refusal(request, 409, "already_seated", "the party is already seated")
        await market.mark_booking(
            session, row_id=row_id, occurred_at=event.occurred_at, cancelled=True
        )
        return _accepted("cancelled", reservation_id=reservation_id)

    assert event.booking is not None
    if row is not None and row.cancelled:
        return _refusal(request, 409, "booking_cancelled", "this booking was cancelled before")
    # an event as old as the last one applied is not stale: a create and its first
    # update may carry the same second
    if row is not None and row.booked and event.occurred_at < row.last_event_at:
        return _accepted("stale", reservation_id=row.reservation_id)
    if row is None or not row.booked:
        row = row or await market.claim_booking(
            session, event=event, marketplace=name, partner_key_id=partner.id
        )
        row_id, attempt = row.id, row.attempts
        reservation_id = market.reservation_id_of(name, event.booking_id, attempt)
        outcome = await place_booking(
            session,
            temporal,
            settings,
            data=event.booking,
            source=adapter.source,
            idempotency_key=f"{name}:{event.booking_id}#{attempt}",
            now=datetime.now(UTC),
            reservation_id=reservation_id,
        )
        if isinstance(outcome, Refused):
            hold = outcome.hold
            await market.mark_booking(
                session, row_id=row_id, occurred_at=event.occurred_at, refused=True
            )
            await session.commit()
            return _refusal(
                request,
                409,
                "no_availability",
                (hold.reason if hold else None) or "no table at this time",
                [a.model_dump(mode="json") for a in hold.alternatives] if hold else [],
            )
        await market.mark_booking(
            session, row_id=row_id, occurred_at=event.occurred_at, booked=True
        )
        view = await queries.get_view(session, reservation_id=reservation_id)
        return _accepted(
            "booked", reservation_id=reservation_id, reference=view.reservation.reference
        )

    reservation = await market.reservation_of(session, row=row)
    assert reservation is not None
    wanted = event.booking
    changes: dict[str, Any] = {}
    if wanted.date != reservation.reservation_date:
        changes["date"] = wanted.date
    if wanted.time != reservation.reservation_time:
        changes["time"] = wanted.time
    if wanted.party_size != reservation.party_size:
        changes["party_size"] = wanted.party_size
    reservation_id, row_id = reservation.id, row.id
    if not changes:
        await market.mark_booking(session, row_id=row_id, occurred_at=event.occurred_at)
        return _accepted("unchanged", reservation_id=reservation_id)
    try:
        await send_update(
            temporal,
            ReservationWorkflow.modify,
            ModifyRequest(**changes),
            session=session,
            reservation_id=reservation_id,
        )
    except Problem as problem:
        if problem.status != 409:
            raise
        extra = problem.extra or {}
        return _refusal(
            request,
            409,
            "no_availability" if extra.get("alternatives") is not None else "cannot_modify",
            problem.detail,
            extra.get("alternatives"),
        )
    await market.mark_booking(session, row_id=row_id, occurred_at=event.occurred_at)
    return _accepted("modified", reservation_id=reservation_id)


def _marketplace_route(adapter: market.MarketplaceAdapter[Any]) -> None:
    async def webhook(
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        temporal: TemporalDep,
        x_partner_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> Any:
        return await marketplace_webhook(
            adapter, request, session, settings, temporal, x_partner_key
        )

    router.add_api_route(
        f"/webhooks/{adapter.name}",
        webhook,
        methods=["POST"],
        name=f"{adapter.name}_webhook",
        summary=f"{adapter.name}: a reservation event (partner key + HMAC over timestamp.body)",
        responses={409: {"description": "refused: a reason code and alternatives"}},
    )


for _adapter in ADAPTERS.values():
    _marketplace_route(_adapter)


# ---- POS systems -------------------------------------------------------------------------


@router.post(
    "/webhooks/pos/{system}",
    summary="A POS event: Square order webhooks, or the generic signed format",
)
async def pos_webhook(
    system: Literal["square", "generic"],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
) -> dict[str, Any]:
    body = await _body(request)
    now = datetime.now(UTC)
    try:
        if system == "square":
            event = await _square_event(request, session, settings, body)
        else:
            event = await _generic_event(request, session, body)
    except pos.PosRefused as exc:
        if exc.status == 401:
            raise Unauthorized(str(exc)) from None
        raise InvalidInput(str(exc), field=exc.field) from None
    row_id = await pos.record_event(session, event=event, now=now)
    if row_id is None:
        # a redelivery; acted on again only if the first delivery never got that far
        row_id = await pos.unsettled_event(
            session, system=event.system, restaurant_id=event.restaurant_id, event_id=event.event_id
        )
        if row_id is None:
            return {"status": "duplicate"}
    await session.commit()
    status, detail, table_id, reservation_id = await _act_on(session, temporal, event, now, row_id)
    await pos.settle_event(
        session,
        event_row_id=row_id,
        status=status,
        detail=detail,
        table_id=table_id,
        reservation_id=reservation_id,
    )
    await session.commit()
    return {"status": status, "detail": detail, "reservation_id": reservation_id}


async def _square_event(
    request: Request, session: SessionDep, settings: SettingsDep, body: bytes
) -> pos.PosCheckEvent:
    note = square.parse(body)
    connection = (
        await pos.connection_for(session, system="square", location_id=note.location_id)
        if note.location_id
        else None
    )
    if connection is None:
        raise pos.PosRefused("no restaurant is connected to this Square location")
    url = settings.public_base_url.rstrip("/") + request.url.path
    square.verify(
        body=body,
        signature=request.headers.get(square.SIGNATURE_HEADER),
        signature_key=connection.signing_secret,
        notification_url=url,
    )
    facts = None
    if square.kind_of(note) != "other" and note.order_id and settings.square_access_token:
        orders = square.SdkOrders(
            token=settings.square_access_token, base_url=settings.square_api_url
        )
        facts = await orders.facts(note.order_id)
    return square.check_event(note, restaurant_id=connection.restaurant_id, facts=facts)


async def _generic_event(request: Request, session: SessionDep, body: bytes) -> pos.PosCheckEvent:
    parsed = pos.parse_generic(body)
    connection = await pos.connection_for(
        session, system="generic", restaurant_id=parsed.restaurantId
    )
    if connection is None:
        raise pos.PosRefused("this restaurant has no generic POS connection")
    pos.verify_generic(
        body, request.headers.get(pos.GENERIC_SIGNATURE_HEADER), connection.signing_secret
    )
    return pos.generic_event(parsed, json.loads(body))


PosOutcome = tuple[
    Literal["recorded", "applied", "unmatched"], str | None, uuid.UUID | None, uuid.UUID | None
]


async def _act_on(
    session: SessionDep,
    temporal: TemporalDep,
    event: pos.PosCheckEvent,
    now: datetime,
    row_id: uuid.UUID,
) -> PosOutcome:
    """Check the party in or complete it; what cannot be matched is left for staff."""
    if event.restaurant_id is None or event.external_table_id is None:
        return "unmatched", "the event names no table", None, None
    table_id = await pos.table_for(
        session,
        restaurant_id=event.restaurant_id,
        system=event.system,
        external_table_id=event.external_table_id,
    )
    if table_id is None:
        return "unmatched", f"no table mapped to {event.external_table_id!r}", None, None
    if event.kind not in {"check_opened", "check_closed"}:
        return "recorded", f"table {event.table_status or 'changed'}", table_id, None
    wanted = (
        [S.CONFIRMED, S.PENDING_CONFIRMATION, S.SEATED]
        if event.kind == "check_opened"
        else [S.SEATED, S.CONFIRMED, S.PENDING_CONFIRMATION]
    )
    reservation = await pos.claimed_reservation(session, event_row_id=row_id)
    claimed = reservation is not None
    if reservation is None:
        reservation = await pos.reservation_on_table(
            session, table_id=table_id, statuses=wanted, now=now
        )
    if reservation is None:
        return "unmatched", "no active reservation on this table now", table_id, None
    reservation_id, status = reservation.id, reservation.status
    if not claimed:
        await pos.claim_event(
            session, event_row_id=row_id, table_id=table_id, reservation_id=reservation_id
        )
        await session.commit()
    elif event.kind == "check_closed" and status is S.COMPLETED:
        return "applied", "completed", table_id, reservation_id  # before a crash
    elif event.kind == "check_opened" and status in {S.SEATED, S.COMPLETED}:
        return "applied", "already seated", table_id, reservation_id
    try:
        if status is not S.SEATED:
            await send_update(
                temporal,
                ReservationWorkflow.check_in,
                CheckInRequest(),
                session=session,
                reservation_id=reservation_id,
            )
        if event.kind == "check_closed":
            await send_update(
                temporal,
                ReservationWorkflow.complete,
                CompleteRequest(spend_minor=event.spend_minor),
                session=session,
                reservation_id=reservation_id,
            )
    except Problem as problem:
        if problem.status >= 500:
            raise
        if claimed and await pos.reached(session, reservation_id, done=event.kind):
            # the first delivery's update got there first: this one has nothing left to do
            done = "completed" if event.kind == "check_closed" else "already seated"
            return "applied", done, table_id, reservation_id
        return "unmatched", f"the reservation refused: {problem.detail}", table_id, reservation_id
    if event.kind == "check_opened":
        done = "already seated" if status is S.SEATED else "checked in"
    else:
        done = "completed"
    return "applied", done, table_id, reservation_id
