"""政策集聚 / policy bundles."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Path, Response

from shared.eventstore import NotFound
from shared.http.deps import IdempotencyKey, Meta, Store, get_pool

from services.funding.domain.commands import ApplyPolicy, RegisterPolicy
from services.funding.entrypoints.access import Reader, Writer, ensure_lines_visible
from services.funding.entrypoints.commands import run
from services.funding.handlers import policies
from services.funding.queries import reads

router = APIRouter(prefix="/policies", tags=["政策 policies"])
PolicyId = Annotated[str, Path(max_length=80, description="政策编号 / policy id")]


@router.post("", status_code=201, summary="登记政策及适用条件 / register a policy and its eligibility rules")
async def register(cmd: RegisterPolicy, store: Store, meta: Meta, scope: Writer, response: Response,
                   idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "RegisterPolicy", cmd.model_dump(mode="json"), meta,
                     lambda uow: policies.register(uow, cmd, scope), idempotency_key, response)


@router.post(
    "/{policy_id}/apply", summary="政策落地到村 / apply a policy to villages",
    description="listed：所列村须全部符合条件，否则一个也不落地；all_eligible：名录中全部符合条件的村（在本人范围内）/ "
    "listed: every listed village must be eligible or none is applied; all_eligible: every eligible village in "
    "the directory within your scope. 重复落地不重复记录 / applying twice records once.",
)
async def apply(policy_id: PolicyId, cmd: ApplyPolicy, store: Store, meta: Meta, scope: Writer, response: Response,
                idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "ApplyPolicy", {"policy_id": policy_id, **cmd.model_dump(mode="json")}, meta,
                     lambda uow: policies.apply(uow, policy_id, cmd, scope), idempotency_key, response, created=False)


@router.get("", summary="政策列表 / policies")
async def list_policies(pool: Annotated[asyncpg.Pool, Depends(get_pool)], reader: Reader) -> dict:
    ensure_lines_visible(reader)
    async with pool.acquire() as conn:
        return {"items": await reads.policies(conn)}


@router.get("/{policy_id}", summary="一项政策及落地的村 / a policy and the villages it reaches")
async def get_policy(policy_id: PolicyId, pool: Annotated[asyncpg.Pool, Depends(get_pool)], reader: Reader) -> dict:
    async with pool.acquire() as conn:
        found = await reads.policy(conn, policy_id, reader)
    if found is None:
        raise NotFound(f"未找到政策 {policy_id} / policy {policy_id} not found", field="policy_id")
    return found
