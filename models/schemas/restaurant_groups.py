"""Restaurant groups: restaurants under one owner, and whether they share guest profiles."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field, StrictBool, model_validator

from models.schemas.common import OutModel, StrictModel

GroupName = Annotated[str, Field(min_length=1, max_length=200)]


class GroupIn(StrictModel):
    name: GroupName
    shares_guest_profiles: StrictBool = Field(
        default=False,
        description="the group's restaurants see each other's guest notes, flags and history",
    )


class GroupPatch(StrictModel):
    name: GroupName | None = None
    shares_guest_profiles: StrictBool | None = None

    @model_validator(mode="after")
    def _something(self) -> GroupPatch:
        if self.name is None and self.shares_guest_profiles is None:
            raise ValueError("give at least one of name, shares_guest_profiles")
        return self


class GroupOut(OutModel):
    id: uuid.UUID
    name: str
    shares_guest_profiles: bool
    restaurant_ids: list[uuid.UUID]


class RestaurantGroupIn(StrictModel):
    """The group a restaurant belongs to; null takes it out of any group."""

    group_id: uuid.UUID | None
