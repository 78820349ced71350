"""HTTP contracts for staff accounts, tokens and partner API keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints

from models.enums import StaffRole
from models.schemas.common import OutModel, StrictModel


class LoginIn(StrictModel):
    email: EmailStr
    password: Annotated[
        str, StringConstraints(strip_whitespace=False, min_length=1, max_length=200)
    ]


class TokenOut(OutModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


class StaffCreate(StrictModel):
    email: EmailStr
    full_name: Annotated[str, Field(min_length=1, max_length=200)]
    # spaces in a password are part of it
    password: Annotated[
        str, StringConstraints(strip_whitespace=False, min_length=10, max_length=200)
    ]
    role: StaffRole
    restaurant_ids: list[uuid.UUID] = Field(default_factory=list)


class StaffOut(OutModel):
    id: uuid.UUID
    email: str
    full_name: str
    role: StaffRole
    is_active: bool
    restaurant_ids: list[uuid.UUID]


PartnerScope = Literal["availability:read", "bookings:write", "webhooks:manage"]
PartnerChannel = Literal["partner", "google", "thefork", "pos"]


def _default_scopes() -> list[PartnerScope]:
    return ["availability:read", "bookings:write"]


class PartnerKeyCreate(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    # the restaurants the key may see (a restaurant group); `restaurant_id` is the older form
    restaurant_ids: Annotated[list[uuid.UUID], Field(max_length=500)] = Field(default_factory=list)
    restaurant_id: uuid.UUID | None = None
    scopes: Annotated[list[PartnerScope], Field(min_length=1, max_length=3)] = Field(
        default_factory=_default_scopes
    )
    channel: PartnerChannel = "partner"


class PartnerKeyOut(OutModel):
    id: uuid.UUID
    name: str
    key_prefix: str
    restaurant_id: uuid.UUID | None
    restaurant_ids: list[uuid.UUID]
    scopes: list[str]
    channel: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class PartnerKeyCreated(PartnerKeyOut):
    """Returned once at creation: the key itself is never shown again."""

    api_key: str
