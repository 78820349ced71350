"""HTTP contracts for staff accounts, tokens and partner API keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

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


class PartnerKeyCreate(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    restaurant_id: uuid.UUID | None = None


class PartnerKeyOut(OutModel):
    id: uuid.UUID
    name: str
    key_prefix: str
    restaurant_id: uuid.UUID | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class PartnerKeyCreated(PartnerKeyOut):
    """Returned once at creation: the key itself is never shown again."""

    api_key: str
