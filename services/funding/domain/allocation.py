"""The allocation aggregate: money from one line to one village, optionally in tranches.

A tranche without a milestone is payable at once; one tied to a milestone becomes
payable when assessment verifies that milestone (``release``), which is idempotent so
that a redelivered or replayed verification never releases twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.contracts.funding import (
    AllocationAdjusted,
    AllocationCancelled,
    AllocationFrozen,
    AllocationUnfrozen,
    DisbursementRequested,
    FreezeExceptionRecorded,
    FrozenRemainderReleased,
    FundsAllocated,
    Tranche,
    TrancheReleased,
)
from shared.eventstore.errors import Conflict, DomainError

from services.funding.domain.commands import AllocateFunds, TrancheInput
from services.funding.domain.line import BudgetLine
from services.funding.domain.named import Named
from services.funding.domain.villages import VillageInfo


@dataclass
class TrancheState:
    amount_fen: int
    milestone_id: str | None
    released: bool


# Where the money goes, as an allocation and each of its disbursements record it.
PLACE = ("line_id", "source", "village_code", "district", "project_id", "task_no")


def take_place(aggregate: Named, event: FundsAllocated | DisbursementRequested) -> None:
    for name in PLACE:
        setattr(aggregate, name, getattr(event, name))


class Allocation(Named):
    stream_prefix = "allocation"
    noun = "分配"

    def allocate(self, cmd: AllocateFunds, line: BudgetLine, village: VillageInfo) -> None:
        self.ensure_new()
        line.require_exists()
        if line.scope != "city" and line.scope != village.district:
            raise DomainError(
                f"区级预算线 {line.key}（{line.scope}）只能分配给本区的村，村 {village.code} 属于 {village.district} / "
                f"district line {line.key} ({line.scope}) funds only its own district's villages; "
                f"{village.code} is in {village.district}",
                field="village_code",
            )
        self.record(
            FundsAllocated(
                allocation_id=cmd.allocation_id, line_id=line.key, source=line.source, fiscal_year=line.fiscal_year,
                village_code=village.code, district=village.district, project_id=cmd.project_id,
                task_no=cmd.task_no, amount_fen=cmd.amount_fen,
                tranches=[Tranche(tranche_no=t.tranche_no, amount_fen=t.amount_fen, milestone_id=t.milestone_id)
                          for t in cmd.tranches],
            )
        )

    def adjust(self, amount_fen: int, reason: str, tranches: list[TrancheInput]) -> None:
        self.ensure_open()
        if self.tranches:
            given = {t.tranche_no: t.milestone_id for t in tranches}
            mine = {no: t.milestone_id for no, t in self.tranches.items()}
            if given != mine:
                raise DomainError(
                    "分期分配调整须给出原有各期的新金额，期次与节点不变 / a tranched allocation is adjusted by giving "
                    f"new amounts for its tranches {sorted(mine)} with the same milestones",
                    field="tranches",
                )
        elif tranches:
            raise DomainError("该分配未分期 / this allocation has no tranches", field="tranches")
        self.record(
            AllocationAdjusted(
                allocation_id=self.key, line_id=self.line_id, village_code=self.village_code, amount_fen=amount_fen,
                previous_fen=self.amount_fen, reason=reason,
                tranches=[Tranche(tranche_no=t.tranche_no, amount_fen=t.amount_fen, milestone_id=t.milestone_id)
                          for t in sorted(tranches, key=lambda t: t.tranche_no)],
            )
        )

    def cancel(self, paid_fen: int, reason: str) -> None:
        self.ensure_open()
        self.record(
            AllocationCancelled(allocation_id=self.key, line_id=self.line_id, village_code=self.village_code,
                                released_fen=self.amount_fen - paid_fen, reason=reason)
        )

    def freeze(self, paid_fen: int, revocation_reason: str | None, run_id: str | None) -> bool:
        """The village is no longer designated: stop new requests. Idempotent (a redelivered
        revocation, or one for an allocation already frozen, closed or excepted, does nothing)."""
        if not self.exists or self.cancelled or self.frozen or self.excepted:
            return False
        self.record(AllocationFrozen(allocation_id=self.key, line_id=self.line_id, village_code=self.village_code,
                                     district=self.district, unspent_fen=self.amount_fen - paid_fen,
                                     revocation_reason=revocation_reason, run_id=run_id))
        return True

    def unfreeze(self, run_id: str | None) -> bool:
        """Designated again before the city office decided: the freeze is lifted."""
        if not self.exists or not self.frozen:
            return False
        self.record(AllocationUnfrozen(allocation_id=self.key, line_id=self.line_id, village_code=self.village_code,
                                       run_id=run_id))
        return True

    def release_frozen(self, paid_fen: int, reason: str, by: str | None) -> int:
        """The city office returns what was not paid to the line; the allocation ends."""
        self.ensure_frozen()
        returned = self.amount_fen - paid_fen
        self.record(FrozenRemainderReleased(allocation_id=self.key, line_id=self.line_id,
                                            village_code=self.village_code, released_fen=returned, reason=reason,
                                            released_by=by))
        return returned

    def record_exception(self, reason: str, by: str | None) -> None:
        """The city office lets this allocation go on being paid although the village left the list."""
        self.ensure_frozen()
        self.record(FreezeExceptionRecorded(allocation_id=self.key, line_id=self.line_id,
                                            village_code=self.village_code, reason=reason, recorded_by=by))

    def ensure_frozen(self) -> None:
        self.ensure_open()
        if not self.frozen:
            raise Conflict(f"分配 {self.key} 未冻结 / allocation {self.key} is not frozen", field="allocation_id")

    def ensure_not_frozen(self) -> None:
        """A frozen allocation takes no new request and no change of amount until the city
        office releases its remainder or records an exception."""
        if self.frozen:
            why = f"（{self.revocation_reason}）" if self.revocation_reason else ""
            why_en = f" ({self.revocation_reason})" if self.revocation_reason else ""
            raise Conflict(
                f"村 {self.village_code} 已撤销经济薄弱村认定{why}，分配 {self.key} 已冻结，待市办退回余额或登记例外 / "
                f"village {self.village_code} is no longer designated{why_en}: allocation {self.key} is frozen until "
                "the city office releases its remainder or records an exception",
                field="allocation_id", frozen=True, revocation_reason=self.revocation_reason,
            )

    def release(self, milestone_id: str, released_on: date) -> list[int]:
        """Make payable every unreleased tranche tied to ``milestone_id``; returns their numbers.
        A tranche already released, or an allocation cancelled, is left as it is."""
        if not self.exists or self.cancelled:
            return []
        released = []
        for no, tranche in sorted(self.tranches.items()):
            if tranche.milestone_id == milestone_id and not tranche.released:
                self.record(TrancheReleased(allocation_id=self.key, tranche_no=no, milestone_id=milestone_id,
                                            amount_fen=tranche.amount_fen, released_on=released_on))
                released.append(no)
        return released

    def withdraw_unreleased(self, milestone_ids: set[str] | None, reason: str) -> dict[int, int]:
        """Return to the line the tranches that will never be released (their milestone, or
        the whole project, was cancelled in assessment): ``{tranche_no: amount}`` withdrawn.
        Idempotent: a withdrawn tranche is empty, so a second call finds nothing."""
        if not self.exists or self.cancelled:
            return {}
        gone = {no: t.amount_fen for no, t in sorted(self.tranches.items())
                if not t.released and t.amount_fen > 0 and (milestone_ids is None or t.milestone_id in milestone_ids)}
        if not gone:
            return {}
        remaining = self.amount_fen - sum(gone.values())
        if remaining == 0:  # nothing was ever payable, so nothing was paid: the allocation ends
            self.record(AllocationCancelled(allocation_id=self.key, line_id=self.line_id,
                                            village_code=self.village_code, released_fen=self.amount_fen,
                                            reason=reason))
        else:
            self.record(AllocationAdjusted(
                allocation_id=self.key, line_id=self.line_id, village_code=self.village_code, amount_fen=remaining,
                previous_fen=self.amount_fen, reason=reason,
                tranches=[Tranche(tranche_no=no, amount_fen=0 if no in gone else t.amount_fen,
                                  milestone_id=t.milestone_id) for no, t in sorted(self.tranches.items())],
            ))
        return gone

    def ensure_open(self) -> None:
        self.require_exists()
        if self.cancelled:
            raise Conflict(f"分配 {self.key} 已撤销 / allocation {self.key} is cancelled", field="allocation_id")

    def when_FundsAllocated(self, event: FundsAllocated) -> None:
        take_place(self, event)
        self.amount_fen = event.amount_fen
        self.cancelled = False
        self.frozen = self.excepted = False
        self.revocation_reason: str | None = None
        self.tranches = {
            t.tranche_no: TrancheState(t.amount_fen, t.milestone_id, released=t.milestone_id is None)
            for t in event.tranches
        }

    def when_AllocationAdjusted(self, event: AllocationAdjusted) -> None:
        self.amount_fen = event.amount_fen
        for t in event.tranches:
            self.tranches[t.tranche_no].amount_fen = t.amount_fen

    def when_AllocationCancelled(self, event: AllocationCancelled) -> None:
        self.amount_fen -= event.released_fen
        self.cancelled = True

    def when_AllocationFrozen(self, event: AllocationFrozen) -> None:
        self.frozen, self.revocation_reason = True, event.revocation_reason

    def when_AllocationUnfrozen(self, event: AllocationUnfrozen) -> None:
        self.frozen, self.revocation_reason = False, None

    def when_FrozenRemainderReleased(self, event: FrozenRemainderReleased) -> None:
        self.amount_fen -= event.released_fen
        self.cancelled, self.frozen = True, False

    def when_FreezeExceptionRecorded(self, event: FreezeExceptionRecorded) -> None:
        self.frozen, self.excepted = False, True

    def when_TrancheReleased(self, event: TrancheReleased) -> None:
        self.tranches[event.tranche_no].released = True
