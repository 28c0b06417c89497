"""资金台账 / the money ledger: every line, allocation, tranche, disbursement and policy,
plus a journal of movements (appropriated, allocated, paid, reversed) with business dates
and global positions — from which reconciliation traces every yuan, as of any date.

Events of different streams may arrive on different partitions in any order, so each row
here is changed only by events of its own stream; whatever joins streams (a line's
allocated total, a payment before its tranche's release) is computed when read, ordered
by global position.
"""

from __future__ import annotations

from datetime import date

from shared.contracts import funding
from shared.eventstore import RecordedEvent
from shared.projections import Projection

from services.funding.domain.dates import business_date


_MOVEMENT = """insert into ledger.movements (event_id, position, occurred_on, kind, line_id, source,
                   allocation_id, village_code, district, disbursement_id, amount_fen)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"""


def _on(recorded: RecordedEvent) -> date:
    """The business date of an event: its occurrence, on the programme's calendar."""
    return business_date(recorded.occurred_at)


class Ledger(Projection):
    name = "ledger"
    sources = ("funding",)
    tables = ("ledger.lines", "ledger.allocations", "ledger.tranches", "ledger.disbursements", "ledger.movements",
              "ledger.policies", "ledger.policy_villages")
    # It follows every event type funding records, so naming them would filter nothing.
    handles = None

    async def when_BudgetAppropriated(self, conn, event: funding.BudgetAppropriated, recorded: RecordedEvent) -> None:
        on = _on(recorded)
        await conn.execute(
            "insert into ledger.lines values ($1, $2, $3, $4, $5, $6, $7, $8)",
            event.line_id, event.source, event.fiscal_year, event.scope, event.title, event.amount_fen, on,
            recorded.global_position)
        await conn.execute(_MOVEMENT, recorded.event_id, recorded.global_position, on, "appropriation", event.line_id,
                           event.source, None, None, None, None, event.amount_fen)

    async def when_AppropriationAdjusted(self, conn, event: funding.AppropriationAdjusted, recorded: RecordedEvent) -> None:
        source = await conn.fetchval(
            "update ledger.lines set appropriated_fen = $2 where line_id = $1 returning source",
            event.line_id, event.amount_fen)
        await conn.execute(_MOVEMENT, recorded.event_id, recorded.global_position, _on(recorded), "appropriation",
                           event.line_id, source, None, None, None, None, event.amount_fen - event.previous_fen)

    async def when_FundsAllocated(self, conn, event: funding.FundsAllocated, recorded: RecordedEvent) -> None:
        on = _on(recorded)
        await conn.execute(
            """insert into ledger.allocations (allocation_id, line_id, source, fiscal_year, village_code, district,
                   project_id, task_no, amount_fen, status, allocated_on, position)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11)""",
            event.allocation_id, event.line_id, event.source, event.fiscal_year, event.village_code, event.district,
            event.project_id, event.task_no, event.amount_fen, on, recorded.global_position)
        await conn.executemany(
            "insert into ledger.tranches (allocation_id, tranche_no, amount_fen, milestone_id) values ($1, $2, $3, $4)",
            [(event.allocation_id, t.tranche_no, t.amount_fen, t.milestone_id) for t in event.tranches])
        await self._allocation_movement(conn, recorded, on, event.allocation_id, event.amount_fen)

    async def when_AllocationAdjusted(self, conn, event: funding.AllocationAdjusted, recorded: RecordedEvent) -> None:
        await conn.execute("update ledger.allocations set amount_fen = $2 where allocation_id = $1",
                           event.allocation_id, event.amount_fen)
        await conn.executemany(
            "update ledger.tranches set amount_fen = $3 where allocation_id = $1 and tranche_no = $2",
            [(event.allocation_id, t.tranche_no, t.amount_fen) for t in event.tranches])
        await self._allocation_movement(conn, recorded, _on(recorded), event.allocation_id,
                                        event.amount_fen - event.previous_fen)

    async def when_AllocationCancelled(self, conn, event: funding.AllocationCancelled | funding.FrozenRemainderReleased,
                                       recorded: RecordedEvent) -> None:
        on = _on(recorded)
        await conn.execute(
            """update ledger.allocations set amount_fen = amount_fen - $2, status = 'cancelled', cancelled_on = $3
               where allocation_id = $1""", event.allocation_id, event.released_fen, on)
        await self._allocation_movement(conn, recorded, on, event.allocation_id, -event.released_fen)

    when_FrozenRemainderReleased = when_AllocationCancelled

    async def when_AllocationFrozen(self, conn, event: funding.AllocationFrozen, recorded: RecordedEvent) -> None:
        await conn.execute(
            "update ledger.allocations set status = 'frozen', freeze_reason = $2 where allocation_id = $1",
            event.allocation_id, event.revocation_reason or "撤销认定 / designation revoked")

    async def when_AllocationUnfrozen(self, conn, event: funding.AllocationUnfrozen, recorded: RecordedEvent) -> None:
        await conn.execute("update ledger.allocations set status = 'active', freeze_reason = null where allocation_id = $1",
                           event.allocation_id)

    async def when_FreezeExceptionRecorded(self, conn, event: funding.FreezeExceptionRecorded,
                                           recorded: RecordedEvent) -> None:
        await conn.execute(
            "update ledger.allocations set status = 'active', freeze_exception = $2 where allocation_id = $1",
            event.allocation_id, event.reason)

    async def _allocation_movement(self, conn, recorded: RecordedEvent, on: date, allocation_id: str,
                                   amount_fen: int) -> None:
        a = await conn.fetchrow(
            "select line_id, source, village_code, district from ledger.allocations where allocation_id = $1",
            allocation_id)
        await conn.execute(_MOVEMENT, recorded.event_id, recorded.global_position, on, "allocation", a["line_id"],
                           a["source"], allocation_id, a["village_code"], a["district"], None, amount_fen)

    async def when_TrancheReleased(self, conn, event: funding.TrancheReleased, recorded: RecordedEvent) -> None:
        await conn.execute(
            """update ledger.tranches set released_on = $3, released_position = $4
               where allocation_id = $1 and tranche_no = $2""",
            event.allocation_id, event.tranche_no, event.released_on, recorded.global_position)

    async def when_DisbursementRequested(self, conn, event: funding.DisbursementRequested, recorded: RecordedEvent) -> None:
        await conn.execute(
            """insert into ledger.disbursements (disbursement_id, allocation_id, line_id, source, village_code,
                   district, project_id, task_no, tranche_no, amount_fen, status, requested_by, requested_on,
                   requested_position)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'requested', $11, $12, $13)""",
            event.disbursement_id, event.allocation_id, event.line_id, event.source, event.village_code,
            event.district, event.project_id, event.task_no, event.tranche_no, event.amount_fen, event.requested_by,
            _on(recorded), recorded.global_position)

    async def when_DisbursementApproved(self, conn, event: funding.DisbursementApproved, recorded: RecordedEvent) -> None:
        await conn.execute(
            """update ledger.disbursements set status = 'approved', approved_by = $2, approved_on = $3,
                   approved_position = $4 where disbursement_id = $1""",
            event.disbursement_id, event.approved_by, _on(recorded), recorded.global_position)

    async def when_DisbursementRejected(self, conn, event: funding.DisbursementRejected, recorded: RecordedEvent) -> None:
        await conn.execute(
            """update ledger.disbursements set status = 'rejected', rejected_on = $2, reject_reason = $3
               where disbursement_id = $1""", event.disbursement_id, _on(recorded), event.reason)

    async def when_DisbursementPaid(self, conn, event: funding.DisbursementPaid, recorded: RecordedEvent) -> None:
        await conn.execute(
            """update ledger.disbursements set status = 'paid', paid_on = $2, voucher_no = $3, paid_position = $4
               where disbursement_id = $1""", event.disbursement_id, event.paid_on, event.voucher_no,
            recorded.global_position)
        await conn.execute(_MOVEMENT, recorded.event_id, recorded.global_position, event.paid_on, "payment",
                           event.line_id, event.source, event.allocation_id, event.village_code, event.district,
                           event.disbursement_id, event.amount_fen)

    async def when_DisbursementReversed(self, conn, event: funding.DisbursementReversed, recorded: RecordedEvent) -> None:
        on = _on(recorded)
        await conn.execute(
            """update ledger.disbursements set status = 'reversed', reversed_on = $2, reverse_reason = $3,
                   reversed_position = $4 where disbursement_id = $1""",
            event.disbursement_id, on, event.reason, recorded.global_position)
        await conn.execute(_MOVEMENT, recorded.event_id, recorded.global_position, on, "reversal", event.line_id,
                           event.source, event.allocation_id, event.village_code, event.district,
                           event.disbursement_id, -event.amount_fen)

    async def when_PolicyRegistered(self, conn, event: funding.PolicyRegistered, recorded: RecordedEvent) -> None:
        await conn.execute(
            "insert into ledger.policies values ($1, $2, $3, $4, $5, $6, $7)",
            event.policy_id, event.name, event.description, event.designated_only, event.village_types,
            event.districts, _on(recorded))

    async def when_PolicyApplied(self, conn, event: funding.PolicyApplied, recorded: RecordedEvent) -> None:
        await conn.execute("insert into ledger.policy_villages values ($1, $2, $3, $4) on conflict do nothing",
                           event.policy_id, event.village_code, event.district, _on(recorded))
