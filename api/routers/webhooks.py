"""Provider webhooks: Adyen payment notifications, Twilio delivery reports and SMS replies,
MailerLite unsubscribes.

Every call is authenticated before anything is recorded (Adyen: basic auth plus an
HMAC per item; Twilio: X-Twilio-Signature; MailerLite: its Signature header). A
payment event is handed to its reservation's workflow as a signal first (to
PaymentsAfterClose when that workflow has ended) and remembered after, so a Temporal
outage answers 503 and the provider delivers again: nothing is lost, and the
workflow drops repeats.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Header, Request
from fastapi.responses import PlainTextResponse, Response

from api.deps import SessionDep, SettingsDep
from api.lifecycle import send_signal
from api.payments_after_close import settle_after_close
from api.problems import Forbidden, InvalidInput, NotFound, Unauthorized
from api.temporal import TemporalDep
from api.waitlist_lifecycle import answer_offer_by_sms
from messaging.twilio_webhooks import (
    SIGNATURE_HEADER,
    parse_inbound_sms,
    parse_status_callback,
    validate_signature,
)
from models.schemas.lifecycle import PaymentEvent, SmsReply
from models.schemas.marketing import MailerLiteReceipt
from payments.config import webhook_credentials
from payments.notifications import (
    MalformedNotification,
    RefusedItem,
    check_basic_auth,
    parse_notification_items,
    verify_hmac,
)
from rules.sms_replies import classify_reply
from services import inbound
from services.crm.consent import withdraw_all_of_emails
from services.crm.mailerlite_events import (
    MalformedEvents,
    signature_matches,
    unsubscribed_emails,
)
from workflows.reservation import ReservationWorkflow

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
log = structlog.get_logger()


@router.post(
    "/adyen",
    response_class=PlainTextResponse,
    summary="Adyen standard webhook (basic auth + HMAC); answers [accepted]",
)
async def adyen_webhook(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
    authorization: Annotated[str | None, Header()] = None,
) -> str:
    credentials = webhook_credentials(settings)
    if not check_basic_auth(
        authorization, username=credentials.username, password=credentials.password
    ):
        raise Unauthorized("bad webhook credentials")
    try:
        items = parse_notification_items(await request.body())
    except MalformedNotification as exc:
        raise InvalidInput(str(exc), field="notificationItems") from None
    # every item must be genuine before any is acted on
    if not all(verify_hmac(item, credentials.hmac_key_hex) for item in items):
        raise Unauthorized("a notification item's HMAC signature does not match")
    for item in items:
        if isinstance(item, RefusedItem):
            # accepted so Adyen stops redelivering what can never be used; ops see why
            log.error("adyen notification item refused", reason=item.reason)
            continue
        if item.merchant_account != credentials.merchant_account:
            log.warning("adyen event for another merchant account", account=item.merchant_account)
            continue
        if await inbound.already_processed(session, provider="adyen", event_id=item.event_id):
            continue
        reservation = await inbound.reservation_for_payment(
            session,
            merchant_reference=item.merchant_reference,
            psp_reference=item.psp_reference,
            original_reference=item.original_reference,
        )
        if reservation is None:
            log.error("adyen event for no known reservation", event_id=item.event_id)
        else:
            event = PaymentEvent(
                event_id=item.event_id,
                event_code=item.event_code,
                success=item.success,
                psp_reference=item.psp_reference,
                original_reference=item.original_reference,
                amount_minor=item.amount_minor,
                currency=item.currency,
                reason=item.reason,
                stored_payment_method_id=item.stored_payment_method_id,
            )
            reservation_id = reservation.id
            await session.rollback()  # no transaction open while waiting for Temporal
            delivered = await send_signal(
                temporal, ReservationWorkflow.payment_event, event, reservation_id=reservation_id
            )
            if not delivered:
                # the reservation's workflow has ended: recorded, and a payment given back
                log.warning("adyen event for a closed reservation", event_id=item.event_id)
                await settle_after_close(
                    temporal,
                    task_queue=settings.temporal_task_queue,
                    reservation_id=reservation_id,
                    event=event,
                )
        await inbound.mark_processed(
            session, provider="adyen", event_id=item.event_id, payload=item.raw
        )
        await session.commit()
    return "[accepted]"


async def _twilio_params(
    request: Request, settings: SettingsDep, signature: str | None
) -> dict[str, str]:
    """The form fields of a Twilio webhook whose signature checks out (403 otherwise)."""
    if settings.sms_provider != "twilio" or not settings.twilio_auth_token:
        raise NotFound("SMS webhooks are not configured")
    form = await request.form()
    params = {key: str(value) for key, value in form.items()}
    # Twilio signs the URL it called: our public address, not the one behind a proxy
    url = settings.public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    if not validate_signature(
        auth_token=settings.twilio_auth_token, url=url, params=params, signature=signature
    ):
        raise Forbidden("the X-Twilio-Signature does not match")
    return params


@router.post("/twilio/status", status_code=204, summary="Twilio delivery report (signed)")
async def twilio_status(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    x_twilio_signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
) -> Response:
    params = await _twilio_params(request, settings, x_twilio_signature)
    try:
        report = parse_status_callback(params)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    known = await inbound.record_delivery(
        session,
        message_sid=report.message_sid,
        status=report.status,
        error_code=report.error_code,
        at=datetime.now(UTC),
    )
    if not known:
        log.info("delivery report kept until its message is recorded", sid=report.message_sid)
    await session.commit()
    return Response(status_code=204)


EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@router.post("/twilio/sms", summary="A guest's SMS reply (signed); answers empty TwiML")
async def twilio_sms(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
    x_twilio_signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
) -> Response:
    params = await _twilio_params(request, settings, x_twilio_signature)
    try:
        sms = parse_inbound_sms(params)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    kind = classify_reply(sms.body)
    now = datetime.now(UTC)
    twiml = Response(EMPTY_TWIML, media_type="text/xml")
    # one phone may belong to several guest records (a couple booking under two emails)
    guests = await inbound.record_sms_consent(session, phone=sms.from_number, reply=kind, now=now)
    if not guests:
        log.info("SMS from an unknown number", sid=sms.message_sid)
        return twiml
    guest_ids = [g.id for g in guests]
    await session.commit()  # a STOP or START stands whatever the reply is about
    # a YES or NO to an open waitlist offer answers the offer, not a booking
    if await answer_offer_by_sms(
        temporal, session=session, guest_ids=guest_ids, body=sms.body, now=now
    ):
        return twiml
    reservation = await inbound.reservation_for_reply(session, guest_ids=guest_ids, now=now)
    if reservation is None:
        await session.commit()
        return twiml
    await inbound.record_inbound_sms(
        session, reservation_id=reservation.id, message_sid=sms.message_sid, body=sms.body
    )
    reservation_id = reservation.id
    await session.commit()
    # every reply reaches the workflow (de-duplicated there by MessageSid); it acts on
    # confirm and cancel, the rest is for staff in the thread
    await send_signal(
        temporal,
        ReservationWorkflow.sms_reply,
        SmsReply(message_sid=sms.message_sid, kind=kind),
        reservation_id=reservation_id,
    )
    return twiml


@router.post(
    "/mailerlite",
    response_model=MailerLiteReceipt,
    summary="MailerLite webhook (signed): unsubscribes made at MailerLite withdraw consent",
)
async def mailerlite_webhook(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    signature: Annotated[str | None, Header(alias="Signature", max_length=200)] = None,
) -> MailerLiteReceipt:
    """Withdraw every consent of each guest MailerLite reports unsubscribed.

    MailerLite's unsubscribe covers its whole account, so every scope is withdrawn
    (`via` "mailerlite"); MailerLite already sends them nothing, and the restaurants'
    next syncs take them out of their groups. Other events are accepted and ignored;
    repeats change nothing.
    """
    secret = settings.mailerlite_webhook_secret
    if not secret:
        raise NotFound("the MailerLite webhook is not configured")
    body = await request.body()
    if not signature_matches(body, signature, secret=secret):
        raise Unauthorized("the MailerLite Signature does not match")
    try:
        emails = unsubscribed_emails(body)
    except MalformedEvents as exc:
        raise InvalidInput(str(exc), field="body") from None
    guest_ids = await withdraw_all_of_emails(
        session, emails=emails, via="mailerlite", now=datetime.now(UTC)
    )
    await session.commit()
    return MailerLiteReceipt(unsubscribed=len(emails), withdrawn_guests=len(guest_ids))
