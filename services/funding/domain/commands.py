"""Commands the funding service accepts. Pure data with validation; no IO.

Ids are chosen by the client (a budget office's own line numbers, a voucher's request
number), so that a retry or a re-run of a scenario names the same thing again.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.contracts.funding import FundSource
from shared.dates import IsoDate
from shared.reference.places import VILLAGE_TYPE_BY_LABEL, VillageType, district_code

from shared.money import Yuan, YuanOrZero, to_fen, yuan

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$", description="客户端指定的编号 / client-chosen id")]
Reason = Annotated[str, Field(min_length=1, max_length=500, description="理由 / reason")]
VillageCode = Annotated[str, Field(pattern=r"^\d{12}$", description="村代码 / 12-digit village code")]


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Amount(_Command):
    """A command with an ``amount`` in yuan (each declares its own bounds), kept in fen."""

    @property
    def amount_fen(self) -> int:
        return to_fen(self.amount)  # type: ignore[attr-defined] - a field of each subclass, in its own place


class AppropriateBudget(_Amount):
    """预算下达 / appropriate a budget line."""

    line_id: Id
    source: FundSource = Field(
        description="资金来源 / source: city_special 市财政产业扶持专项补贴资金, district 区级资金, town 镇级资金, "
        "unit 扶持单位自筹, other 其他"
    )
    fiscal_year: int = Field(ge=2021, le=2100, description="预算年度 / fiscal year")
    scope: str = Field(description="'city' 市级，或区（名称或代码）/ 'city' or a district by name or code")
    title: str = Field(min_length=1, max_length=200, description="预算项目名称 / title")
    amount: Yuan

    @field_validator("scope")
    @classmethod
    def known_scope(cls, value: str) -> str:
        return "city" if value.strip().lower() in ("city", "市级", "全市") else district_code(value)


class AdjustAppropriation(_Amount):
    """调整预算 / change a line's total (not below what is allocated from it)."""

    amount: YuanOrZero = Field(description="调整后总额（元）/ the new total in yuan")
    reason: Reason


class TrancheInput(_Amount):
    tranche_no: int = Field(ge=1, le=50, description="期次 / tranche number")
    amount: Yuan
    milestone_id: str | None = Field(
        None, max_length=80, description="放款所需项目节点 / milestone that releases it; empty = payable at once"
    )


def _check_tranches(tranches: list[TrancheInput], amount_fen: int) -> None:
    if not tranches:
        return
    numbers = [t.tranche_no for t in tranches]
    if len(set(numbers)) != len(numbers):
        raise ValueError("分期期次重复 / tranche numbers must be distinct")
    total = sum(t.amount_fen for t in tranches)
    if total != amount_fen:
        raise ValueError(
            f"各期金额之和 {yuan(total)} 元应等于分配金额 {yuan(amount_fen)} 元 / "
            f"tranches sum to {yuan(total)} yuan, the allocation is {yuan(amount_fen)} yuan"
        )


class AllocateFunds(_Amount):
    """资金分配到村 / allocate money from a line to a designated village (and a project, a task)."""

    allocation_id: Id
    line_id: Id
    village_code: VillageCode
    project_id: Id | None = Field(None, description="项目编号（考核服务）/ project id in the assessment service")
    task_no: int | None = Field(None, ge=1, le=19, description="19项重点任务之一 / one of the 19 key tasks")
    amount: Yuan
    tranches: list[TrancheInput] = Field(
        default_factory=list, max_length=50,
        description="分期（可选，合计须等于金额）/ optional tranches summing to the amount",
    )

    @model_validator(mode="after")
    def tranches_add_up(self) -> AllocateFunds:
        _check_tranches(self.tranches, self.amount_fen)
        if self.project_id is None and any(t.milestone_id for t in self.tranches):
            raise ValueError("按节点放款的分期须关联项目 / tranches tied to milestones need a project_id")
        return self


class AdjustAllocation(_Amount):
    """调整分配 / change an allocation's amount (not below what it has committed)."""

    amount: YuanOrZero = Field(description="调整后金额（元）/ the new amount in yuan")
    reason: Reason
    tranches: list[TrancheInput] = Field(
        default_factory=list, max_length=50,
        description="分期分配须给出调整后的各期（期次与节点不变）/ for a tranched allocation: its tranches after the change "
        "(same numbers and milestones)",
    )

    @model_validator(mode="after")
    def tranches_add_up(self) -> AdjustAllocation:
        _check_tranches(self.tranches, self.amount_fen)
        return self


class CancelAllocation(_Command):
    """撤销分配 / cancel an allocation: what was not paid returns to its line."""

    reason: Reason


class ReleaseFrozenRemainder(_Command):
    """冻结余额退回 / the city office returns a frozen allocation's unpaid remainder to its line."""

    reason: Reason


class RecordFreezeException(_Command):
    """登记冻结例外 / the city office lets a frozen allocation go on being paid, with the reason."""

    reason: Reason


class RequestDisbursement(_Amount):
    """拨付申请 / request a payment out of an allocation (or one of its tranches)."""

    disbursement_id: Id
    allocation_id: Id
    amount: Yuan
    tranche_no: int | None = Field(None, ge=1, le=50, description="分期分配须指明期次 / tranche, for a tranched allocation")


class ApproveDisbursement(_Command):
    """审批通过 / approve (someone other than the requester)."""

    note: str | None = Field(None, max_length=500, description="审批意见 / note")


class RejectDisbursement(_Command):
    """驳回 / reject, with the reason."""

    reason: Reason


class PayDisbursement(_Command):
    """支付 / record the payment of an approved request."""

    voucher_no: str = Field(min_length=1, max_length=80, description="支付凭证号 / payment voucher number")
    paid_on: IsoDate | None = Field(None, description="支付日期（默认业务发生日）/ payment date; default: the business date")


class ReverseDisbursement(_Command):
    """冲销 / reverse a payment, with the reason."""

    reason: Reason


class RegisterPolicy(_Command):
    """登记政策（政策集聚）/ register a policy and who is eligible."""

    policy_id: Id
    name: str = Field(min_length=1, max_length=200, description="政策名称 / name")
    description: str = Field("", max_length=4000, description="内容 / what it gives")
    designated_only: bool = Field(True, description="仅限经济薄弱村 / only designated weak villages")
    village_types: list[VillageType] = Field(default_factory=list, description="适用村类型，空为不限 / empty = any type")
    districts: list[str] = Field(default_factory=list, description="适用区，空为全市 / empty = every district")

    @field_validator("village_types", mode="before")
    @classmethod
    def types_by_label(cls, value: object) -> object:
        if isinstance(value, list):
            return [VILLAGE_TYPE_BY_LABEL.get(v, v) if isinstance(v, str) else v for v in value]
        return value

    @field_validator("districts")
    @classmethod
    def known_districts(cls, value: list[str]) -> list[str]:
        return sorted({district_code(d) for d in value})


class ApplyPolicy(_Command):
    """政策落地到村 / apply a policy to villages (default: every eligible village)."""

    village_codes: list[VillageCode] = Field(
        default_factory=list, max_length=5000, description="村代码，空为全部符合条件的村 / empty = every eligible village"
    )
    mode: Literal["listed", "all_eligible"] = Field(
        "listed", description="listed: 仅所列村，不符合条件即拒绝 / refuse an ineligible listed village; "
        "all_eligible: 全部符合条件的村 / every eligible village in the directory",
    )

    @model_validator(mode="after")
    def something_to_apply(self) -> ApplyPolicy:
        if self.mode == "listed" and not self.village_codes:
            raise ValueError("请列出村代码或选择 all_eligible / list village codes or use mode all_eligible")
        return self
