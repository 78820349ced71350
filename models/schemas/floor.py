"""HTTP contracts for floor plans, seating areas and tables."""

from __future__ import annotations

import uuid
from typing import Annotated, Self

from pydantic import Field, field_validator, model_validator

from models.enums import TableType
from models.schemas.common import OutModel, StrictModel

Capacity = Annotated[int, Field(strict=True, ge=1, le=100)]
Coordinate = Annotated[int, Field(strict=True, ge=0, le=100_000)]
Feature = Annotated[str, Field(min_length=1, max_length=60)]


class FloorPlanIn(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    width: Annotated[int, Field(strict=True, ge=1, le=100_000)] = 1000
    height: Annotated[int, Field(strict=True, ge=1, le=100_000)] = 800
    is_active: bool = True


class FloorPlanOut(OutModel):
    id: uuid.UUID
    name: str
    width: int
    height: int
    is_active: bool


class SeatingAreaIn(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: Annotated[str, Field(max_length=1000)] | None = None
    floor_plan_id: uuid.UUID | None = None


class SeatingAreaOut(OutModel):
    id: uuid.UUID
    name: str
    description: str | None
    floor_plan_id: uuid.UUID | None


# pushed together, tables seat at least what this one seats alone
COMBINED_BELOW_ALONE = "combined_max_capacity must not be below max_capacity"


class TableFields(StrictModel):
    name: Annotated[str, Field(max_length=120)] | None = None
    seating_area_id: uuid.UUID | None = None
    floor_plan_id: uuid.UUID | None = None
    table_type: TableType = TableType.STANDARD
    x: Coordinate | None = None
    y: Coordinate | None = None
    width: Coordinate | None = None
    height: Coordinate | None = None
    rotation: Annotated[int, Field(strict=True, ge=0, lt=360)] = 0
    features: list[Feature] = Field(default_factory=list, max_length=30)
    priority: Annotated[int, Field(strict=True, ge=-100, le=100)] = 0
    is_active: bool = True
    online_bookable: bool = True
    combinable_with: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    combined_max_capacity: Capacity | None = None

    @field_validator("combinable_with")
    @classmethod
    def _distinct(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        if len(set(value)) != len(value):
            raise ValueError("a table may be listed only once")
        return value


class TableCreate(TableFields):
    number: Annotated[str, Field(min_length=1, max_length=20)]
    min_capacity: Capacity = 1
    max_capacity: Capacity

    @model_validator(mode="after")
    def _capacity(self) -> Self:
        if self.min_capacity > self.max_capacity:
            raise ValueError("min_capacity must not exceed max_capacity")
        combined = self.combined_max_capacity
        if combined is not None and combined < self.max_capacity:
            raise ValueError(COMBINED_BELOW_ALONE)
        return self


class TableUpdate(StrictModel):
    """Partial update; capacity bounds are checked against the stored values too."""

    number: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    name: Annotated[str, Field(max_length=120)] | None = None
    min_capacity: Capacity | None = None
    max_capacity: Capacity | None = None
    seating_area_id: uuid.UUID | None = None
    floor_plan_id: uuid.UUID | None = None
    table_type: TableType | None = None
    x: Coordinate | None = None
    y: Coordinate | None = None
    width: Coordinate | None = None
    height: Coordinate | None = None
    rotation: Annotated[int, Field(strict=True, ge=0, lt=360)] | None = None
    features: list[Feature] | None = None
    priority: Annotated[int, Field(strict=True, ge=-100, le=100)] | None = None
    is_active: bool | None = None
    online_bookable: bool | None = None
    combinable_with: list[uuid.UUID] | None = None
    combined_max_capacity: Capacity | None = None

    @model_validator(mode="after")
    def _capacity(self) -> Self:
        if (
            self.min_capacity is not None
            and self.max_capacity is not None
            and self.min_capacity > self.max_capacity
        ):
            raise ValueError("min_capacity must not exceed max_capacity")
        return self


class TableOut(OutModel):
    id: uuid.UUID
    restaurant_id: uuid.UUID
    number: str
    name: str | None
    min_capacity: int
    max_capacity: int
    seating_area_id: uuid.UUID | None
    floor_plan_id: uuid.UUID | None
    table_type: TableType
    x: int | None
    y: int | None
    width: int | None
    height: int | None
    rotation: int
    features: list[str]
    priority: int
    is_active: bool
    online_bookable: bool
    combinable_with: list[uuid.UUID]
    combined_max_capacity: int | None


class FloorPlanView(FloorPlanOut):
    """A floor plan with its seating areas and tables, for drawing the room."""

    seating_areas: list[SeatingAreaOut]
    tables: list[TableOut]
