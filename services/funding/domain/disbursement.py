"""The disbursement aggregate: request → approve → pay, or reject; a payment may be reversed.

Four eyes: the approver is never the requester (compared by the person's subject, so
the same person holding two roles is still one person).
"""

from __future__ import annotations

from datetime import date

from shared.contracts.funding import (
    DisbursementApproved,
    DisbursementPaid,
    DisbursementRejected,
    DisbursementRequested,
    DisbursementReversed,
)
from shared.eventstore.errors import Conflict, DomainError, Forbidden

from services.funding.domain.allocation import Allocation, take_place
from services.funding.domain.commands import RequestDisbursement
from services.funding.domain.named import Named

STATUS_ZH = {"requested": "待审批", "approved": "已审批待支付", "rejected": "已驳回", "paid": "已支付", "reversed": "已冲销"}


class Disbursement(Named):
    stream_prefix = "disbursement"
    noun = "拨付申请"
    status_after = {DisbursementApproved: "approved", DisbursementRejected: "rejected", DisbursementPaid: "paid",
                    DisbursementReversed: "reversed"}

    def request(self, cmd: RequestDisbursement, allocation: Allocation, by: str) -> None:
        self.ensure_new()
        allocation.ensure_open()
        allocation.ensure_not_frozen()
        if allocation.tranches and cmd.tranche_no is None:
            raise DomainError(
                f"分配 {allocation.key} 分期拨付，请指明期次 {sorted(allocation.tranches)} / allocation "
                f"{allocation.key} is paid in tranches: name one of {sorted(allocation.tranches)}",
                field="tranche_no",
            )
        if cmd.tranche_no is not None and cmd.tranche_no not in allocation.tranches:
            raise DomainError(f"分配 {allocation.key} 没有第 {cmd.tranche_no} 期 / allocation {allocation.key} has no "
                              f"tranche {cmd.tranche_no}", field="tranche_no")
        self.record(
            DisbursementRequested(
                disbursement_id=cmd.disbursement_id, allocation_id=allocation.key, line_id=allocation.line_id,
                source=allocation.source, village_code=allocation.village_code, district=allocation.district,
                project_id=allocation.project_id, task_no=allocation.task_no, tranche_no=cmd.tranche_no,
                amount_fen=cmd.amount_fen, requested_by=by,
            )
        )

    def approve(self, by: str) -> None:
        self._expect("requested", "审批 / approve")
        if by == self.requested_by:
            raise Forbidden(
                "审批人不能是申请人（双人复核）/ the approver must not be the requester (four eyes)"
            )
        self.record(DisbursementApproved(disbursement_id=self.key, allocation_id=self.allocation_id,
                                         village_code=self.village_code, district=self.district,
                                         amount_fen=self.amount_fen, approved_by=by))

    def reject(self, reason: str) -> None:
        self._expect("requested", "驳回 / reject")
        self.record(DisbursementRejected(disbursement_id=self.key, allocation_id=self.allocation_id,
                                         village_code=self.village_code, district=self.district,
                                         amount_fen=self.amount_fen, reason=reason))

    def pay(self, voucher_no: str, paid_on: date) -> None:
        self._expect("approved", "支付 / pay")
        self.record(DisbursementPaid(disbursement_id=self.key, allocation_id=self.allocation_id, line_id=self.line_id,
                                     source=self.source, village_code=self.village_code, district=self.district,
                                     project_id=self.project_id, task_no=self.task_no, amount_fen=self.amount_fen,
                                     paid_on=paid_on, voucher_no=voucher_no))

    def reverse(self, reason: str) -> None:
        self._expect("paid", "冲销 / reverse")
        self.record(DisbursementReversed(disbursement_id=self.key, allocation_id=self.allocation_id,
                                         line_id=self.line_id, source=self.source, village_code=self.village_code,
                                         district=self.district, amount_fen=self.amount_fen, reason=reason))

    def _expect(self, status: str, action: str) -> None:
        self.require_exists()
        if self.status != status:
            raise Conflict(
                f"拨付申请 {self.key} 状态为{STATUS_ZH[self.status]}，不能{action.split(' / ')[0]} / disbursement "
                f"{self.key} is {self.status}: cannot {action.split(' / ')[1]}",
                field="disbursement_id",
                status=self.status,
            )

    def when_DisbursementRequested(self, event: DisbursementRequested) -> None:
        self.allocation_id = event.allocation_id
        take_place(self, event)
        self.tranche_no = event.tranche_no
        self.amount_fen = event.amount_fen
        self.requested_by = event.requested_by
        self.status = "requested"
