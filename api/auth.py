"""Object-level authorization of staff: roles and restaurants.

The bearer tokens themselves are issued and read in `services.staff_tokens`.
"""

from __future__ import annotations

import uuid

from models.enums import StaffRole
from models.orm import StaffUser


def can_see_restaurant(staff: StaffUser, restaurant_id: uuid.UUID) -> bool:
    """Admins see every restaurant; managers and hosts only those they work for."""
    return staff.role is StaffRole.ADMIN or restaurant_id in staff.restaurant_ids


ROLE_RANK = {StaffRole.HOST: 1, StaffRole.MANAGER: 2, StaffRole.ADMIN: 3}


def has_role(staff: StaffUser, minimum: StaffRole) -> bool:
    """True when the staff member's role is `minimum` or above (host < manager < admin)."""
    return ROLE_RANK[staff.role] >= ROLE_RANK[minimum]
