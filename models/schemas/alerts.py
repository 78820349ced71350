"""Guest alerts on a reservation, as staff see them."""

from __future__ import annotations

import uuid
from typing import Literal

from models.schemas.common import OutModel


class GuestAlertOut(OutModel):
    """An alert note, an allergy note or a recorded allergy of the booking's guest."""

    kind: Literal["note", "allergy"]
    note_type: str | None
    text: str
    # the restaurant (of the sharing circle) that recorded it
    restaurant_id: uuid.UUID
