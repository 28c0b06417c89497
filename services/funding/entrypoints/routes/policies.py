"""政策集聚 / policy bundles."""

from __future__ import annotations

from fastapi import APIRouter

from shared.eventstore import NotFound
from shared.http.command_routes import CommandRoutes

from services.funding.domain.commands import ApplyPolicy, RegisterPolicy
from services.funding.entrypoints.deps import Conn, LinesReader, PolicyId, Reader, Run, Writer
from services.funding.entrypoints.schemas import Policies, Policy, PolicyApplied, PolicyRegistered
from services.funding.queries import reads

router = APIRouter(prefix="/policies", tags=["政策 policies"])


writes = CommandRoutes(router.post, Run, Writer, policy_id=PolicyId)
writes.add("", RegisterPolicy, PolicyRegistered, name="register", status_code=201,
           summary="登记政策及适用条件 / register a policy and its eligibility rules")
writes.add("/{policy_id}/apply", ApplyPolicy, PolicyApplied, name="apply",
           summary="政策落地到村 / apply a policy to villages",
           description="listed：所列村须全部符合条件，否则一个也不落地；all_eligible：名录中全部符合条件的村（在本人范围内）/ "
           "listed: every listed village must be eligible or none is applied; all_eligible: every eligible village in "
           "the directory within your scope. 重复落地不重复记录 / applying twice records once.")


@router.get("", summary="政策列表 / policies")
async def list_policies(conn: Conn, reader: LinesReader) -> Policies:
    return {"items": await reads.policies(conn, reader)}


@router.get("/{policy_id}", summary="一项政策及落地的村 / a policy and the villages it reaches")
async def get_policy(policy_id: PolicyId, conn: Conn, reader: Reader) -> Policy:
    found = await reads.policy(conn, policy_id, reader)
    if found is None:
        raise NotFound(f"未找到政策 {policy_id} / policy {policy_id} not found", field="policy_id")
    return found
