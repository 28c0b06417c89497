"""The village aggregate: one administrative village in the programme's register."""

from __future__ import annotations

from pydantic_core import to_json

from shared.contracts.registry import (
    DesignationRevoked,
    TargetMet,
    VillageAttributes,
    VillageAttributesChanged,
    VillageDesignated,
    VillageIncomeCorrected,
    VillageRegistered,
)
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError

from services.registry.domain.commands import (
    ChangeVillageAttributes,
    CorrectIncome,
    GraduateVillage,
    RegisterVillage,
    to_fen,
)


def registration(cmd: RegisterVillage) -> dict:
    """The fields of the ``VillageRegistered`` that ``Village.register`` records, in the
    event's order, taken as they are: the command validated them."""
    return {
        "code": cmd.code,
        "name": cmd.name,
        "district": cmd.district,
        "town": cmd.town,
        "village_type": cmd.village_type.value,
        "income_fen": cmd.income_fen(),
        "needs": [n.value for n in cmd.needs],
    }


def registration_json(cmd: RegisterVillage) -> str:
    """A registration's ``VillageRegistered`` payload as JSON, built for thousands of rows at
    once (an import): the command validated every field already, so the event is not
    validated a second time; ``register`` records the same fields, validated."""
    return to_json(registration(cmd)).decode()


class Village(Aggregate):
    stream_prefix = "village"
    noun, key_field = "村", "village_code"

    district: str
    name: str
    town: str
    village_type: str
    needs: list[str]
    income_fen: dict[str, int]
    designated_by: str | None = None  # the screening run that designated it
    rank: int | None = None

    def register(self, cmd: RegisterVillage) -> None:
        if self.exists:
            raise Conflict(f"村代码 {cmd.code} 已登记 / village code {cmd.code} is already registered", field="code")
        self.record(VillageRegistered(**registration(cmd)))

    def correct_income(self, cmd: CorrectIncome) -> None:
        self.require_exists()
        previous, corrected = self.income_fen[cmd.year], to_fen(cmd.income)
        if previous == corrected:
            raise DomainError(
                f"{cmd.year} 年收入已是 {cmd.income} 元，无需更正 / {cmd.year} income is already {cmd.income}",
                field="income",
            )
        self.record(
            VillageIncomeCorrected(
                code=self.key, district=self.district, year=cmd.year,
                income_fen=corrected, previous_fen=previous, reason=cmd.reason,
            )
        )

    def designate(self, run_id: str, rank: int, average_fen: int) -> None:
        self.record(VillageDesignated(code=self.key, district=self.district, run_id=run_id, rank=rank, average_fen=average_fen))

    def revoke(self, run_id: str, reason: str) -> None:
        """A superseding run left the village out (graduation is ``graduate``)."""
        self.record(DesignationRevoked(code=self.key, district=self.district, run_id=run_id, reason=reason,
                                       reason_code="rescreened"))

    def graduate(self, cmd: GraduateVillage) -> None:
        """达标出列: only a designated village leaves the list, and only on the city office's word."""
        self.require_exists()
        if self.designated_by is None:
            raise Conflict(f"村 {self.key} 当前不是经济薄弱村，无从出列 / village {self.key} is not designated now",
                           field="village_code")
        self.record(DesignationRevoked(
            code=self.key, district=self.district, run_id=self.designated_by, reason=cmd.reason,
            reason_code="graduated", met_target=TargetMet(year=cmd.year, income_fen=to_fen(cmd.income))))

    def change_attributes(self, cmd: ChangeVillageAttributes) -> None:
        self.require_exists()
        before = VillageAttributes(town=self.town, village_type=self.village_type, needs=self.needs)
        after = VillageAttributes(
            town=cmd.town if cmd.town is not None else self.town,
            village_type=cmd.village_type.value if cmd.village_type is not None else self.village_type,
            needs=list(dict.fromkeys(n.value for n in cmd.needs)) if cmd.needs is not None else self.needs,
        )
        changed = [f for f in ("town", "village_type", "needs") if getattr(after, f) != getattr(before, f)]
        if not changed:
            raise DomainError("没有变化 / nothing changes", field="reason")
        self.record(VillageAttributesChanged(code=self.key, district=self.district, town=after.town,
                                             village_type=after.village_type, needs=after.needs, changed=changed,
                                             previous=before, reason=cmd.reason))

    def when_VillageRegistered(self, event: VillageRegistered) -> None:
        self.district = event.district
        self.name = event.name
        self.town = event.town
        self.village_type = event.village_type.value
        self.needs = list(event.needs)
        self.income_fen = dict(event.income_fen)

    def when_VillageAttributesChanged(self, event: VillageAttributesChanged) -> None:
        self.town, self.village_type, self.needs = event.town, event.village_type.value, list(event.needs)

    def when_VillageIncomeCorrected(self, event: VillageIncomeCorrected) -> None:
        self.income_fen[event.year] = event.income_fen

    def when_VillageDesignated(self, event: VillageDesignated) -> None:
        self.designated_by, self.rank = event.run_id, event.rank

    def when_DesignationRevoked(self, event: DesignationRevoked) -> None:
        self.designated_by = self.rank = None
