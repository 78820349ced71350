"""Staff sign-in, staff accounts and partner API keys."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request, status

from api.deps import AdminStaff, CurrentStaff, PageDep, SessionDep, SettingsDep
from api.problems import Unauthorized
from models.enums import ReservationSource
from models.orm import PartnerApiKey, StaffUser
from models.schemas.common import Page
from models.schemas.staff import (
    LoginIn,
    PartnerKeyCreate,
    PartnerKeyCreated,
    PartnerKeyOut,
    StaffCreate,
    StaffOut,
    TokenOut,
)
from services import staff as svc
from services.partners import keys
from services.staff_tokens import issue_staff_token

router = APIRouter(tags=["staff"])


def staff_out(staff: StaffUser) -> StaffOut:
    return StaffOut(
        id=staff.id,
        email=staff.email,
        full_name=staff.full_name,
        role=staff.role,
        is_active=staff.is_active,
        restaurant_ids=sorted(staff.restaurant_ids),
    )


def partner_key_out(key: PartnerApiKey) -> PartnerKeyOut:
    return PartnerKeyOut(
        id=key.id,
        name=key.name,
        key_prefix=key.key_prefix,
        restaurant_id=key.restaurant_id,
        restaurant_ids=sorted(key.restaurant_ids),
        scopes=list(key.scopes),
        channel=key.channel,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
        last_used_at=key.last_used_at,
    )


@router.post("/auth/token", response_model=TokenOut, summary="Sign in: email + password → JWT")
async def login(
    data: LoginIn, request: Request, session: SessionDep, settings: SettingsDep
) -> TokenOut:
    staff = await svc.authenticate(session, email=str(data.email), password=data.password)
    if staff is None:
        raise Unauthorized("wrong email or password")
    issued = issue_staff_token(
        staff,
        secret=request.app.state.jwt_secret,
        ttl=timedelta(minutes=settings.jwt_ttl_minutes),
    )
    return TokenOut(access_token=issued.token, expires_at=issued.expires_at)


@router.get("/auth/me", response_model=StaffOut, summary="Who the token belongs to")
async def me(staff: CurrentStaff) -> StaffOut:
    return staff_out(staff)


@router.get("/staff", response_model=Page[StaffOut], summary="Staff accounts (admin)")
async def list_staff(_admin: AdminStaff, session: SessionDep, page: PageDep) -> Page[StaffOut]:
    rows, total = await svc.list_staff(session, limit=page.limit, offset=page.offset)
    return Page(
        items=[staff_out(s) for s in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "/staff",
    response_model=StaffOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a staff account (admin)",
)
async def create_staff(data: StaffCreate, _admin: AdminStaff, session: SessionDep) -> StaffOut:
    staff = await svc.create_staff(
        session,
        email=str(data.email),
        full_name=data.full_name,
        password=data.password,
        role=data.role,
        restaurant_ids=data.restaurant_ids,
    )
    await session.commit()
    await session.refresh(staff, ["memberships"])
    return staff_out(staff)


@router.get("/partner-keys", response_model=Page[PartnerKeyOut], summary="Partner API keys (admin)")
async def list_partner_keys(
    _admin: AdminStaff, session: SessionDep, page: PageDep
) -> Page[PartnerKeyOut]:
    rows, total = await keys.list_partner_keys(session, limit=page.limit, offset=page.offset)
    return Page(
        items=[partner_key_out(k) for k in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/partner-keys",
    response_model=PartnerKeyCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create a partner API key (admin); the key is shown only in this answer",
)
async def create_partner_key(
    data: PartnerKeyCreate, admin: AdminStaff, session: SessionDep
) -> PartnerKeyCreated:
    restaurant_ids = [*data.restaurant_ids]
    if data.restaurant_id is not None:
        restaurant_ids.append(data.restaurant_id)
    key, clear = await keys.create_partner_key(
        session,
        name=data.name,
        restaurant_ids=restaurant_ids,
        scopes=[keys.Scope(s) for s in data.scopes],
        channel=ReservationSource(data.channel),
        created_by=admin.id,
    )
    await session.commit()
    return PartnerKeyCreated(**partner_key_out(key).model_dump(), api_key=clear)


@router.delete(
    "/partner-keys/{key_id}", response_model=PartnerKeyOut, summary="Revoke a partner API key"
)
async def revoke_partner_key(
    key_id: uuid.UUID, _admin: AdminStaff, session: SessionDep
) -> PartnerKeyOut:
    key = await keys.revoke_partner_key(session, key_id=key_id, now=datetime.now(UTC))
    await session.commit()
    return partner_key_out(key)
