"""GDPR routes: a guest's export and erasure links, and staff-initiated erasure.

The public request routes answer 202 with the same body whether or not the
address belongs to a guest, so they cannot be used to learn who is a guest.
Links are single use: used twice or expired is 410, unknown is 404.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

import structlog
from fastapi import APIRouter, Path, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from api.auth import has_role
from api.deps import CountersDep, CurrentStaff, SessionDep, SettingsDep, require_role
from api.lifecycle import rpc_problem
from api.problems import NotFound, Problem
from api.temporal import TemporalConnection, TemporalDep
from models.enums import StaffRole
from models.orm import Guest, GuestAudit, GuestRelationship, StaffUser
from models.schemas.privacy import (
    ErasureInput,
    ErasureStarted,
    PrivacyRequestAccepted,
    PrivacyRequestIn,
)
from reservations.cache import Cache
from reservations.settings import Settings
from services.crm.privacy_export import export_document, request_link
from services.crm.privacy_links import LinkGone, Purpose, usable_link, use_link
from services.crm.visibility import sharing_circle
from services.errors import NotFoundError
from workflows.guest_erasure import GuestErasureWorkflow, erasure_workflow_id
from workflows.privacy_message import start_privacy_message

router = APIRouter(tags=["privacy (GDPR)"])
log = structlog.get_logger(__name__)

ACCEPTED = (
    "If this address belongs to a guest, a link has been sent to it. "
    "The link works once and for a limited time."
)
Token = Path(min_length=10, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")


class Gone(Problem):
    status = 410
    title = "Gone"


async def _spend(
    session: SessionDep, purpose: Purpose, token: str, *, keep: bool = False
) -> uuid.UUID:
    """The link's guest, the link spent (or only checked, with `keep`); 404 or 410."""
    read = usable_link if keep else use_link
    try:
        return await read(session, purpose=purpose, token=token, now=datetime.now(UTC))
    except LinkGone as exc:
        raise Gone(exc.detail, field="token") from None
    except NotFoundError:
        raise NotFound("no such link; ask for a new one", field="token") from None


async def _ask(
    session: AsyncSession,
    counters: Cache,
    temporal: TemporalConnection,
    settings: Settings,
    email: str,
    purpose: Purpose,
) -> PrivacyRequestAccepted:
    queued = await request_link(
        session,
        counters,
        email=email,
        purpose=purpose,
        now=datetime.now(UTC),
        base_url=settings.public_base_url,
        valid_days=settings.privacy_link_days,
        per_hour=settings.privacy_requests_per_hour,
    )
    await session.commit()
    for notification_id in queued:
        await _send(temporal, settings, notification_id)
    return PrivacyRequestAccepted(detail=ACCEPTED)


async def _send(
    temporal: TemporalConnection, settings: Settings, notification_id: uuid.UUID
) -> None:
    """Have the queued link sent; a failure to start is logged, never told to the caller.

    Answering differently for a known address (a 503 only when there is a link to
    send) would reveal that the address belongs to a guest; the row stays queued and
    the PrivacyLinkSweep schedule starts its send once Temporal is back.
    """
    try:
        await start_privacy_message(
            await temporal.client(), notification_id, task_queue=settings.temporal_task_queue
        )
    except (Problem, RPCError) as exc:
        log.warning("privacy.link_not_sent", notification_id=str(notification_id), error=str(exc))


@router.post(
    "/privacy/export-requests",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PrivacyRequestAccepted,
    summary="Ask for a copy of your data (a link is emailed to you)",
)
async def request_export(
    data: PrivacyRequestIn,
    session: SessionDep,
    counters: CountersDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> PrivacyRequestAccepted:
    return await _ask(session, counters, temporal, settings, str(data.email), "export")


@router.get(
    "/privacy/export/{token}",
    summary="Download your data (single-use link from the email)",
    responses={404: {"description": "unknown link"}, 410: {"description": "used or expired"}},
)
async def download_export(session: SessionDep, token: str = Token) -> dict[str, Any]:
    guest_id = await _spend(session, "export", token)
    document = await export_document(session, guest_id, now=datetime.now(UTC))
    session.add(GuestAudit(guest_id=guest_id, action="exported", details={"via": "link"}))
    await session.commit()
    return document


@router.post(
    "/privacy/erasure-requests",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PrivacyRequestAccepted,
    summary="Ask for your data to be erased (a confirmation link is emailed to you)",
)
async def request_erasure(
    data: PrivacyRequestIn,
    session: SessionDep,
    counters: CountersDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> PrivacyRequestAccepted:
    return await _ask(session, counters, temporal, settings, str(data.email), "erasure")


@router.post(
    "/privacy/erasure/{token}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ErasureStarted,
    summary="Confirm the erasure of your data (single-use link from the email)",
    responses={404: {"description": "unknown link"}, 410: {"description": "used or expired"}},
)
async def confirm_erasure(
    session: SessionDep, temporal: TemporalDep, settings: SettingsDep, token: str = Token
) -> ErasureStarted:
    # the erasure starts before the link counts as used: a start that fails (Temporal
    # down, the API stopped) leaves the link good for another try
    guest_id = await _spend(session, "erasure", token, keep=True)
    await session.rollback()  # no transaction open while waiting for Temporal
    started = await start_erasure(temporal, settings, ErasureInput(guest_id=guest_id))
    with contextlib.suppress(Gone):  # a second click spent it meanwhile: started all the same
        await _spend(session, "erasure", token)
    await session.commit()
    return started


@router.post(
    "/guests/{guest_id}/erasure",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ErasureStarted,
    summary="Erase a guest (managers of a restaurant that knows them, admins)",
)
async def staff_erasure(
    guest_id: uuid.UUID,
    staff: CurrentStaff,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> ErasureStarted:
    require_role(staff, StaffRole.MANAGER)
    guest = await session.get(Guest, guest_id)
    if guest is None or not await _knows(session, staff=staff, guest_id=guest_id):
        raise NotFound(f"guest {guest_id} not found")
    inp = ErasureInput(guest_id=guest_id, staff_id=staff.id)
    await session.rollback()  # the workflow's activities write these rows
    return await start_erasure(temporal, settings, inp)


async def _knows(session: SessionDep, *, staff: StaffUser, guest_id: uuid.UUID) -> bool:
    """Admins know every guest; a manager, those a restaurant of theirs (or its circle) knows."""
    if has_role(staff, StaffRole.ADMIN):
        return True
    circle: set[uuid.UUID] = set()
    for restaurant_id in staff.restaurant_ids:
        circle |= await sharing_circle(session, restaurant_id)
    if not circle:
        return False
    found = await session.scalar(
        select(GuestRelationship.id)
        .where(GuestRelationship.guest_id == guest_id)
        .where(GuestRelationship.restaurant_id.in_(circle))
        .limit(1)
    )
    return found is not None


async def start_erasure(
    temporal: TemporalConnection, settings: Settings, inp: ErasureInput
) -> ErasureStarted:
    """Start the guest's erasure workflow, or find the one already started."""
    client = await temporal.client()
    wf_id = erasure_workflow_id(inp.guest_id)
    try:
        await client.start_workflow(
            GuestErasureWorkflow.run,
            inp,
            id=wf_id,
            task_queue=settings.temporal_task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        pass  # asked twice: the first run does (or did) the work
    except RPCError as exc:
        raise rpc_problem(exc) from None
    return ErasureStarted(guest_id=inp.guest_id, workflow_id=wf_id)
