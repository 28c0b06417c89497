"""Events published by the funding service on ``funding.events``. Amounts in integer fen."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.eventstore import DomainEvent

SERVICE = "funding"
FundSource = Literal["city_special", "district", "town", "unit", "other"]


class BudgetAppropriated(DomainEvent, type="BudgetAppropriated", version=1, service=SERVICE):
    """预算下达. Stream ``line-<line_id>``."""

    line_id: str
    source: FundSource = Field(description="市财政产业扶持专项补贴 / 区 / 镇 / 扶持单位自筹 / 其他")
    fiscal_year: int
    scope: str = Field(description="'city' or a district code")
    title: str
    amount_fen: int


class AppropriationAdjusted(DomainEvent, type="AppropriationAdjusted", version=1, service=SERVICE):
    line_id: str
    amount_fen: int = Field(description="调整后总额 / new total")
    previous_fen: int
    reason: str


class Tranche(BaseModel):
    model_config = ConfigDict(frozen=True)

    tranche_no: int
    amount_fen: int
    milestone_id: str | None = Field(None, description="放款所需节点 / milestone that releases it; None = payable now")


class AllocationEvent(DomainEvent):
    """What every event of an allocation names first: the allocation, its line and its village."""

    allocation_id: str
    line_id: str
    village_code: str


class DisbursementEvent(DomainEvent):
    """What every event of a disbursement names first."""

    disbursement_id: str
    allocation_id: str


class DisbursementOfLine(DisbursementEvent):
    """A disbursement's money movement: which line, which fund source, which village."""

    line_id: str
    source: FundSource
    village_code: str
    district: str


class DisbursementDecided(DisbursementEvent):
    """审批结果 / an approval or a rejection of the requested amount."""

    village_code: str
    district: str
    amount_fen: int


class FundsAllocated(DomainEvent, type="FundsAllocated", version=1, service=SERVICE):
    """资金分配到村（及项目、任务）. Stream ``allocation-<allocation_id>``."""

    allocation_id: str
    line_id: str
    source: FundSource
    fiscal_year: int
    village_code: str
    district: str
    project_id: str | None = None
    task_no: int | None = Field(None, ge=1, le=19)
    amount_fen: int
    tranches: list[Tranche] = Field(default_factory=list)


class AllocationAdjusted(AllocationEvent, type="AllocationAdjusted", version=1, service=SERVICE):
    amount_fen: int
    previous_fen: int
    reason: str
    tranches: list[Tranche] = Field(default_factory=list, description="调整后的分期 / the tranches after the change")


class AllocationCancelled(AllocationEvent, type="AllocationCancelled", version=1, service=SERVICE):
    released_fen: int = Field(description="退回预算的金额 / returned to the line (what was not disbursed)")
    reason: str


class AllocationFrozen(AllocationEvent, type="AllocationFrozen", version=1, service=SERVICE):
    """冻结: the village's designation was revoked; no new request until the city office decides."""

    district: str
    unspent_fen: int = Field(description="冻结时未拨付金额（已分配 − 已支付）/ allocated minus paid when frozen")
    revocation_reason: str | None = Field(
        None, description="registry 撤销认定的理由（如毕业、重新排序）/ why the designation ended, as registry gave it")
    run_id: str | None = Field(None, description="撤销认定的认定批次 / the screening run that revoked it, if any")


class FrozenRemainderReleased(AllocationEvent, type="FrozenRemainderReleased", version=1, service=SERVICE):
    """冻结余额退回预算线: the allocation ends, keeping exactly what it paid."""

    released_fen: int = Field(description="退回预算的金额 / returned to the line (what was not disbursed)")
    reason: str
    released_by: str | None = None


class FreezeExceptionRecorded(AllocationEvent, type="FreezeExceptionRecorded", version=1, service=SERVICE):
    """冻结例外: the city office lets a frozen allocation go on being paid, with the reason."""

    reason: str
    recorded_by: str | None = None


class AllocationUnfrozen(AllocationEvent, type="AllocationUnfrozen", version=1, service=SERVICE):
    """解冻: the village was designated again before the city office decided."""

    run_id: str | None = None


class TrancheReleased(DomainEvent, type="TrancheReleased", version=1, service=SERVICE):
    """A milestone verified in assessment made a tranche payable."""

    allocation_id: str
    tranche_no: int
    milestone_id: str
    amount_fen: int
    released_on: date


class DisbursementRequested(DisbursementOfLine, type="DisbursementRequested", version=1, service=SERVICE):
    """拨付申请. Stream ``disbursement-<disbursement_id>``."""

    project_id: str | None = None
    task_no: int | None = None
    tranche_no: int | None = None
    amount_fen: int
    requested_by: str | None = Field(None, description="申请人 / subject of the requester (four eyes)")


class DisbursementApproved(DisbursementDecided, type="DisbursementApproved", version=1, service=SERVICE):
    approved_by: str | None = Field(None, description="审批人 / subject of the approver, never the requester")


class DisbursementRejected(DisbursementDecided, type="DisbursementRejected", version=1, service=SERVICE):
    reason: str


class DisbursementPaid(DisbursementOfLine, type="DisbursementPaid", version=1, service=SERVICE):
    project_id: str | None = None
    task_no: int | None = None
    amount_fen: int
    paid_on: date
    voucher_no: str


class DisbursementReversed(DisbursementOfLine, type="DisbursementReversed", version=1, service=SERVICE):
    amount_fen: int
    reason: str


class PolicyRegistered(DomainEvent, type="PolicyRegistered", version=1, service=SERVICE):
    """政策集聚: a policy and who is eligible."""

    policy_id: str
    name: str
    description: str
    designated_only: bool = True
    village_types: list[str] = Field(default_factory=list, description="empty = any type")
    districts: list[str] = Field(default_factory=list, description="empty = every district")


class PolicyApplied(DomainEvent, type="PolicyApplied", version=1, service=SERVICE):
    policy_id: str
    village_code: str
    district: str
