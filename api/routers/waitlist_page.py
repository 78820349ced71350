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
from api.guest_html import (
    browser_language,
    long_day,
    notice_html,
    page,
    party,
    post_button,
    short_time,
    status_html,
)
from api.lifecycle import AnyUpdate, Arg
from api.problems import Problem
from api.temporal import TemporalDep
from api.waitlist_lifecycle import update_entry
from messaging.catalog.waitlist_page import WAITLIST_PAGE_WORDS
from messaging.render import pick_language
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


def _not_found(request: Request) -> HTMLResponse:
    """A broken, forged or outdated link: the same page whatever the reason (no leak),
    in the browser's language."""
    lang = browser_language(request)
    words = WAITLIST_PAGE_WORDS[lang]
    title = words["not_found_title"]
    return page(
        title,
        f"<h1>{html.escape(title)}</h1><p>{html.escape(words['not_found_body'])}</p>",
        status_code=404,
        lang=lang,
    )


Done = Literal["accepted", "declined", "left"]


@router.get("/{entry_id}", response_class=HTMLResponse)
async def entry_page(
    entry_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Query(max_length=2000)] = None,
    action: Literal["accept", "decline", "leave"] | None = None,
    notice: Annotated[str | None, Query(max_length=200)] = None,
    done: Done | None = None,
) -> HTMLResponse:
    if not _bound(entry_id, token, request):
        return _not_found(request)
    assert token is not None
    try:
        entry = await entries.get_entry(session, entry_id=entry_id)
    except NotFoundError:
        return _not_found(request)
    out = await entries.entry_out(session, entry)
    restaurant = await get_restaurant(session, restaurant_id=entry.restaurant_id)
    zone = ZoneInfo(restaurant.timezone)
    lang = pick_language(entry.language)
    words = WAITLIST_PAGE_WORDS[lang]
    window = ""
    if out.time_from is not None and out.time_to is not None:
        window = words["window"].format(
            start=short_time(out.time_from, lang), end=short_time(out.time_to, lang)
        )
    line = words["entry"].format(
        party=party(out.party_size, lang), day=long_day(out.date, lang), window=window
    )
    status = status_html(words["status"], out.status.value, words["statuses"][out.status])
    parts = [
        f"<h1>{html.escape(restaurant.name)}</h1>",
        f"<p>{html.escape(line)} {status}</p>",
        *notice_html(words[done] if done else notice),
    ]
    base = f"/manage/waitlist/{entry_id}"
    if out.status is W.OFFERED and out.offer is not None:
        offer = words["offer"].format(
            time=short_time(out.offer.starts_at.astimezone(zone), lang),
            tables=", ".join(out.offer.table_numbers),
            until=short_time(out.offer.expires_at.astimezone(zone), lang),
        )
        parts.append(f"<p><b>{html.escape(offer)}</b></p>")
        first = "decline" if action == "decline" else "accept"
        labels = {"accept": words["accept"], "decline": words["decline"]}
        for act in (first, "decline" if first == "accept" else "accept"):
            parts.append(post_button(f"{base}/{act}", token, labels[act]))
    if out.status in {W.WAITING, W.OFFERED}:
        label = words["leave_yes"] if action == "leave" else words["leave"]
        parts.append(post_button(f"{base}/leave", token, label))
    if out.reservation_id is not None and out.status is W.ACCEPTED:
        parts.append(f"<p>{html.escape(words['booked'])}</p>")
    title = words["title"].format(restaurant=restaurant.name)
    return page(title, "\n".join(parts), lang=lang)


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
    done: Done,
) -> RedirectResponse | HTMLResponse:
    if not _bound(entry_id, token, request):
        return _not_found(request)
    assert token is not None
    try:
        await update_entry(temporal, update, arg, session=session, entry_id=entry_id)
        said: dict[str, str] = {"done": done}  # the page says it in the guest's language
    except Problem as problem:
        said = {"notice": problem.detail}
    target = f"/manage/waitlist/{entry_id}?" + urlencode({"token": token, **said})
    return RedirectResponse(target, status_code=303)


@router.post("/{entry_id}/accept", response_model=None)
async def accept_from_page(
    entry_id: uuid.UUID, request: Request, session: SessionDep, temporal: TemporalDep, token: Token
) -> RedirectResponse | HTMLResponse:
    answer = OfferAnswer(via="link")
    update = WaitlistWorkflow.accept
    return await _act(entry_id, request, session, temporal, token, update, answer, "accepted")


@router.post("/{entry_id}/decline", response_model=None)
async def decline_from_page(
    entry_id: uuid.UUID, request: Request, session: SessionDep, temporal: TemporalDep, token: Token
) -> RedirectResponse | HTMLResponse:
    answer = OfferAnswer(via="link")
    update = WaitlistWorkflow.decline
    return await _act(entry_id, request, session, temporal, token, update, answer, "declined")


@router.post("/{entry_id}/leave", response_model=None)
async def leave_from_page(
    entry_id: uuid.UUID, request: Request, session: SessionDep, temporal: TemporalDep, token: Token
) -> RedirectResponse | HTMLResponse:
    leave = LeaveRequest(by="guest")
    update = WaitlistWorkflow.leave
    return await _act(entry_id, request, session, temporal, token, update, leave, "left")
