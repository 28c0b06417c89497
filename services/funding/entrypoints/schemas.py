"""What funding's routes answer, as pydantic models: the OpenAPI document describes the
bodies the routes really return (amounts are yuan strings with two decimals; dates ISO 8601)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from shared.contracts.funding import FundSource

Money = Annotated[str, Field(description="金额（元，两位小数）/ yuan, two decimals", examples=["1000.00"])]
Day = Annotated[date, Field(description="业务日期 / business date (Asia/Shanghai)")]
Version = Annotated[int, Field(description="聚合流版本 / the aggregate's stream version after the command")]


# -- what commands answer: the balances after the change --------------------------------

class LineFigures(BaseModel):
    line_id: str
    scope: str = Field(description="'city' 市级或区代码 / 'city' or a district code")
    appropriated: Money
    allocated: Money
    paid: Money
    unallocated: Money = Field(description="未分配 / appropriated − allocated")


class AllocationFigures(BaseModel):
    allocation_id: str
    allocated: Money
    released: Money = Field(description="已放款（可申请）/ released, i.e. payable")
    committed: Money = Field(description="在途申请占用 / reserved by open requests")
    paid: Money
    available: Money = Field(description="尚可申请 / what may still be requested")
    cancelled: bool


class AllocationAdjusted(AllocationFigures):
    line: LineFigures = Field(description="预算线变动后 / the line after the change")


class AllocationMade(AllocationAdjusted):
    released_tranches: list[int] = Field(description="节点已验收、随即放款的期次 / tranches released at once")


class AllocationCancelled(AllocationAdjusted):
    returned: Money = Field(description="退回预算线 / returned to the line")


class FrozenRemainderReleased(AllocationCancelled):
    frozen: bool


class FreezeExceptionRecorded(AllocationFigures):
    frozen: bool
    exception: str = Field(description="例外理由 / the exception's reason")


class DisbursementState(BaseModel):
    disbursement_id: str
    allocation_id: str
    tranche_no: int | None
    amount: Money
    status: str = Field(description="requested / approved / rejected / paid / reversed")
    stream_version: Version


class DisbursementMoved(DisbursementState):
    allocation: AllocationFigures = Field(description="分配变动后 / the allocation after the change")


class PolicyRegistered(BaseModel):
    policy_id: str
    stream_version: Version


class PolicyApplied(BaseModel):
    policy_id: str
    applied: list[str] = Field(description="本次落地的村 / villages applied to now")
    already_applied: list[str] = Field(description="此前已落地 / villages it had reached before")


# -- reads, from the ledger projection -------------------------------------------------

class Line(LineFigures):
    source: FundSource
    fiscal_year: int
    title: str
    appropriated_on: Day


class Lines(BaseModel):
    items: list[Line]


class Tranche(BaseModel):
    tranche_no: int
    amount: Money
    milestone_id: str | None
    payable: bool = Field(description="无节点或节点已验收 / no milestone, or its milestone verified")
    released_on: Day | None


class _Placed(BaseModel):
    """Where money goes: from which line, to which village, project and task."""

    line_id: str
    source: FundSource
    village_code: str
    district: str
    project_id: str | None
    task_no: int | None


class Allocation(_Placed):
    allocation_id: str
    fiscal_year: int
    village_name: str | None
    status: str = Field(description="active / frozen / cancelled")
    freeze_reason: str | None = Field(description="冻结原因（撤销认定）/ why it is frozen (designation revoked)")
    freeze_exception: str | None = Field(description="市办登记的例外 / the city office's exception")
    allocated_on: Day
    allocated: Money
    paid: Money
    pending: Money = Field(description="在途申请 / requested or approved, not yet paid")
    unpaid: Money
    tranches: list[Tranche]


class _Payment(_Placed):
    disbursement_id: str
    allocation_id: str
    tranche_no: int | None
    amount: Money
    status: str = Field(description="requested / approved / rejected / paid / reversed")
    requested_by: str | None
    requested_on: Day
    approved_by: str | None
    approved_on: Day | None
    paid_on: Day | None
    voucher_no: str | None
    reversed_on: Day | None
    reverse_reason: str | None


class Disbursement(_Payment):
    rejected_on: Day | None
    reject_reason: str | None


class AllocationWithPayments(Allocation):
    disbursements: list[Disbursement]


class Allocations(BaseModel):
    items: list[Allocation]
    next_after: str | None = Field(description="下一页从此编号之后 / pass as `after` for the next page; null: last page")


class Disbursements(BaseModel):
    items: list[Disbursement]
    next_after: str | None = Field(description="下一页从此编号之后 / pass as `after` for the next page; null: last page")


class _Policy(BaseModel):
    policy_id: str
    name: str
    description: str
    designated_only: bool
    village_types: list[str]
    districts: list[str]
    registered_on: Day


class PolicySummary(_Policy):
    villages: int = Field(description="已落地村数 / villages reached")


class PolicyVillage(BaseModel):
    village_code: str
    district: str
    applied_on: Day


class Policy(_Policy):
    villages: list[PolicyVillage] = Field(description="落地的村（本人可见范围内）/ villages reached, within your scope")


class Policies(BaseModel):
    items: list[PolicySummary]


class Village(BaseModel):
    code: str
    name: str
    district: str
    town: str
    village_type: str
    designated: bool


class VillagePolicy(BaseModel):
    policy_id: str
    name: str
    description: str
    applied_on: Day


class VillageTotals(BaseModel):
    allocated: Money
    paid: Money
    pending: Money


class VillagePage(BaseModel):
    village: Village
    policies: list[VillagePolicy]
    allocations: list[Allocation]
    payments: list[Disbursement]
    totals: VillageTotals


# -- reconciliation ----------------------------------------------------------------------

class _Figures(BaseModel):
    appropriated: Money
    allocated: Money
    paid: Money


class BySource(_Figures):
    source: str


class ByDistrict(_Figures):
    district: str


class _InPeriod(BaseModel):
    allocated: Money = Field(description="截至期末 / as of the period's end")
    paid: Money = Field(description="截至期末 / as of the period's end")
    allocated_in_period: Money
    paid_in_period: Money


class ReconciledLine(_InPeriod):
    line_id: str
    source: str
    fiscal_year: int
    scope: str
    title: str
    appropriated: Money
    appropriated_in_period: Money
    unallocated: Money


class ReconciledAllocation(_InPeriod, _Placed):
    allocation_id: str
    fiscal_year: int
    village_name: str | None
    status: str
    pending: Money
    unpaid: Money
    flags: list[str] = Field(description="该分配的异常类别 / kinds of break found on it")


class ReconciledPayment(_Payment):
    village_name: str | None


class Break(BaseModel):
    kind: str = Field(description="异常类别 / kind of break, e.g. payment_without_approval")
    message: str
    on_date: Day
    line_id: str
    allocation_id: str | None
    disbursement_id: str | None
    district: str | None
    source: str
    amount: Money
    limit: Money | None = Field(description="当时的限额 / the limit at that moment")
    total: Money | None = Field(description="当时的合计 / the total at that moment")


class Traced(BaseModel):
    allocated_by_lines: Money
    allocated_by_allocations: Money
    paid_by_lines: Money
    paid_by_allocations: Money
    balanced: bool = Field(description="预算线与分配两边相符 / lines and allocations agree")


class Reconciliation(BaseModel):
    start: Day = Field(alias="from")
    end: Day = Field(alias="to")
    district: str | None
    source: str | None
    totals: dict[str, Money] = Field(
        description="全市：下达、分配、支付及期内发生额；按区：分配、支付、期内发生额与在途 / city-wide: appropriated, "
        "allocated, paid and their in-period movements; for a district: allocated, paid, in-period and pending")
    by_source: list[BySource]
    by_district: list[ByDistrict]
    lines: list[ReconciledLine]
    allocations: list[ReconciledAllocation]
    payments: list[ReconciledPayment]
    breaks: list[Break]
    traced: Traced
