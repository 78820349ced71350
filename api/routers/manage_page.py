"""The guest's manage page, where the links in messages lead (signed with the manage token).

A GET only shows the booking; cancelling or confirming is a POST from a button,
because mail scanners and link previews follow links. Deliberately plain HTML:
a restaurant's own site can call the same API routes with its own look.
"""

from __future__ import annotations

import html
import uuid
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep
from api.dropin import dropin_html
from api.guest_html import (
    browser_language,
    day_and_time,
    notice_html,
    page,
    party,
    post_button,
    status_html,
)
from api.lifecycle import Arg, Update, send_update
from api.problems import Problem
from api.temporal import TemporalDep
from messaging.catalog import CATALOGS
from messaging.catalog.manage_page import MANAGE_PAGE_WORDS
from messaging.render import pick_language
from models.enums import DepositStatus
from models.schemas.lifecycle import CancelRequest, GuestReconfirmRequest, ReservationState
from rules.state_machine import ReservationStatus
from services import reservation_queries as queries
from services.errors import NotFoundError
from services.guest_links import reservation_links, widget_manage_path
from services.manage_links import reservation_in_token
from services.payments import checkout_session_of
from services.restaurants import get_restaurant
from workflows.reservation import ReservationWorkflow

router = APIRouter(prefix="/manage", tags=["guest pages"], include_in_schema=False)
S = ReservationStatus


def _bound(reservation_id: uuid.UUID, token: str | None, request: Request) -> bool:
    """Whether the token is the manage token of this reservation."""
    secret = request.app.state.jwt_secret
    return token is not None and reservation_in_token(token, secret=secret) == reservation_id


def _widget_built(request: Request) -> bool:
    """Whether the booking widget is served (its build exists), so a link to it works."""
    dist: Path = request.app.state.settings.web_dist_dir
    return (dist / "book" / "index.html").is_file()


def _not_found(request: Request) -> HTMLResponse:
    """A broken, forged or outdated link: the same page whatever the reason (no leak),
    in the browser's language (no booking to take one from)."""
    lang = browser_language(request)
    words = MANAGE_PAGE_WORDS[lang]
    title = words["not_found_title"]
    return page(
        title,
        f"<h1>{html.escape(title)}</h1><p>{html.escape(words['not_found_body'])}</p>",
        status_code=404,
        lang=lang,
    )


@router.get("/{reservation_id}", response_class=HTMLResponse)
async def manage_page(
    reservation_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Query(max_length=2000)] = None,
    action: Literal["cancel", "confirm"] | None = None,
    notice: Annotated[str | None, Query(max_length=200)] = None,
    done: Literal["cancelled", "thanks"] | None = None,
    redirect_result: Annotated[str | None, Query(alias="redirectResult", max_length=20000)] = None,
) -> HTMLResponse:
    if token is None or not _bound(reservation_id, token, request):
        return _not_found(request)
    try:
        view = await queries.get_view(session, reservation_id=reservation_id)
    except NotFoundError:
        return _not_found(request)
    r = view.reservation
    restaurant = await get_restaurant(session, restaurant_id=r.restaurant_id)
    links = reservation_links(
        base_url=request.app.state.settings.public_base_url,
        secret=request.app.state.jwt_secret,
        reservation_id=r.id,
        restaurant=restaurant,
    )
    local = r.starts_at.astimezone(ZoneInfo(restaurant.timezone))
    lang = pick_language(r.language)
    words, links_say = MANAGE_PAGE_WORDS[lang], CATALOGS[lang].links
    booking = words["booking"].format(
        reference=f"<b>{html.escape(r.reference)}</b>",
        party=html.escape(party(r.party_size, lang)),
        when=html.escape(day_and_time(local, lang)),
    )
    status = status_html(words["status"], r.status.value, words["statuses"][r.status])
    parts = [
        f"<h1>{html.escape(restaurant.name)}</h1>",
        f"<p>{booking} {status}</p>",
        *notice_html(words[done] if done else notice),
    ]
    if r.status is S.HELD and r.deposit_status is DepositStatus.PENDING:
        checkout = await checkout_session_of(session, r.id)
        if checkout and checkout.checkout_url:
            pay = html.escape(links_say["pay"])
            parts.append(f'<p><a href="{html.escape(checkout.checkout_url)}">{pay}</a></p>')
        elif checkout:
            settings = request.app.state.settings
            parts.append(
                dropin_html(
                    checkout,
                    version=settings.adyen_web_version,
                    country_code=restaurant.country_code,
                    locale=r.language,
                    redirect_result=redirect_result,
                )
            )
    base = f"/manage/{r.id}"
    if r.status is S.CONFIRMED and r.guest_confirmed_at is None:
        label = words["confirm_yes"] if action == "confirm" else links_say["confirm"]
        parts.append(post_button(f"{base}/confirm", token, label))
    if r.status in {S.PENDING_CONFIRMATION, S.CONFIRMED} and _widget_built(request):
        # changing a booking needs the day's times: the booking widget shows them
        widget = html.escape(widget_manage_path(r.restaurant_id, r.id, token))
        change = html.escape(words["change"])
        parts.append(f'<p><a href="{widget}">{change}</a></p>')
    if r.status in {S.HELD, S.PENDING_CONFIRMATION, S.CONFIRMED}:
        label = words["cancel_yes"] if action == "cancel" else links_say["cancel"]
        parts.append(post_button(f"{base}/cancel", token, label))
    calendar = html.escape(links_say["calendar"])
    parts.append(f'<p><a href="{html.escape(links.calendar_url)}">{calendar}</a></p>')
    if links.map_url:
        where = html.escape(links_say["map"])
        parts.append(f'<p><a href="{html.escape(links.map_url)}">{where}</a></p>')
    return page(r.reference, "\n".join(parts), lang=lang)


async def _act(
    reservation_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    temporal: TemporalDep,
    token: str | None,
    update: Update[Arg, ReservationState],
    arg: Arg,
    done: Literal["cancelled", "thanks"],
) -> RedirectResponse | HTMLResponse:
    if token is None or not _bound(reservation_id, token, request):
        return _not_found(request)
    try:
        await send_update(temporal, update, arg, session=session, reservation_id=reservation_id)
        said: dict[str, str] = {"done": done}  # the page says it in the guest's language
    except Problem as problem:
        said = {"notice": problem.detail}
    target = f"/manage/{reservation_id}?" + urlencode({"token": token, **said})
    return RedirectResponse(target, status_code=303)


@router.post("/{reservation_id}/cancel", response_model=None)
async def cancel_from_page(
    reservation_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    temporal: TemporalDep,
    token: Annotated[str | None, Form(max_length=2000)] = None,
) -> RedirectResponse | HTMLResponse:
    request_ = CancelRequest(by="guest", reason="cancelled from the manage page")
    return await _act(
        reservation_id,
        request,
        session,
        temporal,
        token,
        ReservationWorkflow.cancel,
        request_,
        "cancelled",
    )


@router.post("/{reservation_id}/confirm", response_model=None)
async def confirm_from_page(
    reservation_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    temporal: TemporalDep,
    token: Annotated[str | None, Form(max_length=2000)] = None,
) -> RedirectResponse | HTMLResponse:
    return await _act(
        reservation_id,
        request,
        session,
        temporal,
        token,
        ReservationWorkflow.guest_reconfirm,
        GuestReconfirmRequest(via="link"),
        "thanks",
    )
