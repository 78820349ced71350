"""The staff Guest CRM: a guest's profile as the restaurant acted for sees it, notes,
flags (VIP, block, tags, preferences), contact corrections, search and CSV export.

Guest routes take `restaurant_id` as a query parameter: the restaurant whose view of the
guest is read or changed. Hosts read, keep notes, tags and preferences; managers set VIP,
block, correct contact details and export. A guest no restaurant of the caller's circle
knows is "not found", exactly like a guest that does not exist.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from api.auth import can_see_restaurant
from api.deps import (
    CurrentStaff,
    HostOf,
    ManagerOf,
    PageDep,
    RestaurantScope,
    SessionDep,
    require_role,
)
from api.problems import InvalidInput, NotFound
from models.enums import StaffRole
from models.schemas.common import Page
from models.schemas.guests import (
    BlockIn,
    ContactPatch,
    GuestHitOut,
    GuestProfileOut,
    HistoryItemOut,
    NoteIn,
    NoteOut,
    NotePatch,
    PreferencesIn,
    TagsIn,
    VipIn,
)
from services.crm import flags, identity, notes
from services.crm.csv_export import restaurant_guests_csv
from services.crm.profiles import Viewpoint, get_profile, history, viewpoint
from services.crm.search import search_guests

router = APIRouter(tags=["guests"])

RESTAURANT_QUERY = (
    "the restaurant whose view of the guest this is; may be left out by staff who work "
    "for exactly one restaurant"
)


def _acting_for(minimum: StaffRole) -> Any:
    async def dependency(
        staff: CurrentStaff,
        restaurant_id: Annotated[uuid.UUID | None, Query(description=RESTAURANT_QUERY)] = None,
    ) -> RestaurantScope:
        if restaurant_id is None:
            if staff.role is StaffRole.ADMIN or len(staff.restaurant_ids) != 1:
                raise InvalidInput(
                    "restaurant_id: say which restaurant's view of the guest you mean",
                    field="restaurant_id",
                )
            (restaurant_id,) = staff.restaurant_ids
        # another restaurant's guests are "not found", not "forbidden": no existence leak
        if not can_see_restaurant(staff, restaurant_id):
            raise NotFound(f"restaurant {restaurant_id} not found")
        require_role(staff, minimum)
        return RestaurantScope(restaurant_id=restaurant_id, staff=staff)

    return Depends(dependency)


HostActing = Annotated[RestaurantScope, _acting_for(StaffRole.HOST)]
ManagerActing = Annotated[RestaurantScope, _acting_for(StaffRole.MANAGER)]


async def _view(session: SessionDep, guest_id: uuid.UUID, scope: RestaurantScope) -> Viewpoint:
    return await viewpoint(session, guest_id=guest_id, restaurant_id=scope.restaurant_id)


def _now() -> datetime:
    return datetime.now(UTC)


# ---- profile and history ---------------------------------------------------------------


@router.get(
    "/guests/{guest_id}",
    response_model=GuestProfileOut,
    summary="The guest as this restaurant (and its sharing group) knows them",
)
async def read_profile(
    guest_id: uuid.UUID, scope: HostActing, session: SessionDep
) -> GuestProfileOut:
    view = await _view(session, guest_id, scope)
    return await get_profile(session, view=view)


@router.get(
    "/guests/{guest_id}/history",
    response_model=Page[HistoryItemOut],
    summary="The guest's reservations at this restaurant (and its sharing group), newest first",
)
async def read_history(
    guest_id: uuid.UUID, scope: HostActing, session: SessionDep, page: PageDep
) -> Page[HistoryItemOut]:
    view = await _view(session, guest_id, scope)
    items, total = await history(session, view=view, limit=page.limit, offset=page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.patch(
    "/guests/{guest_id}",
    response_model=GuestProfileOut,
    summary="Correct the guest's name, email, phone or language (managers; audited)",
)
async def correct_contact(
    guest_id: uuid.UUID, data: ContactPatch, scope: ManagerActing, session: SessionDep
) -> GuestProfileOut:
    view = await _view(session, guest_id, scope)
    await identity.correct_contact(
        session,
        guest=view.guest,
        restaurant_id=scope.restaurant_id,
        staff_id=scope.staff.id,
        data=data,
        now=_now(),
    )
    await session.commit()
    return await get_profile(session, view=view)


# ---- notes -----------------------------------------------------------------------------


@router.get(
    "/guests/{guest_id}/notes",
    response_model=list[NoteOut],
    summary="Notes this restaurant (and its sharing group) keeps; alerts first",
)
async def list_notes(guest_id: uuid.UUID, scope: HostActing, session: SessionDep) -> list[NoteOut]:
    view = await _view(session, guest_id, scope)
    return await notes.visible_notes(
        session, guest_id=guest_id, restaurant_id=scope.restaurant_id, circle=view.circle
    )


@router.post(
    "/guests/{guest_id}/notes",
    response_model=NoteOut,
    status_code=status.HTTP_201_CREATED,
    summary="Keep a note about the guest for this restaurant",
)
async def add_note(
    guest_id: uuid.UUID, data: NoteIn, scope: HostActing, session: SessionDep
) -> NoteOut:
    await _view(session, guest_id, scope)
    note = await notes.add_note(
        session,
        guest_id=guest_id,
        restaurant_id=scope.restaurant_id,
        author_id=scope.staff.id,
        data=data,
        now=_now(),
    )
    await session.commit()
    return note


@router.patch(
    "/guests/{guest_id}/notes/{note_id}",
    response_model=NoteOut,
    summary="Change one of this restaurant's notes",
)
async def update_note(
    guest_id: uuid.UUID,
    note_id: uuid.UUID,
    data: NotePatch,
    scope: HostActing,
    session: SessionDep,
) -> NoteOut:
    await _view(session, guest_id, scope)
    note = await notes.update_note(
        session,
        guest_id=guest_id,
        restaurant_id=scope.restaurant_id,
        note_id=note_id,
        data=data,
        now=_now(),
    )
    await session.commit()
    return note


@router.delete(
    "/guests/{guest_id}/notes/{note_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete one of this restaurant's notes",
)
async def delete_note(
    guest_id: uuid.UUID, note_id: uuid.UUID, scope: HostActing, session: SessionDep
) -> Response:
    await _view(session, guest_id, scope)
    await notes.delete_note(
        session, guest_id=guest_id, restaurant_id=scope.restaurant_id, note_id=note_id
    )
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---- flags -----------------------------------------------------------------------------


@router.put(
    "/guests/{guest_id}/vip",
    response_model=GuestProfileOut,
    summary="Mark the guest a VIP of this restaurant, or not (managers; audited)",
)
async def set_vip(
    guest_id: uuid.UUID, data: VipIn, scope: ManagerActing, session: SessionDep
) -> GuestProfileOut:
    view = await _view(session, guest_id, scope)
    await flags.set_vip(
        session,
        guest_id=guest_id,
        restaurant_id=scope.restaurant_id,
        staff_id=scope.staff.id,
        is_vip=data.is_vip,
        now=_now(),
    )
    await session.commit()
    return await get_profile(session, view=view)


@router.put(
    "/guests/{guest_id}/block",
    response_model=GuestProfileOut,
    summary="Refuse the guest's online bookings here (managers; audited; staff still book)",
)
async def block_guest(
    guest_id: uuid.UUID, data: BlockIn, scope: ManagerActing, session: SessionDep
) -> GuestProfileOut:
    view = await _view(session, guest_id, scope)
    await flags.block(
        session,
        guest_id=guest_id,
        restaurant_id=scope.restaurant_id,
        staff_id=scope.staff.id,
        reason=data.reason,
        now=_now(),
    )
    await session.commit()
    return await get_profile(session, view=view)


@router.delete(
    "/guests/{guest_id}/block",
    response_model=GuestProfileOut,
    summary="Let the guest book online here again (managers; audited)",
)
async def unblock_guest(
    guest_id: uuid.UUID, scope: ManagerActing, session: SessionDep
) -> GuestProfileOut:
    view = await _view(session, guest_id, scope)
    await flags.unblock(
        session,
        guest_id=guest_id,
        restaurant_id=scope.restaurant_id,
        staff_id=scope.staff.id,
        now=_now(),
    )
    await session.commit()
    return await get_profile(session, view=view)


@router.put(
    "/guests/{guest_id}/tags",
    response_model=GuestProfileOut,
    summary="Replace this restaurant's tags for the guest",
)
async def set_tags(
    guest_id: uuid.UUID, data: TagsIn, scope: HostActing, session: SessionDep
) -> GuestProfileOut:
    view = await _view(session, guest_id, scope)
    await flags.set_tags(
        session, guest_id=guest_id, restaurant_id=scope.restaurant_id, tags=data.tags
    )
    await session.commit()
    return await get_profile(session, view=view)


@router.put(
    "/guests/{guest_id}/preferences",
    response_model=GuestProfileOut,
    summary="Replace preferred areas, dietary restrictions and allergies kept here",
)
async def set_preferences(
    guest_id: uuid.UUID, data: PreferencesIn, scope: HostActing, session: SessionDep
) -> GuestProfileOut:
    view = await _view(session, guest_id, scope)
    await flags.set_preferences(
        session, guest_id=guest_id, restaurant_id=scope.restaurant_id, data=data
    )
    await session.commit()
    return await get_profile(session, view=view)


# ---- the restaurant's guest list ---------------------------------------------------------

SEARCH_QUERY = (
    "part of the name, the start of the email, or the phone's digits "
    "(international, e.g. +3161234 or 003161234)"
)


@router.get(
    "/restaurants/{restaurant_id}/guests",
    response_model=Page[GuestHitOut],
    summary="Find guests this restaurant (or its sharing group) knows",
)
async def find_guests(
    scope: HostOf,
    session: SessionDep,
    page: PageDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description=SEARCH_QUERY)],
) -> Page[GuestHitOut]:
    items, total = await search_guests(
        session, restaurant_id=scope.restaurant_id, q=q, limit=page.limit, offset=page.offset
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/restaurants/{restaurant_id}/guests/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="The restaurant's guests with its flags and statistics, as CSV (managers)",
)
async def export_guests(scope: ManagerOf, session: SessionDep, request: Request) -> Response:
    await session.close()  # the export reads in sessions of its own, page by page
    return StreamingResponse(
        restaurant_guests_csv(request.app.state.sessions, restaurant_id=scope.restaurant_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="guests.csv"'},
    )
