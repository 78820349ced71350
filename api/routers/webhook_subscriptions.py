"""Outbound webhook subscriptions of a restaurant: create, list, delete, re-enable, and
what was delivered (each delivery with its attempts). Managers only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Response, status

from api.deps import PageDep, SessionDep, SettingsDep, WebhooksOf
from models.schemas.common import Page
from models.schemas.webhooks import (
    DeliveryOut,
    NoticeOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
)
from services.restaurants import get_restaurant
from services.webhooks import subscriptions as svc

router = APIRouter(prefix="/restaurants/{restaurant_id}/webhooks", tags=["webhooks"])


@router.post(
    "",
    response_model=SubscriptionCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Subscribe a URL to events (the signing secret is shown this once)",
)
async def create_subscription(
    data: SubscriptionIn, scope: WebhooksOf, session: SessionDep, settings: SettingsDep
) -> SubscriptionCreated:
    await get_restaurant(session, restaurant_id=scope.restaurant_id)
    subscription = await svc.create_subscription(
        session,
        restaurant_id=scope.restaurant_id,
        data=data,
        created_by=scope.staff.id,
        private_allowed=settings.webhook_private_urls_allowed,
    )
    await session.commit()
    return SubscriptionCreated.model_validate(subscription)


@router.get("", response_model=Page[SubscriptionOut], summary="The restaurant's subscriptions")
async def list_subscriptions(
    scope: WebhooksOf, session: SessionDep, page: PageDep
) -> Page[SubscriptionOut]:
    rows, total = await svc.list_subscriptions(
        session, restaurant_id=scope.restaurant_id, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[SubscriptionOut.model_validate(s) for s in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/notices",
    response_model=Page[NoticeOut],
    summary="Notices for managers (a subscription was disabled)",
)
async def list_notices(scope: WebhooksOf, session: SessionDep, page: PageDep) -> Page[NoticeOut]:
    rows, total = await svc.list_notices(
        session, restaurant_id=scope.restaurant_id, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[NoticeOut.model_validate(n) for n in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{subscription_id}", response_model=SubscriptionOut, summary="One subscription")
async def get_subscription(
    subscription_id: uuid.UUID, scope: WebhooksOf, session: SessionDep
) -> SubscriptionOut:
    subscription = await svc.get_subscription(
        session, restaurant_id=scope.restaurant_id, subscription_id=subscription_id
    )
    return SubscriptionOut.model_validate(subscription)


@router.delete(
    "/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete a subscription (pending deliveries are skipped)",
)
async def delete_subscription(
    subscription_id: uuid.UUID, scope: WebhooksOf, session: SessionDep
) -> Response:
    await svc.delete_subscription(
        session,
        restaurant_id=scope.restaurant_id,
        subscription_id=subscription_id,
        now=datetime.now(UTC),
    )
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{subscription_id}/enable",
    response_model=SubscriptionOut,
    summary="Re-enable a disabled subscription (its failure streak starts again)",
)
async def enable_subscription(
    subscription_id: uuid.UUID, scope: WebhooksOf, session: SessionDep
) -> SubscriptionOut:
    subscription = await svc.enable_subscription(
        session, restaurant_id=scope.restaurant_id, subscription_id=subscription_id
    )
    await session.commit()
    return SubscriptionOut.model_validate(subscription)


@router.get(
    "/{subscription_id}/deliveries",
    response_model=Page[DeliveryOut],
    summary="Deliveries to the subscription, newest first, with every attempt",
)
async def list_deliveries(
    subscription_id: uuid.UUID, scope: WebhooksOf, session: SessionDep, page: PageDep
) -> Page[DeliveryOut]:
    items, total = await svc.list_deliveries(
        session,
        restaurant_id=scope.restaurant_id,
        subscription_id=subscription_id,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
