"""订阅 / webhook subscriptions for other bureaus' systems: register a URL and a secret, with
filters within the caller's scope; list them, read a delivery log, pause and resume.

The secret is write-only: answers show its fingerprint. Who may subscribe: whoever may read
alerts (``deps.alert_scope`` refuses the others); each sees and changes their own
subscriptions, the city office all of them.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, status

from shared.eventstore.errors import Forbidden, NotFound

from services.monitoring.adapters import subscriptions as repo
from services.monitoring.domain.webhooks import Filters, districts_outside
from services.monitoring.entrypoints.deps import Caller, Scope, Pool
from services.monitoring.entrypoints.delivery_schemas import (DeliveryPage, NewSubscriptionBody, PauseBody,
                                                              SubscriptionView)

router = APIRouter(prefix="/subscriptions", tags=["订阅 webhook subscriptions"])
SubscriptionId = Annotated[UUID, Path(description="订阅编号 / subscription id")]


def _missing(subscription_id: UUID) -> NotFound:
    return NotFound(f"没有订阅 {subscription_id} / no subscription {subscription_id}", field="subscription_id",
                    location="path")


@router.post("", status_code=status.HTTP_201_CREATED,
             summary="登记订阅 / register a webhook (URL, secret, filters within your scope)")
async def create(body: NewSubscriptionBody, caller: Caller, scope: Scope, pool: Pool) -> SubscriptionView:
    if outside := districts_outside(scope, tuple(body.districts)):
        raise Forbidden(f"不能订阅本区以外的预警：{', '.join(outside)} / districts outside your scope: "
                          f"{', '.join(outside)}", field="districts")
    new = repo.NewSubscription(str(body.url), body.secret.get_secret_value(),
                               Filters(tuple(body.rules), tuple(body.severities), tuple(body.districts)))
    async with pool.acquire() as conn:
        return SubscriptionView.of(await repo.create(conn, new, caller))


@router.get("", summary="订阅列表 / your subscriptions (the city office: all)")
async def listing(caller: Caller, _: Scope, pool: Pool) -> list[SubscriptionView]:
    async with pool.acquire() as conn:
        return [SubscriptionView.of(r) for r in await repo.listing(conn, caller)]


@router.get("/{subscription_id}", summary="订阅 / one subscription")
async def one(subscription_id: SubscriptionId, caller: Caller, _: Scope, pool: Pool) -> SubscriptionView:
    async with pool.acquire() as conn:
        row = await repo.get(conn, caller, subscription_id)
    if row is None:
        raise _missing(subscription_id)
    return SubscriptionView.of(row)


@router.get("/{subscription_id}/deliveries", summary="投递记录（最新在前）/ the delivery log, newest first")
async def deliveries(subscription_id: SubscriptionId, caller: Caller, _: Scope, pool: Pool,
                     limit: Annotated[int, Query(ge=1, le=500, description="每页条数 / page size")] = 100,
                     before: Annotated[int | None, Query(ge=1, description="上一页的 next_before / the previous "
                                                                          "page's next_before")] = None) -> DeliveryPage:
    async with pool.acquire() as conn:
        if await repo.get(conn, caller, subscription_id) is None:
            raise _missing(subscription_id)
        rows = await repo.deliveries(conn, subscription_id, before=before, limit=limit)
    return DeliveryPage.of(rows, limit)


async def _set_state(pool, caller, subscription_id: UUID, *, paused: bool, reason: str | None) -> SubscriptionView:
    async with pool.acquire() as conn, conn.transaction():
        if await repo.get(conn, caller, subscription_id) is None:
            raise _missing(subscription_id)
        return SubscriptionView.of(await repo.set_state(conn, subscription_id, paused=paused, reason=reason))


@router.post("/{subscription_id}/pause", summary="暂停 / pause deliveries (they wait, none is lost)")
async def pause(subscription_id: SubscriptionId, body: PauseBody, caller: Caller, _: Scope,
                pool: Pool) -> SubscriptionView:
    return await _set_state(pool, caller, subscription_id, paused=True, reason=body.reason)


@router.post("/{subscription_id}/resume",
             summary="恢复 / resume: deliveries go on from where they stopped, failures forgotten")
async def resume(subscription_id: SubscriptionId, caller: Caller, _: Scope, pool: Pool) -> SubscriptionView:
    return await _set_state(pool, caller, subscription_id, paused=False, reason=None)
