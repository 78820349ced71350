"""The guest's waitlist page, where the links in waitlist messages lead (manage token).

An offer arrives by SMS or e-mail with a link; on a phone the guest opens it and
taps Accept or Decline. A GET only shows the entry and its offer: accepting,
declining and leaving are POSTs from buttons, because mail scanners and link
previews follow links. Plain HTML, like the reservation's manage page.
"""

from __future__ import annotations

import html
import uuid
from typing import Annotated, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep
from api.guest_html import page, post_button
from api.lifecycle import AnyUpdate, Arg
from api.problems import Problem
from api.temporal import TemporalDep
from api.waitlist_lifecycle import update_entry
from models.enums import WaitlistStatus
from models.schemas.waitlist import LeaveRequest, OfferAnswer, WaitlistState
from services.errors import NotFoundError
from services.manage_links import entry_in_waitlist_token
from services.restaurants import get_restaurant
from services.waitlist import entries
from workflows.waitlist import WaitlistWorkflow

router = APIRouter(prefix="/manage/waitlist", tags=["guest pages"], include_in_schema=False)
# the accept and decline links in offer messages (under the API's prefix, where the
# POST routes of the same paths act): a GET only shows the page with its buttons
links = APIRouter(tags=["guest pages"], include_in_schema=False)
W = WaitlistStatus
Token = Annotated[str | None, Form(max_length=2000)]


def _bound(entry_id: uuid.UUID, token: str | None, request: Request) -> bool:
    """Whether the token is the manage token of this entry."""
    secret = request.app.state.jwt_secret
    return token is not None and entry_in_waitlist_token(token, secret=secret) == entry_id


def _not_found() -> HTMLResponse:
    """A broken, forged or outdated link: the same page whatever the reason (no leak)."""
    return page(
        "Not found",
        "<h1>Waitlist entry not found</h1><p>This link is not valid (any more). Use the "
        "link in your latest message from the restaurant.</p>",
        status_code=404,
    )


@router.get("/{entry_id}", response_class=HTMLResponse)
async def entry_page(
    entry_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Query(max_length=2000)] = None,
    action: Literal["accept", "decline", "leave"] | None = None,
    notice: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    if not _bound(entry_id, token, request):
        return _not_found()
    assert token is not None
    try:
        entry = await entries.get_entry(session, entry_id=entry_id)
    except NotFoundError:
        return _not_found()
    out = await entries.entry_out(session, entry)
    restaurant = await get_restaurant(session, restaurant_id=entry.restaurant_id)
    zone = ZoneInfo(restaurant.timezone)
    window = ""
    if out.time_from is not None and out.time_to is not None:
        window = f", {out.time_from:%H:%M} to {out.time_to:%H:%M}"
    parts = [
        f"<h1>{html.escape(restaurant.name)}</h1>",
        f"<p>Waitlist for {out.party_size}, {out.date:%A %d %B %Y}{window}. "
        f"Status: {html.escape(out.status.value)}.</p>",
    ]
    if notice:
        parts.append(f"<p><i>{html.escape(notice)}</i></p>")
    base = f"/manage/waitlist/{entry_id}"
    if out.status is W.OFFERED and out.offer is not None:
        starts = out.offer.starts_at.astimezone(zone)
        until = out.offer.expires_at.astimezone(zone)
        tables = ", ".join(out.offer.table_numbers)
        parts.append(
            f"<p><b>A table is free for you at {starts:%H:%M}</b> (table {html.escape(tables)})."
            f" It is held for you until {until:%H:%M}.</p>"
        )
        first = "decline" if action == "decline" else "accept"
        labels = {"accept": "Yes, book this table", "decline": "No, thank you"}
        for act in (first, "decline" if first == "accept" else "accept"):
            parts.append(post_button(f"{base}/{act}", token, labels[act]))
    if out.status in {W.WAITING, W.OFFERED}:
        label = "Yes, take me off the list" if action == "leave" else "Leave the waitlist"
        parts.append(post_button(f"{base}/leave", token, label))
    if out.reservation_id is not None and out.status is W.ACCEPTED:
        parts.append("<p>Your table is booked: the confirmation is on its way.</p>")
    return page(f"Waitlist: {restaurant.name}", "\n".join(parts))


@links.get("/waitlist/{entry_id}/accept", response_class=HTMLResponse)
async def accept_link(
    entry_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Query(max_length=2000)] = None,
) -> HTMLResponse:
    return await entry_page(entry_id, request, session, token=token, action="accept")


@links.get("/waitlist/{entry_id}/decline", response_class=HTMLResponse)
async def decline_link(
    entry_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Query(max_length=2000)] = None,
) -> HTMLResponse:
    return await entry_page(entry_id, request, session, token=token, action="decline")


async def _act(
    entry_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    temporal: TemporalDep,
    token: str | None,
    update: AnyUpdate[Arg, WaitlistState],
    arg: Arg,
    done: str,
) -> RedirectResponse | HTMLResponse:
    if not _bound(entry_id, token, request):
        return _not_found()
    assert token is not None
    try:
        await update_entry(temporal, update, arg, session=session, entry_id=entry_id)
        notice = done
    except Problem as problem:
        notice = problem.detail
    target = f"/manage/waitlist/{entry_id}?" + urlencode({"token": token, "notice": notice})
    return RedirectResponse(target, status_code=303)


@router.post("/{entry_id}/accept", response_model=None)
async def accept_from_page(
    entry_id: uuid.UUID, request: Request, session: SessionDep, temporal: TemporalDep, token: Token
) -> RedirectResponse | HTMLResponse:
    answer = OfferAnswer(via="link")
    update = WaitlistWorkflow.accept
    return await _act(entry_id, request, session, temporal, token, update, answer, "Booked!")


@router.post("/{entry_id}/decline", response_model=None)
async def decline_from_page(
    entry_id: uuid.UUID, request: Request, session: SessionDep, temporal: TemporalDep, token: Token
) -> RedirectResponse | HTMLResponse:
    answer = OfferAnswer(via="link")
    update = WaitlistWorkflow.decline
    return await _act(entry_id, request, session, temporal, token, update, answer, "Declined.")


@router.post("/{entry_id}/leave", response_model=None)
async def leave_from_page(
    entry_id: uuid.UUID, request: Request, session: SessionDep, temporal: TemporalDep, token: Token
) -> RedirectResponse | HTMLResponse:
    leave = LeaveRequest(by="guest")
    update = WaitlistWorkflow.leave
    return await _act(entry_id, request, session, temporal, token, update, leave, "You left.")
