"""Staff routes behind the partner webhooks: marketplace secrets, POS connections,
table mappings and the POS event journal."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import AdminStaff, HostOf, ManagerOf, PageDep, SessionDep
from api.problems import InvalidInput, NotFound
from models.orm import PartnerApiKey
from models.schemas.common import Page, StrictModel
from services.partners import marketplace as market
from services.partners import pos

router = APIRouter(tags=["partners"])


class MarketplaceSecretOut(BaseModel):
    partner_key_id: uuid.UUID
    marketplace: str
    hmac_secret: str = Field(description="shown in this answer only; give it to the partner")


@router.post(
    "/partner-keys/{key_id}/marketplace/{marketplace}",
    response_model=MarketplaceSecretOut,
    summary="Make a partner key a marketplace's and issue its HMAC secret (admin)",
)
async def issue_marketplace_secret(
    key_id: uuid.UUID,
    marketplace: Literal["thefork"],
    admin: AdminStaff,
    session: SessionDep,
) -> MarketplaceSecretOut:
    if await session.get(PartnerApiKey, key_id) is None:
        raise NotFound(f"partner key {key_id} not found")
    secret = "whsec_" + secrets.token_urlsafe(32)
    await market.set_credential(
        session, partner_key_id=key_id, marketplace=marketplace, hmac_secret=secret
    )
    await session.commit()
    return MarketplaceSecretOut(partner_key_id=key_id, marketplace=marketplace, hmac_secret=secret)


class PosConnectionIn(StrictModel):
    external_location_id: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    signing_secret: Annotated[str, Field(min_length=16, max_length=200)]


class PosConnectionOut(BaseModel):
    restaurant_id: uuid.UUID
    system: str
    external_location_id: str | None


@router.put(
    "/restaurants/{restaurant_id}/pos/connections/{system}",
    response_model=PosConnectionOut,
    summary="Connect the restaurant to a POS system (its location and signing secret)",
)
async def connect_pos(
    system: Literal["square", "generic"],
    data: PosConnectionIn,
    scope: ManagerOf,
    session: SessionDep,
) -> PosConnectionOut:
    if system == "square" and data.external_location_id is None:
        raise InvalidInput("Square needs the location id", field="external_location_id")
    row = await pos.set_connection(
        session,
        restaurant_id=scope.restaurant_id,
        system=system,
        external_location_id=data.external_location_id,
        signing_secret=data.signing_secret,
    )
    await session.commit()
    return PosConnectionOut(
        restaurant_id=row.restaurant_id,
        system=row.system,
        external_location_id=row.external_location_id,
    )


class TableMappingIn(StrictModel):
    system: Literal["square", "generic"]
    external_table_id: Annotated[str, Field(min_length=1, max_length=120)]
    table_id: uuid.UUID


class TableMappingOut(TableMappingIn):
    id: uuid.UUID


@router.get(
    "/restaurants/{restaurant_id}/pos/table-mappings",
    response_model=list[TableMappingOut],
    summary="Which of our tables each POS table is",
)
async def list_table_mappings(scope: HostOf, session: SessionDep) -> list[TableMappingOut]:
    rows = await pos.list_mappings(session, restaurant_id=scope.restaurant_id)
    return [
        TableMappingOut(
            id=r.id,
            system=r.system,
            external_table_id=r.external_table_id,
            table_id=r.table_id,
        )
        for r in rows
    ]


@router.put(
    "/restaurants/{restaurant_id}/pos/table-mappings",
    response_model=TableMappingOut,
    summary="Map a POS table to one of ours (replaces an earlier mapping)",
)
async def put_table_mapping(
    data: TableMappingIn, scope: ManagerOf, session: SessionDep
) -> TableMappingOut:
    row = await pos.set_mapping(
        session,
        restaurant_id=scope.restaurant_id,
        system=data.system,
        external_table_id=data.external_table_id,
        table_id=data.table_id,
    )
    await session.commit()
    return TableMappingOut(
        id=row.id,
        system=data.system,
        external_table_id=row.external_table_id,
        table_id=row.table_id,
    )


@router.delete(
    "/restaurants/{restaurant_id}/pos/table-mappings/{mapping_id}",
    status_code=204,
    summary="Forget a POS table mapping",
)
async def delete_table_mapping(
    mapping_id: uuid.UUID, scope: ManagerOf, session: SessionDep
) -> Response:
    await pos.delete_mapping(session, restaurant_id=scope.restaurant_id, mapping_id=mapping_id)
    await session.commit()
    return Response(status_code=204)


class PosEventOut(BaseModel):
    id: uuid.UUID
    system: str
    event_id: str
    kind: str
    status: str
    external_table_id: str | None
    table_id: uuid.UUID | None
    reservation_id: uuid.UUID | None
    table_status: str | None
    spend_minor: int | None
    detail: str | None
    received_at: datetime


@router.get(
    "/restaurants/{restaurant_id}/pos/events",
    response_model=Page[PosEventOut],
    summary="POS events received, newest first (unmatched ones are for staff to settle)",
)
async def list_pos_events(
    scope: HostOf,
    session: SessionDep,
    page: PageDep,
    status: Annotated[Literal["recorded", "applied", "unmatched"] | None, Query()] = None,
) -> Page[PosEventOut]:
    rows, total = await pos.list_events(
        session,
        restaurant_id=scope.restaurant_id,
        status=status,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[PosEventOut.model_validate(r, from_attributes=True) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )
