"""Policy bundles (政策集聚): a policy with eligibility rules, applied village by village.

Each application is its own small stream (``policyapp-<policy>:<village>``) so that a
policy reaching thousands of villages never makes one long stream to load.
"""

from __future__ import annotations

from shared.contracts.funding import PolicyApplied, PolicyRegistered
from shared.eventstore import Aggregate
from shared.reference.places import DISTRICTS, VILLAGE_TYPE_LABELS, VillageType

from services.funding.domain.commands import RegisterPolicy
from services.funding.domain.named import Named
from services.funding.domain.villages import VillageInfo


class Policy(Named):
    stream_prefix = "policy"
    noun = "政策"
    taken = "已登记"

    def register(self, cmd: RegisterPolicy) -> None:
        self.ensure_new()
        self.record(PolicyRegistered(policy_id=cmd.policy_id, name=cmd.name, description=cmd.description,
                                     designated_only=cmd.designated_only,
                                     village_types=[t.value for t in cmd.village_types], districts=cmd.districts))

    def failures(self, village: VillageInfo) -> list[str]:
        """Why ``village`` is not eligible; empty when it is."""
        why = []
        if self.designated_only and not village.designated:
            why.append("非经济薄弱村 / not a designated weak village")
        if self.village_types and village.village_type not in self.village_types:
            wanted = "、".join(VILLAGE_TYPE_LABELS[VillageType(t)] for t in self.village_types)
            why.append(f"村类型不符（限{wanted}）/ village type {village.village_type} not in {self.village_types}")
        if self.districts and village.district not in self.districts:
            wanted = "、".join(DISTRICTS.get(d, d) for d in self.districts)
            why.append(f"不在适用区（{wanted}）/ district {village.district} not in {self.districts}")
        return why

    def when_PolicyRegistered(self, event: PolicyRegistered) -> None:
        self.name = event.name
        self.designated_only = event.designated_only
        self.village_types = event.village_types
        self.districts = event.districts


class PolicyApplication(Aggregate):
    stream_prefix = "policyapp"

    @staticmethod
    def key_for(policy_id: str, village_code: str) -> str:
        return f"{policy_id}:{village_code}"  # the village code is the last 12 digits: unambiguous

    def apply(self, policy: Policy, village: VillageInfo) -> bool:
        """Record the application; False when it was applied before (applying twice is a no-op)."""
        if self.exists:
            return False
        self.record(PolicyApplied(policy_id=policy.key, village_code=village.code, district=village.district))
        return True
