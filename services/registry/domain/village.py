"""The village aggregate: one administrative village in the programme's register."""

from __future__ import annotations

from shared.contracts.registry import VillageRegistered
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict

from services.registry.domain.commands import RegisterVillage


class Village(Aggregate):
    stream_prefix = "village"

    def register(self, cmd: RegisterVillage) -> None:
        if self.exists:
            raise Conflict(f"村代码 {cmd.code} 已登记 / village code {cmd.code} is already registered", field="code")
        self.record(
            VillageRegistered(
                code=cmd.code,
                name=cmd.name,
                district=cmd.district,
                town=cmd.town,
                village_type=cmd.village_type,
                income_fen=cmd.income_fen(),
            )
        )

    def when_VillageRegistered(self, event: VillageRegistered) -> None:
        self.district = event.district
        self.name = event.name
