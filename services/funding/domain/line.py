"""The budget line aggregate: one appropriation of one source, fiscal year and scope."""

from __future__ import annotations

from shared.contracts.funding import AppropriationAdjusted, BudgetAppropriated

from services.funding.domain.commands import AppropriateBudget
from services.funding.domain.named import Named


class BudgetLine(Named):
    stream_prefix = "line"
    noun = "预算线"

    def appropriate(self, cmd: AppropriateBudget) -> None:
        self.ensure_new()
        self.record(
            BudgetAppropriated(
                line_id=cmd.line_id, source=cmd.source, fiscal_year=cmd.fiscal_year, scope=cmd.scope,
                title=cmd.title, amount_fen=cmd.amount_fen,
            )
        )

    def adjust(self, amount_fen: int, reason: str) -> None:
        self.require_exists()
        self.record(AppropriationAdjusted(line_id=self.key, amount_fen=amount_fen, previous_fen=self.amount_fen,
                                          reason=reason))

    def when_BudgetAppropriated(self, event: BudgetAppropriated) -> None:
        self.source = event.source
        self.fiscal_year = event.fiscal_year
        self.scope = event.scope
        self.amount_fen = event.amount_fen

    def when_AppropriationAdjusted(self, event: AppropriationAdjusted) -> None:
        self.amount_fen = event.amount_fen
