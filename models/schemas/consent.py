"""HTTP contracts of marketing consent: what staff see and record for a guest."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, computed_field, field_validator

from models.schemas.common import OutModel, StrictModel

WordingVersion = Annotated[str, Field(min_length=1, max_length=40)]


class ConsentOut(OutModel):
    """One consent as staff see it: for whom, since when, in which words, withdrawn when."""

    scope: str
    granted_at: datetime
    source: str
    wording_version: str
    withdrawn_at: datetime | None
    withdrawn_via: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class ConsentChange(StrictModel):
    """Staff record consent given (or withdrawn) in person, or imported from a list."""

    restaurant_id: uuid.UUID
    scope: Literal["restaurant", "group"] = "restaurant"
    granted: Annotated[bool, Field(strict=True)]
    source: Literal["staff", "import"] = "staff"
    wording_version: WordingVersion | None = Field(default=None, validate_default=True)

    @field_validator("wording_version")
    @classmethod
    def _wording_with_grant(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("granted"):
            raise ValueError("required when consent is granted")
        return value
