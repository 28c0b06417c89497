"""The budget line aggregate: one appropriation of one source, fiscal year and scope."""

from __future__ import annotations

from shared.contracts.funding import AppropriationAdjusted, BudgetAppropriated
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, NotFound

from services.funding.domain.commands import AppropriateBudget


class BudgetLine(Aggregate):
    stream_prefix = "line"

    def appropriate(self, cmd: AppropriateBudget) -> None:
        if self.exists:
            raise Conflict(f"预算线 {cmd.line_id} 已存在 / line {cmd.line_id} already exists", field="line_id")
        self.record(
            BudgetAppropriated(
                line_id=cmd.line_id, source=cmd.source, fiscal_year=cmd.fiscal_year, scope=cmd.scope,
                title=cmd.title, amount_fen=cmd.amount_fen,
            )
        )

    def adjust(self, amount_fen: int, reason: str) -> None:
        self.ensure_exists()
        self.record(AppropriationAdjusted(line_id=self.key, amount_fen=amount_fen, previous_fen=self.amount_fen,
                                          reason=reason))

    def ensure_exists(self) -> None:
        if not self.exists:
            raise NotFound(f"未找到预算线 {self.key} / line {self.key} not found", field="line_id")

    def when_BudgetAppropriated(self, event: BudgetAppropriated) -> None:
        self.source = event.source
        self.fiscal_year = event.fiscal_year
        self.scope = event.scope
        self.amount_fen = event.amount_fen

    def when_AppropriationAdjusted(self, event: AppropriationAdjusted) -> None:
        self.amount_fen = event.amount_fen
