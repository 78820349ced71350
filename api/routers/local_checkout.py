"""The local payment provider's checkout page (payment_provider=local only).

It stands in for Adyen's Drop-in during `reservations dev` and tests: Pay or
Decline sends an Adyen-format notification, HMAC-signed with the local keys,
through the same webhook route Adyen would call, over HTTP. A session is paid at
most once: a paid session's Pay and Decline only send the guest back, and concurrent
Pays all send the same notification (one pspReference per session), so the workflow
is told of one payment (DESIGN invariant 5).
"""

from __future__ import annotations

import base64
import html
import uuid
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep, SettingsDep
from api.problems import Conflict, NotFound, ServiceUnavailable
from messaging.render import format_money
from models.enums import DepositStatus, PaymentKind
from models.orm import Payment, Reservation, Restaurant
from payments.config import webhook_credentials
from payments.local import local_payment_psp_reference, local_psp_reference, local_stored_card_id
from payments.notifications import signed_notification
from reservations.settings import Environment
from rules.state_machine import TERMINAL_STATUSES
from services import payments
from services.guest_links import reservation_links

router = APIRouter(prefix="/payments/local/checkout", tags=["local payments"])
WEBHOOK_PATH = "/api/v1/reservations/webhooks/adyen"
# the booking widget asks to come back to its own screen after paying (Adyen's returnUrl)
WIDGET_PREFIX = "/book/"
ReturnTo = Annotated[
    str | None,
    Query(max_length=2000, description="a /book/... path of this site to return to after paying"),
]


def widget_return(return_to: str | None) -> str | None:
    """`return_to` when it is a path of the booking widget on this site, else None
    (never another site: the page must not become an open redirect)."""
    if return_to is None or not return_to.startswith(WIDGET_PREFIX):
        return None
    if "\\" in return_to or any(ord(c) < 0x21 for c in return_to):
        return None
    return return_to


async def _session_payment(
    session: SessionDep, settings: SettingsDep, session_id: str
) -> tuple[Payment, Reservation, Restaurant]:
    if settings.payment_provider != "local":
        raise NotFound("the local checkout is off: payments go through Adyen")
    if settings.environment is Environment.PRODUCTION:
        # a simulated payment must never confirm a real booking
        raise NotFound("the local checkout is for development only")
    found = await payments.by_provider_session(session, provider_session_id=session_id)
    if found is None:
        raise NotFound(f"checkout session {session_id} not found")
    return found


def _ended(reservation: Reservation) -> bool:
    """Whether the booking is over (expired, cancelled, ...): nothing is left to pay."""
    return reservation.status in TERMINAL_STATUSES


def _settled(reservation: Reservation) -> bool:
    """Whether the session was paid (or the card stored): nothing is left to pay."""
    return reservation.deposit_status is not DepositStatus.PENDING


@router.get("/{session_id}", response_class=HTMLResponse, summary="The local checkout page")
async def checkout_page(
    session_id: str, session: SessionDep, settings: SettingsDep, return_to: ReturnTo = None
) -> str:
    payment, reservation, restaurant = await _session_payment(session, settings, session_id)
    guarantee = payment.kind is PaymentKind.GUARANTEE
    language = reservation.language
    if _ended(reservation):
        what = f"This booking has ended ({reservation.status.value.replace('_', ' ')})"
    elif _settled(reservation):
        what = "Nothing to pay: this booking's " + (
            "card is stored" if guarantee else "deposit is settled"
        )
    elif guarantee:
        fee = format_money(reservation.no_show_fee_minor, reservation.currency, language=language)
        what = f"Store a card to guarantee the booking (up to {fee} if you do not come)"
    else:
        amount = format_money(payment.amount_minor, payment.currency, language=language)
        what = f"Pay a deposit of {amount}"
    payable = not _ended(reservation) and not _settled(reservation)
    sid = html.escape(session_id)
    back = widget_return(return_to)
    query = html.escape("?" + urlencode({"return_to": back})) if back else ""
    buttons = (
        f'<form method="post" action="{sid}/pay{query}"><button>Pay</button></form>\n'
        f'<form method="post" action="{sid}/decline{query}"><button>Decline</button></form>'
        if payable
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Local checkout</title></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 3rem auto">
<h1>{html.escape(restaurant.name)}</h1>
<p>Reservation {html.escape(reservation.reference)} for {reservation.party_size}.</p>
<p>{html.escape(what)}.</p>
<p><small>Simulated payment provider: no card is charged.</small></p>
{buttons}
</body></html>"""


@dataclass(frozen=True, slots=True)
class _Attempt:
    """What a payment attempt's notification says (read before the session is let go)."""

    session_id: str
    reference: str
    amount_minor: int
    currency: str
    guarantee: bool


async def _notify(
    request: Request, settings: SettingsDep, attempt: _Attempt, success: bool
) -> None:
    credentials = webhook_credentials(settings)
    extra: dict[str, str] = {}
    if success:
        # one pspReference per session: a second Pay repeats the first's event, which is
        # dropped as a redelivery, so the workflow sees one authorisation (never a second
        # payment to take and refund); each decline is an attempt of its own
        psp_reference = local_payment_psp_reference(attempt.session_id)
        if attempt.guarantee:
            extra = {"tokenization.storedPaymentMethodId": local_stored_card_id(attempt.session_id)}
    else:
        psp_reference = local_psp_reference(f"{attempt.session_id}:{uuid.uuid4().hex}")
    body = signed_notification(
        hmac_key_hex=credentials.hmac_key_hex,
        event_code="AUTHORISATION",
        success=success,
        psp_reference=psp_reference,
        merchant_reference=attempt.reference,
        merchant_account=credentials.merchant_account,
        amount_minor=attempt.amount_minor,
        currency=attempt.currency,
        reason=None if success else "Refused",
        additional_data=extra,
    )
    auth = base64.b64encode(f"{credentials.username}:{credentials.password}".encode()).decode()
    # through the app's own webhook route, with its checks, as Adyen would call it
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://local") as client:
        answer = await client.post(
            WEBHOOK_PATH, json=body, headers={"Authorization": f"Basic {auth}"}
        )
    if answer.status_code != 200:
        raise ServiceUnavailable(f"the webhook answered {answer.status_code}: {answer.text}")


async def _act(
    session_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    success: bool,
    return_to: str | None,
) -> RedirectResponse:
    payment, reservation, restaurant = await _session_payment(session, settings, session_id)
    if _ended(reservation):
        raise Conflict("this booking has ended: there is nothing to pay")
    links = reservation_links(
        base_url=settings.public_base_url,
        secret=request.app.state.jwt_secret,
        reservation_id=reservation.id,
        restaurant=restaurant,
    )
    # back to the guest's page, as Adyen returns the shopper to the returnUrl
    back = widget_return(return_to)
    target = settings.public_base_url.rstrip("/") + back if back else links.manage_url
    if _settled(reservation):
        # a double click or a stale page: the guest sees the result of the payment made
        return RedirectResponse(target, status_code=303)
    attempt = _Attempt(
        session_id=session_id,
        reference=reservation.reference,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        guarantee=payment.kind is PaymentKind.GUARANTEE,
    )
    await session.rollback()  # no transaction held while the webhook route writes
    await _notify(request, settings, attempt, success)
    return RedirectResponse(target, status_code=303)


@router.post(
    "/{session_id}/pay",
    summary="Simulate a successful payment",
    status_code=303,
    response_class=RedirectResponse,
    responses={303: {"description": "back to the guest's page (manage page or widget)"}},
)
async def pay(
    session_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    return_to: ReturnTo = None,
) -> RedirectResponse:
    return await _act(session_id, request, session, settings, True, return_to)


@router.post(
    "/{session_id}/decline",
    summary="Simulate a declined payment",
    status_code=303,
    response_class=RedirectResponse,
    responses={303: {"description": "back to the guest's page (manage page or widget)"}},
)
async def decline(
    session_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    return_to: ReturnTo = None,
) -> RedirectResponse:
    return await _act(session_id, request, session, settings, False, return_to)
