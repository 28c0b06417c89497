"""The money invariants, as pure checks on current figures: paid ≤ allocated ≤ appropriated.

Each refusal names the limit and the amounts in yuan, so an official can see at once
what is left and why the request does not fit. The figures come from the balance rows
the handler has locked, so a check and the update it guards see the same numbers.

What a request reserves: a disbursement counts against its allocation from the moment
it is requested until it is rejected (or reversed after payment). Pending and approved
requests are "committed"; an approval can therefore never overshoot, and the approver
sees a request that is already known to fit.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.eventstore.errors import Conflict, DomainError

from shared.money import yuan


@dataclass(frozen=True)
class LineFigures:
    line_id: str
    scope: str
    appropriated_fen: int
    allocated_fen: int
    paid_fen: int

    @property
    def unallocated_fen(self) -> int:
        return self.appropriated_fen - self.allocated_fen


@dataclass(frozen=True)
class AllocationFigures:
    allocation_id: str
    amount_fen: int
    released_fen: int  # payable now: untranched amount, or the tranches released so far
    committed_fen: int  # requested or approved, not yet paid
    paid_fen: int
    cancelled: bool = False

    @property
    def spent_fen(self) -> int:
        return self.committed_fen + self.paid_fen

    @property
    def payable_fen(self) -> int:
        return self.released_fen - self.spent_fen


@dataclass(frozen=True)
class TrancheFigures:
    tranche_no: int
    amount_fen: int
    milestone_id: str | None
    released: bool
    committed_fen: int
    paid_fen: int

    @property
    def spent_fen(self) -> int:
        return self.committed_fen + self.paid_fen


def _refused(zh: str, en: str, *, limit: str, field: str = "amount", **fen: int | str | None) -> DomainError:
    """A limit's refusal: both messages, the limit's name and every figure it names, in yuan."""
    figures = {name: value if value is None or isinstance(value, str) else yuan(value) for name, value in fen.items()}
    return DomainError(f"{zh} / {en}", field=field, limit=limit, **figures)


def ensure_line_covers(line: LineFigures, extra_fen: int) -> None:
    """Allocating ``extra_fen`` more from the line keeps allocated ≤ appropriated."""
    if extra_fen > line.unallocated_fen:
        raise _refused(
            f"超出预算线 {line.line_id} 可分配余额：下达 {yuan(line.appropriated_fen)} 元，已分配 "
            f"{yuan(line.allocated_fen)} 元，可分配 {yuan(line.unallocated_fen)} 元，本次 {yuan(extra_fen)} 元",
            f"exceeds what line {line.line_id} has left: appropriated {yuan(line.appropriated_fen)}, allocated "
            f"{yuan(line.allocated_fen)}, available {yuan(line.unallocated_fen)}, asked {yuan(extra_fen)} yuan",
            limit="line_appropriated", appropriated=line.appropriated_fen, allocated=line.allocated_fen,
            available=line.unallocated_fen, asked=extra_fen,
        )


def ensure_line_not_below_allocated(line: LineFigures, new_fen: int) -> None:
    if new_fen < line.allocated_fen:
        raise _refused(
            f"预算线 {line.line_id} 不能调减到已分配金额以下：已分配 {yuan(line.allocated_fen)} 元，"
            f"调整为 {yuan(new_fen)} 元",
            f"line {line.line_id} cannot go below what is allocated from it: "
            f"allocated {yuan(line.allocated_fen)}, asked {yuan(new_fen)} yuan",
            limit="line_allocated", allocated=line.allocated_fen, asked=new_fen,
        )


def ensure_allocation_not_below_spent(alloc: AllocationFigures, new_fen: int) -> None:
    """An allocation is cut down only to what it has paid and what requests hold."""
    if new_fen < alloc.spent_fen:
        raise _refused(
            f"分配 {alloc.allocation_id} 不能调减到已拨付与在途申请之和以下：已支付 {yuan(alloc.paid_fen)} 元，"
            f"在途 {yuan(alloc.committed_fen)} 元，调整为 {yuan(new_fen)} 元",
            f"allocation {alloc.allocation_id} "
            f"cannot go below what it has paid and what open requests hold: paid {yuan(alloc.paid_fen)}, "
            f"requested {yuan(alloc.committed_fen)}, asked {yuan(new_fen)} yuan",
            limit="allocation_disbursed", paid=alloc.paid_fen, committed=alloc.committed_fen, asked=new_fen,
        )


def ensure_tranche_not_below_spent(allocation_id: str, tranche: TrancheFigures, new_fen: int) -> None:
    if new_fen < tranche.spent_fen:
        raise _refused(
            f"分配 {allocation_id} 第 {tranche.tranche_no} 期不能调减到 {yuan(tranche.spent_fen)} 元以下"
            f"（已支付 {yuan(tranche.paid_fen)} 元，在途 {yuan(tranche.committed_fen)} 元），调整为 {yuan(new_fen)} 元",
            f"tranche {tranche.tranche_no} of {allocation_id} cannot go below {yuan(tranche.spent_fen)} yuan "
            f"(paid {yuan(tranche.paid_fen)}, requested {yuan(tranche.committed_fen)}), asked {yuan(new_fen)} yuan",
            field="tranches", limit="tranche_disbursed", asked=new_fen,
        )


def ensure_no_open_requests(alloc: AllocationFigures) -> None:
    if alloc.committed_fen:
        raise Conflict(
            f"分配 {alloc.allocation_id} 尚有在途拨付申请 {yuan(alloc.committed_fen)} 元，请先审批、支付或驳回 / "
            f"allocation {alloc.allocation_id} has open requests of {yuan(alloc.committed_fen)} yuan: "
            "approve and pay or reject them first",
            field="allocation_id",
            committed=yuan(alloc.committed_fen),
        )


def ensure_request_fits(alloc: AllocationFigures, tranche: TrancheFigures | None, amount_fen: int) -> None:
    """A new request keeps committed + paid ≤ released (≤ allocated), for the allocation and its tranche."""
    if alloc.cancelled:
        raise Conflict(
            f"分配 {alloc.allocation_id} 已撤销 / allocation {alloc.allocation_id} is cancelled", field="allocation_id"
        )
    if tranche is not None:
        if not tranche.released:
            raise _refused(
                f"第 {tranche.tranche_no} 期尚未放款：项目节点 {tranche.milestone_id} 未验收",
                f"tranche {tranche.tranche_no} is not payable yet: milestone {tranche.milestone_id} is not verified",
                field="tranche_no", limit="tranche_milestone", milestone_id=tranche.milestone_id,
            )
        left = tranche.amount_fen - tranche.spent_fen
        if amount_fen > left:
            raise _refused(
                f"超出第 {tranche.tranche_no} 期可拨付余额：本期 {yuan(tranche.amount_fen)} 元，已支付 "
                f"{yuan(tranche.paid_fen)} 元，在途 {yuan(tranche.committed_fen)} 元，可申请 {yuan(left)} 元，"
                f"本次 {yuan(amount_fen)} 元",
                f"exceeds tranche {tranche.tranche_no}: amount {yuan(tranche.amount_fen)}, "
                f"paid {yuan(tranche.paid_fen)}, requested {yuan(tranche.committed_fen)}, available {yuan(left)}, "
                f"asked {yuan(amount_fen)} yuan",
                limit="tranche_amount", tranche=tranche.amount_fen, paid=tranche.paid_fen,
                committed=tranche.committed_fen, available=left, asked=amount_fen,
            )
    if amount_fen > alloc.payable_fen:
        raise _refused(
            f"超出分配 {alloc.allocation_id} 可拨付余额：分配 {yuan(alloc.amount_fen)} 元，已放款 "
            f"{yuan(alloc.released_fen)} 元，已支付 {yuan(alloc.paid_fen)} 元，在途 {yuan(alloc.committed_fen)} 元，"
            f"可申请 {yuan(alloc.payable_fen)} 元，本次 {yuan(amount_fen)} 元",
            f"exceeds allocation "
            f"{alloc.allocation_id}: allocated {yuan(alloc.amount_fen)}, released {yuan(alloc.released_fen)}, "
            f"paid {yuan(alloc.paid_fen)}, requested {yuan(alloc.committed_fen)}, available "
            f"{yuan(alloc.payable_fen)}, asked {yuan(amount_fen)} yuan",
            limit="allocation_amount", allocated=alloc.amount_fen, released=alloc.released_fen, paid=alloc.paid_fen,
            committed=alloc.committed_fen, available=alloc.payable_fen, asked=amount_fen,
        )
