"""One way in for every new booking: the public API, staff and partner channels.

`place_booking` checks the restaurant and the time, keeps the guest and their
words in the database, and starts the reservation workflow with update-with-start
(`api.lifecycle.start_reservation`). Callers shape the answer: the public route a
201 or a 409, Google's booking server a Booking or a BookingFailure.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.lifecycle import BookingReplayed, policy_for, reservation_id_for, start_reservation
from api.problems import InvalidInput
from api.temporal import TemporalConnection
from models.enums import ConfirmationMode, ReservationSource
from models.orm import Reservation, Restaurant
from models.schemas.booking import BookingRequest, HoldOutcome
from models.schemas.lifecycle import CheckoutSessionOut, ReservationInput
from models.schemas.reservation import ReservationCreate
from reservations.batches import Batches
from reservations.cache import Cache
from reservations.settings import Settings
from rules.availability import UnavailableReason
from rules.state_machine import TERMINAL_STATUSES
from services.availability import (
    ALTERNATIVE_DAYS,
    alternative_slots,
    answer_time,
    cached_days,
    check_requested_time,
    day_answer_near,
    forget_cached_day,
    seating_area_named,
)
from services.availability.inputs import StaticInputs
from services.availability.memo import memo_for
from services.booking import keep_booking_notes
from services.crm.blocking import refuse_if_blocked
from services.crm.consent import record_booking_consent
from services.errors import InvalidError, NotFoundError
from services.guests import normalise_email, upsert_guest
from services.optimizer.booking_room import room_could_be_made
from services.turned_away import FULL_REASONS, TurnedAway, counts_as_demand, record_turned_away


def not_taking_reservations() -> InvalidInput:
    """The refusal when the restaurant takes no bookings at all."""
    return InvalidInput("this restaurant does not take reservations", field="restaurant_id")


def not_bookable_online() -> InvalidInput:
    """The refusal of a guest the restaurant blocked: the same shape as
    `not_taking_reservations`, and not a word about why (staff see it in the audit)."""
    return InvalidInput(
        "We can't take this booking online; please contact the restaurant.",
        field="restaurant_id",
    )


@dataclass(frozen=True, slots=True)
class Booked:
    """The booking exists (now or from an earlier request with the same key)."""

    reservation_id: uuid.UUID
    payment: CheckoutSessionOut | None
    replayed: bool


@dataclass(frozen=True, slots=True)
class Refused:
    """No table: the hold's reason and alternatives (None when the workflow gave none)."""

    reservation_id: uuid.UUID
    hold: HoldOutcome | None


class _Gate:
    """One restaurant-day's turns, and the verdict its waiters wake on."""

    def __init__(self, per_day: int) -> None:
        self.turns = asyncio.Semaphore(per_day)
        self.waiting = 0
        self.verdict: asyncio.Future[Any] = asyncio.get_running_loop().create_future()


class _Turn(enum.Enum):
    """How a request came out of the queue for a restaurant-day's turns."""

    AT_ONCE = "at once"  # nothing changed while it queued: its last check still holds
    AFTER_A_WAIT = "after a wait"  # others booked meanwhile: check again before booking
    NONE = "none"  # woken because another found the day full: check again


class _Turns:
    """At most `per_day` bookings of one restaurant-day at a time in this process.

    A request waiting for a turn also wakes when another finds the day full
    (`found_full`): it need not wait for a turn to be refused, only for a check that
    began after it woke.
    """

    def __init__(self, per_day: int) -> None:
        self.per_day = per_day
        self._gates: dict[tuple[uuid.UUID, date], _Gate] = {}

    @asynccontextmanager
    async def turn(self, key: tuple[uuid.UUID, date]) -> AsyncIterator[_Turn]:
        """A turn, at once or after a wait; or none, when woken by a "full" first."""
        gate = self._gates.get(key)
        if gate is None or gate.verdict.get_loop() is not asyncio.get_running_loop():
            gate = _Gate(self.per_day)  # none, or one left behind by an ended event loop
        self._gates[key] = gate
        gate.waiting += 1
        got = False
        try:
            if not gate.turns.locked():
                await gate.turns.acquire()  # a free turn: taken without suspending
                got = True
                yield _Turn.AT_ONCE
                return
            acquiring: asyncio.Future[bool] = asyncio.ensure_future(gate.turns.acquire())
            woken: asyncio.Future[Any] = gate.verdict
            try:
                await asyncio.wait({acquiring, woken}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                # done means acquired (acquire raises nothing else); a cancelled
                # acquire passes a turn it was just given on to the next waiter
                got = acquiring.done() and not acquiring.cancelled()
                if not acquiring.done():
                    acquiring.cancel()
            yield _Turn.AFTER_A_WAIT if got else _Turn.NONE
        finally:
            if got:
                gate.turns.release()
            gate.waiting -= 1
            if gate.waiting == 0 and self._gates.get(key) is gate:
                del self._gates[key]  # no one waits: no gate kept (nor its event loop)

    def found_full(self, key: tuple[uuid.UUID, date]) -> None:
        """Wake everyone waiting for a turn on this day: it was just found full."""
        gate = self._gates.get(key)
        if gate is not None:
            woken, gate.verdict = gate.verdict, asyncio.get_running_loop().create_future()
            woken.set_result(None)


# enough to keep the day's lock busy; the lock serialises the holds behind it anyway
_TURNS = _Turns(per_day=8)


@dataclass(frozen=True, slots=True)
class _Question:
    """What a full-check answers: one time, for one party, at one restaurant."""

    restaurant_id: uuid.UUID
    day: date
    at: time_of_day
    party_size: int
    seating_area: str | None
    make_room: bool


# one check per crowd: every request asking the same question joins the next check
# that has not begun, so each refusal rests on a read made after its request came
_Ask = tuple[datetime, uuid.UUID, ReservationSource]  # when, the request's id, its channel
_CHECKS: Batches[_Question, _Ask, HoldOutcome | None] = Batches()


async def surely_full(
    session: AsyncSession,
    cache: Cache,
    *,
    data: ReservationCreate,
    reservation_id: uuid.UUID,
    now: datetime,
    source: ReservationSource,
    make_room: bool = False,
) -> HoldOutcome | None:
    """The refusal the hold would give when the time has no table (or pacing room) left.

    With `make_room` (the hold may move unlocked parties to fit this one), "no table"
    is only final when every table is taken at that instant; otherwise the workflow
    gets its chance to make room.

    A cheap pre-check for the release rush: no workflow, no lock. Requests asking the
    same question at once share one check that began after each of them asked
    (`reservations.batches`), on a session of its own, so a crowd costs a check per
    wave rather than one per request, and none is refused on a read older than it.
    """
    question = _Question(
        restaurant_id=data.restaurant_id,
        day=data.date,
        at=data.time,
        party_size=data.party_size,
        seating_area=data.seating_preference or None,
        make_room=make_room,
    )
    bind = session.bind

    async def check(asks: list[_Ask]) -> list[HoldOutcome | None]:
        async with AsyncSession(bind) as own:
            return await _check(own, cache, question, asks)

    return await _CHECKS.ask(question, (now, reservation_id, source), check)


async def _check(
    session: AsyncSession,
    cache: Cache,
    question: _Question,
    asks: list[_Ask],
) -> list[HoldOutcome | None]:
    """The refusal for each ask (None: let the workflow decide), from one read.

    The cached answer decides fast that a time is free (then the workflow decides);
    a "full" from it is confirmed against the database before refusing, because the
    cache may lag a cancellation by its invalidation (or longer while Redis is
    unreachable). A reservation that already exists under an ask's id is a replay:
    the workflow answers it. A blocked guest asking for a full time is refused as
    full, like anyone. A refusal implies the restaurant is active and takes bookings
    (the database's answer has the slot), so the caller need not read the restaurant.
    """
    free: list[HoldOutcome | None] = [None] * len(asks)
    # judged at the latest ask's time: a hold that expired before any ask came is gone
    now = max(at for at, _, _ in asks)
    # the requested day from the cache where fresh; a day computed here is not stored,
    # because the booking that follows a "free" would outdate it at once
    try:
        requested = await cached_days(
            session,
            cache,
            restaurant_id=question.restaurant_id,
            days=[question.day],
            party_size=question.party_size,
            now=now,
            seating_area=question.seating_area,
            store=False,
        )
    except NotFoundError:
        return free  # unknown or inactive: the booking path says which
    # the slot starting at this very date and time: a time after midnight belongs to the
    # evening before, whose answer is not read here (the workflow's hold decides it)
    cached = answer_time(requested, local_time=question.at, on=question.day)
    if cached.slot is None or cached.reason not in FULL_REASONS:
        return free
    # full: the refusal's alternatives need the following days too, and a full day's
    # answer is worth storing (the crowd behind this request asks it again)
    try:
        days = await cached_days(
            session,
            cache,
            restaurant_id=question.restaurant_id,
            days=[question.day + timedelta(days=i) for i in range(ALTERNATIVE_DAYS + 1)],
            party_size=question.party_size,
            now=now,
            seating_area=question.seating_area,
        )
    except NotFoundError:
        return free
    ids = [reservation_id for _, reservation_id, _ in asks]
    replays = set(
        (await session.scalars(select(Reservation.id).where(Reservation.id.in_(ids)))).all()
    )
    if len(replays) == len(set(ids)):
        return free
    # the database's answer for the requested time and its same-day neighbours, as the
    # hold computes it (without waiting for the day's lock); the other days' "same
    # time" alternatives stay the cached ones: suggestions, which the workflow rechecks
    # if the guest books one, while the refusal itself rests on the database alone
    fresh = await day_answer_near(
        session,
        restaurant_id=question.restaurant_id,
        day=question.day,
        near=cached.slot.local_time,
        party_size=question.party_size,
        now=now,
        seating_area=question.seating_area,
    )
    if fresh is None:
        return free  # inactive: the booking path says so
    answer = answer_time([fresh, *days[1:]], local_time=question.at, on=question.day)
    if answer.slot is None or answer.reason not in FULL_REASONS:
        return free
    if (
        question.make_room
        and answer.reason == UnavailableReason.NO_TABLE_FITS.value
        and await room_could_be_made(
            session, restaurant_id=question.restaurant_id, at=answer.slot.start_utc, now=now
        )
    ):
        return free
    alternatives = alternative_slots(answer, without_requested=True)
    refused = [ask for ask in asks if ask[1] not in replays]
    # the crowd's refusals are demand the day could not serve: one statement for them all
    await record_turned_away(
        session,
        [
            TurnedAway(
                request_id=reservation_id,
                restaurant_id=question.restaurant_id,
                day=question.day,
                local_time=question.at,
                starts_at=answer.slot.start_utc,
                party_size=question.party_size,
                seating_area=question.seating_area,
                source=source,
                reason=answer.reason,
                asked_at=at,
            )
            for at, reservation_id, source in refused
            if counts_as_demand(answer.reason, source)
        ],
    )
    await session.commit()
    return [
        None
        if reservation_id in replays
        else HoldOutcome(
            held=False,
            reservation_id=reservation_id,
            reason=answer.reason,
            alternatives=alternatives,
        )
        for _, reservation_id, _ in asks
    ]


async def place_booking(
    session: AsyncSession,
    temporal: TemporalConnection,
    settings: Settings,
    *,
    data: ReservationCreate,
    source: ReservationSource,
    idempotency_key: str | None,
    now: datetime,
    reservation_id: uuid.UUID | None = None,
    partner_id: uuid.UUID | None = None,
    cache: Cache | None = None,
    same_request_per_key: bool = False,
) -> Booked | Refused:
    """Book through the reservation workflow; raises a Problem for input never bookable.

    With `same_request_per_key`, a request that reuses an Idempotency-Key with another
    body is refused (422 on the key) instead of answered with the key's first booking.

    Without `reservation_id` it is derived from the key, the restaurant and the
    guest's email, so a key names one booking of one guest at one restaurant.
    With `cache`, a time that is surely full is refused before any workflow starts
    (`surely_full`); the workflow stays the authority on every other answer.
    """
    digest = (
        request_digest(data, source=source, partner_id=partner_id)
        if same_request_per_key and idempotency_key
        else None
    )
    if data.seating_preference:
        data = await _known_seating_area(session, data)
    if cache is None:
        restaurant = await _taking_reservations(session, data.restaurant_id)
        return await _book(
            session, temporal, settings, restaurant=restaurant, data=data, source=source,
            idempotency_key=idempotency_key, now=now, reservation_id=reservation_id,
            partner_id=partner_id, digest=digest,
        )  # fmt: skip
    if reservation_id is None and idempotency_key:
        # the id the booking below derives: a replay of a booked key must reach it
        email = normalise_email(str(data.guest.email))
        reservation_id = reservation_id_for(idempotency_key, scope=f"{data.restaurant_id}:{email}")
    asked = reservation_id or uuid.uuid4()  # the refusal's id when none is derived
    make_room = settings.make_room_time_budget_ms > 0
    day = (data.restaurant_id, data.date)
    # the request's session holds no connection while it waits: the checks read on
    # their own, and the restaurant is read only by a request that goes on to book
    await session.rollback()
    asked_at = time.monotonic()
    full = await surely_full(
        session, cache, data=data, reservation_id=asked, now=now, source=source,
        make_room=make_room,
    )  # fmt: skip
    while full is None:
        # a few at a time per restaurant-day reach the workflow (they would queue on
        # its lock anyway); the others wait here, holding no connection, until a turn
        # or until someone finds the day full, and are then refused without a workflow
        async with _TURNS.turn(day) as turn:
            if turn is not _Turn.AT_ONCE:
                # others booked while this request waited, and holds may have expired:
                # judge again, at the time it is now
                full = await surely_full(
                    session, cache, data=data, reservation_id=asked,
                    now=now + timedelta(seconds=time.monotonic() - asked_at), source=source,
                    make_room=make_room,
                )  # fmt: skip
            if full is not None:
                _TURNS.found_full(day)
            elif turn is not _Turn.NONE:
                restaurant = await _taking_reservations(session, data.restaurant_id)
                # the slot grid from the process memo the check just used: no reads
                remembered = await memo_for(cache).static_inputs(session, cache, [restaurant.id])
                outcome = await _book(
                    session, temporal, settings, restaurant=restaurant, data=data,
                    source=source, idempotency_key=idempotency_key,
                    now=now + timedelta(seconds=time.monotonic() - asked_at),
                    reservation_id=reservation_id, partner_id=partner_id,
                    static=(remembered or {}).get(restaurant.id), digest=digest,
                )  # fmt: skip
                if (
                    isinstance(outcome, Refused)
                    and outcome.hold
                    and outcome.hold.reason in FULL_REASONS
                ):
                    # the cache said free and the hold said full: the winner's own
                    # invalidation may still be on its way, so the next turn must not
                    # trust the cache either
                    await forget_cached_day(cache, data.restaurant_id, data.date)
                return outcome
    return Refused(full.reservation_id, full)


async def _known_seating_area(session: AsyncSession, data: ReservationCreate) -> ReservationCreate:
    """The request with its seating preference as the restaurant names it; a Problem
    naming `seating_preference` when the restaurant has no such area (not "full")."""
    assert data.seating_preference
    try:
        area = await seating_area_named(
            session, restaurant_id=data.restaurant_id, name=data.seating_preference
        )
    except InvalidError as exc:
        await _taking_reservations(session, data.restaurant_id)  # an unknown restaurant: 404
        raise InvalidInput(exc.detail, field="seating_preference") from None
    return data.model_copy(update={"seating_preference": area})


def request_digest(
    data: ReservationCreate, *, source: ReservationSource, partner_id: uuid.UUID | None
) -> str:
    """A digest of what the caller asked for (32 hex digits), equal for equal requests.

    The email counts as the booking's key does: normalised, so a replay that only spells
    it differently is the same request.
    """
    request = data.model_dump(mode="json")
    request["guest"]["email"] = normalise_email(str(data.guest.email))
    asked: dict[str, Any] = {
        "request": request,
        "source": source.value,
        "partner_id": str(partner_id) if partner_id else None,
    }
    text = json.dumps(asked, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


async def _taking_reservations(session: AsyncSession, restaurant_id: uuid.UUID) -> Restaurant:
    """The restaurant, when it takes bookings at all (else a Problem).

    The row alone (one query): a booking needs none of its services or floor here.
    """
    restaurant = await session.get(Restaurant, restaurant_id)
    if restaurant is None:
        raise NotFoundError(f"restaurant {restaurant_id} not found")
    if not restaurant.is_active or not restaurant.accepts_reservations:
        raise not_taking_reservations()
    return restaurant


async def _book(
    session: AsyncSession,
    temporal: TemporalConnection,
    settings: Settings,
    *,
    restaurant: Restaurant,
    data: ReservationCreate,
    source: ReservationSource,
    idempotency_key: str | None,
    now: datetime,
    reservation_id: uuid.UUID | None,
    partner_id: uuid.UUID | None,
    static: StaticInputs | None = None,
    digest: str | None = None,
) -> Booked | Refused:
    """The booking through the workflow, for a restaurant that takes reservations.

    `static`: the restaurant's static inputs when the caller holds them current;
    `digest`: the request's digest (`request_digest`) when its key must mean one request.
    """
    await check_requested_time(
        session, restaurant_id=restaurant.id, day=data.date, local_time=data.time, now=now,
        restaurant=restaurant, static=static,
    )  # fmt: skip
    if data.seating_preference is not None:
        data = data.model_copy(update={"seating_preference": data.seating_preference or None})
    guest = await upsert_guest(session, data=data.guest)
    if await refuse_if_blocked(
        session,
        guest_id=guest.id,
        restaurant_id=restaurant.id,
        channel=source,
        requested={"date": data.date, "time": data.time, "party_size": data.party_size},
    ):
        await session.commit()  # the staff-only trail of the refusal stays
        raise not_bookable_online()
    await record_booking_consent(
        session,
        guest_id=guest.id,
        restaurant_id=restaurant.id,
        given=data.guest.marketing_consent,
        wording_version=data.guest.consent_wording_version,
        now=now,
    )
    if reservation_id is None:
        # replaying someone else's key with another email starts a booking of its own
        # instead of revealing theirs
        reservation_id = reservation_id_for(idempotency_key, scope=f"{restaurant.id}:{guest.email}")
    booking = BookingRequest(
        reservation_id=reservation_id,
        restaurant_id=restaurant.id,
        guest_id=guest.id,
        party_size=data.party_size,
        date=data.date,
        time=data.time,
        seating_area=data.seating_preference,
        source=source,
        partner_id=partner_id,
        special_requests=data.special_requests,
        occasion=data.occasion,
        dietary_requirements=data.dietary_requirements,
        language=data.guest.preferred_language,
        hold_minutes=settings.hold_minutes,
    )
    # the guest's words wait in the database; the workflow's input carries ids only
    booking = await keep_booking_notes(session, booking=booking)
    await session.commit()
    inp = ReservationInput(
        booking=booking,
        policy=policy_for(settings, manual=restaurant.confirmation_mode is ConfirmationMode.MANUAL),
        request_digest=digest,
    )
    try:
        state = await start_reservation(
            temporal,
            inp=inp,
            task_queue=settings.temporal_task_queue,
            idempotency_key=idempotency_key,
            memo={"guest_id": str(guest.id)},
        )
    except BookingReplayed:
        return Booked(reservation_id, payment=None, replayed=True)
    hold = state.hold
    if hold is not None and hold.invalid_field is not None:
        raise InvalidInput(hold.reason or "invalid booking", field=hold.invalid_field)
    if (
        state.refused
        or hold is None
        or not hold.held
        or (state.status is not None and state.status in TERMINAL_STATUSES)
    ):
        return Refused(reservation_id, hold)
    return Booked(reservation_id, payment=state.payment_session, replayed=False)
