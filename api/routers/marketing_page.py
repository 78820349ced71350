"""The withdrawal page the link in every marketing-enabled message leads to.

GET only shows a button: mail scanners and link previews follow links, and must not
unsubscribe anyone. The POST withdraws; it also serves RFC 8058 one-click requests
(`List-Unsubscribe=One-Click` posted to the same URL). Withdrawing twice is fine.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep, SettingsDep
from api.guest_html import page
from api.marketing_sync import propagate_withdrawal
from api.problems import NotFound
from api.temporal import TemporalDep
from services.crm import consent as svc
from services.crm.unsubscribe_links import PAGE_PATH, consent_in_token

router = APIRouter(tags=["guest pages"], include_in_schema=False)
Token = Annotated[str, Query(min_length=1, max_length=2000)]


@router.get(PAGE_PATH, response_class=HTMLResponse)
async def unsubscribe_page(request: Request, session: SessionDep, token: Token) -> HTMLResponse:
    found = consent_in_token(token, secret=request.app.state.jwt_secret)
    if found is None:
        raise NotFound("this unsubscribe link is not valid", field="token")
    _, scope = found
    name = await svc.scope_name(session, scope=scope) or "this restaurant"
    action = f"{PAGE_PATH}?token={html.escape(token)}"
    return page(
        "Unsubscribe",
        f"<h1>Unsubscribe</h1><p>Stop receiving news and offers from {html.escape(name)}?"
        " Messages about your bookings will still reach you.</p>"
        f'<form method="post" action="{action}"><button>Unsubscribe</button></form>',
    )


@router.post(PAGE_PATH, response_class=HTMLResponse)
async def unsubscribe(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
    token: Token,
    one_click: Annotated[str | None, Form(alias="List-Unsubscribe", max_length=20)] = None,
) -> HTMLResponse:
    found = consent_in_token(token, secret=request.app.state.jwt_secret)
    if found is None:
        raise NotFound("this unsubscribe link is not valid", field="token")
    guest_id, scope = found
    withdrawn = await svc.withdraw(
        session, guest_id=guest_id, scope=scope, via="link", now=datetime.now(UTC)
    )
    restaurants = await svc.restaurants_in_scope(session, scope=scope)
    name = await svc.scope_name(session, scope=scope) or "this restaurant"
    await session.commit()
    if withdrawn:
        await propagate_withdrawal(temporal, settings, restaurant_ids=restaurants)
    return page(
        "Unsubscribed",
        f"<h1>You are unsubscribed</h1><p>You will receive no more news or offers from "
        f"{html.escape(name)}.</p>",
    )
