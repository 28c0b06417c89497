"""政策集聚 / policy bundles: register a policy, apply it to eligible villages."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import DomainError
from shared.eventstore.unit_of_work import register_new

from services.funding.domain.access import FinanceScope
from services.funding.domain.commands import ApplyPolicy, RegisterPolicy
from services.funding.domain.policy import Policy, PolicyApplication
from services.funding.handlers.ports import directory


async def register(uow: UnitOfWork, cmd: RegisterPolicy, scope: FinanceScope) -> dict:
    # A district may bundle policies for its own villages only; a city-wide policy is the city's.
    for district in cmd.districts or ["city"]:
        scope.ensure(district, field="districts")
    policy = await register_new(uow, Policy, cmd.policy_id, cmd)
    return {"policy_id": cmd.policy_id, "stream_version": policy.version}


async def apply(uow: UnitOfWork, cmd: ApplyPolicy, scope: FinanceScope, *, policy_id: str) -> dict:
    policy = await uow.load(Policy, policy_id)
    policy.require_exists()
    if cmd.mode == "listed":
        found = {v.code: v for v in await directory(uow).villages(
            cmd.village_codes, designated_only=False, village_types=[], districts=[])}
        refused = {}
        for code in cmd.village_codes:
            village = found.get(code)
            why = ["未登记 / not in the register"] if village is None else policy.failures(village)
            if village is not None:
                scope.ensure(village.district, field="village_codes")
            if why:
                refused[code] = why
        if refused:
            raise DomainError(
                "以下村不符合政策条件，未落地任何村 / these villages are not eligible, nothing was applied: "
                + "; ".join(f"{code}: {'，'.join(why)}" for code, why in refused.items()),
                field="village_codes",
            )
        targets = [found[c] for c in dict.fromkeys(cmd.village_codes)]
    else:
        targets = [v for v in await directory(uow).villages(
            None, designated_only=policy.designated_only, village_types=policy.village_types,
            districts=policy.districts) if not policy.failures(v) and scope.covers(v.district)]
    applied, before = [], []
    for village in targets:
        application = await uow.load(PolicyApplication, PolicyApplication.key_for(policy_id, village.code))
        if application.apply(policy, village):
            await uow.save(application)
            applied.append(village.code)
        else:
            before.append(village.code)
    return {"policy_id": policy_id, "applied": applied, "already_applied": before}
