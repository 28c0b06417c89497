"""规则目录 / the rule catalogue: read by every official, changed by the city office."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from shared.eventstore import NotFound
from shared.http.deps import Store

from services.monitoring.domain.rules import CATALOGUE, ChangeRule
from services.monitoring.entrypoints.deps import CityOffice, Run, Scope
from services.monitoring.entrypoints.schemas import RuleView, RuleWithHistory
from services.monitoring.queries import rules as reads

router = APIRouter(prefix="/rules", tags=["规则 rules"])
RuleId = Annotated[str, Path(max_length=60, description="规则编号 / rule id, e.g. disbursement.awaiting_approval")]


@router.get("", summary="规则目录（当前版本）/ the catalogue, each rule's latest version")
async def list_rules(store: Store, _: Scope) -> list[RuleView]:
    return [RuleView(**r) for r in await reads.latest(store)]


@router.get("/{rule_id}", summary="规则及其各版本 / a rule with all its versions")
async def get_rule(rule_id: RuleId, store: Store, _: Scope) -> RuleWithHistory:
    if rule_id not in CATALOGUE:
        raise NotFound(f"没有规则 {rule_id} / no rule {rule_id}", field="rule_id", location="path")
    versions = await reads.versions(store, rule_id)
    return RuleWithHistory(**versions[-1], versions=[RuleView(**v) for v in versions])


@router.put("/{rule_id}", summary="修改规则（新版本，自生效日起适用）/ change a rule: a new version from effective_on",
            responses={409: {"description": "生效日已结账 / effective_on is a closed business day"}})
async def change_rule(rule_id: RuleId, cmd: ChangeRule, _: CityOffice, run: Run) -> RuleView:
    return RuleView(**await run(cmd, rule_id=rule_id))
