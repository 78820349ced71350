"""Staff accounts and password checks (partner keys: services.partners.keys)."""

from __future__ import annotations

import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import StaffRole
from models.orm import Restaurant, StaffRestaurant, StaffUser
from services.errors import ConflictError, InvalidError

_hasher = PasswordHasher()
# a fixed hash to verify against when the email is unknown, so timing reveals nothing
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_secret(secret: str) -> str:
    """argon2id hash of a password or API key."""
    return _hasher.hash(secret)


def verify_secret(secret_hash: str, secret: str) -> bool:
    """True when `secret` matches `secret_hash`."""
    try:
        return _hasher.verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


async def create_staff(
    session: AsyncSession,
    *,
    email: str,
    full_name: str,
    password: str,
    role: StaffRole,
    restaurant_ids: list[uuid.UUID],
) -> StaffUser:
    """Create a staff account; managers and hosts need at least one restaurant."""
    email = email.lower()
    if await session.scalar(select(StaffUser.id).where(StaffUser.email == email)):
        raise ConflictError(f"a staff account for {email} already exists", field="email")
    if role is not StaffRole.ADMIN and not restaurant_ids:
        raise InvalidError(
            "managers and hosts work for at least one restaurant", field="restaurant_ids"
        )
    if restaurant_ids:
        found = set(
            await session.scalars(select(Restaurant.id).where(Restaurant.id.in_(restaurant_ids)))
        )
        if missing := set(restaurant_ids) - found:
            raise InvalidError(
                f"unknown restaurants: {sorted(map(str, missing))}", field="restaurant_ids"
            )
    staff = StaffUser(
        email=email, full_name=full_name, password_hash=hash_secret(password), role=role
    )
    staff.memberships = [StaffRestaurant(restaurant_id=r) for r in dict.fromkeys(restaurant_ids)]
    session.add(staff)
    await session.flush()
    return staff


async def list_staff(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[list[StaffUser], int]:
    """One page of staff accounts by email."""
    total = await session.scalar(select(func.count()).select_from(StaffUser))
    rows = await session.scalars(
        select(StaffUser).order_by(StaffUser.email).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


async def get_staff(session: AsyncSession, *, staff_id: uuid.UUID) -> StaffUser | None:
    """The staff account, or None."""
    return await session.get(StaffUser, staff_id)


async def authenticate(session: AsyncSession, *, email: str, password: str) -> StaffUser | None:
    """The active staff account whose password matches, or None."""
    staff = await session.scalar(select(StaffUser).where(StaffUser.email == email.lower()))
    if staff is None or staff.password_hash is None:
        verify_secret(_DUMMY_HASH, password)
        return None
    if not verify_secret(staff.password_hash, password) or not staff.is_active:
        return None
    return staff
