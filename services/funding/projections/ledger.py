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

import asyncpg

from shared.eventstore import RecordedEvent
from shared.projections import Projection

from services.funding.domain.dates import business_date

SCHEMA = """
create schema if not exists ledger;
create table if not exists ledger.lines (
    line_id           text primary key,
    source            text not null,
    fiscal_year       integer not null,
    scope             text not null,
    title             text not null,
    appropriated_fen  bigint not null,
    appropriated_on   date not null,
    position          bigint not null
);
create table if not exists ledger.allocations (
    allocation_id  text primary key,
    line_id        text not null,
    source         text not null,
    fiscal_year    integer not null,
    village_code   text not null,
    district       text not null,
    project_id     text,
    task_no        integer,
    amount_fen     bigint not null,
    status         text not null,
    allocated_on   date not null,
    cancelled_on   date,
    position       bigint not null
);
-- status: active | frozen (designation revoked, awaiting the city office) | cancelled (also: frozen remainder released)
alter table ledger.allocations add column if not exists freeze_reason text;
alter table ledger.allocations add column if not exists freeze_exception text;
create index if not exists ledger_allocations_village on ledger.allocations (village_code);
create index if not exists ledger_allocations_line on ledger.allocations (line_id);
create table if not exists ledger.tranches (
    allocation_id     text not null,
    tranche_no        integer not null,
    amount_fen        bigint not null,
    milestone_id      text,
    released_on       date,
    released_position bigint,
    primary key (allocation_id, tranche_no)
);
create table if not exists ledger.disbursements (
    disbursement_id     text primary key,
    allocation_id       text not null,
    line_id             text not null,
    source              text not null,
    village_code        text not null,
    district            text not null,
    project_id          text,
    task_no             integer,
    tranche_no          integer,
    amount_fen          bigint not null,
    status              text not null,
    requested_by        text,
    requested_on        date not null,
    requested_position  bigint not null,
    approved_by         text,
    approved_on         date,
    approved_position   bigint,
    rejected_on         date,
    reject_reason       text,
    paid_on             date,
    voucher_no          text,
    paid_position       bigint,
    reversed_on         date,
    reverse_reason      text,
    reversed_position   bigint
);
create index if not exists ledger_disbursements_village on ledger.disbursements (village_code);
create index if not exists ledger_disbursements_allocation on ledger.disbursements (allocation_id);
create index if not exists ledger_disbursements_status on ledger.disbursements (status, district);
-- kind: appropriation | allocation | payment | reversal; amounts signed (an adjustment down is negative)
create table if not exists ledger.movements (
    event_id         uuid primary key,
    position         bigint not null,
    occurred_on      date not null,
    kind             text not null,
    line_id          text not null,
    source           text not null,
    allocation_id    text,
    village_code     text,
    district         text,
    disbursement_id  text,
    amount_fen       bigint not null
);
create index if not exists ledger_movements_line on ledger.movements (line_id, position);
create index if not exists ledger_movements_allocation on ledger.movements (allocation_id, position);
create index if not exists ledger_movements_date on ledger.movements (occurred_on);
create table if not exists ledger.policies (
    policy_id        text primary key,
    name             text not null,
    description      text not null,
    designated_only  boolean not null,
    village_types    text[] not null,
    districts        text[] not null,
    registered_on    date not null
);
create table if not exists ledger.policy_villages (
    policy_id     text not null,
    village_code  text not null,
    district      text not null,
    applied_on    date not null,
    primary key (policy_id, village_code)
);
create index if not exists ledger_policy_villages_village on ledger.policy_villages (village_code);
"""

_MOVEMENT = """insert into ledger.movements (event_id, position, occurred_on, kind, line_id, source,
                   allocation_id, village_code, district, disbursement_id, amount_fen)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"""


class Ledger(Projection):
    name = "ledger"
    sources = ("funding",)
    tables = ("ledger.lines", "ledger.allocations", "ledger.tranches", "ledger.disbursements", "ledger.movements",
              "ledger.policies", "ledger.policy_villages")
    schema_sql = SCHEMA

    async def apply(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        handler = getattr(self, f"on_{event.type}", None)
        if handler is not None:
            await handler(conn, event, event.payload, business_date(event.occurred_at))

    async def on_BudgetAppropriated(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute(
            "insert into ledger.lines values ($1, $2, $3, $4, $5, $6, $7, $8)",
            p["line_id"], p["source"], p["fiscal_year"], p["scope"], p["title"], p["amount_fen"], on,
            e.global_position)
        await conn.execute(_MOVEMENT, e.event_id, e.global_position, on, "appropriation", p["line_id"], p["source"],
                           None, None, None, None, p["amount_fen"])

    async def on_AppropriationAdjusted(self, conn, e: RecordedEvent, p: dict, on) -> None:
        source = await conn.fetchval(
            "update ledger.lines set appropriated_fen = $2 where line_id = $1 returning source",
            p["line_id"], p["amount_fen"])
        await conn.execute(_MOVEMENT, e.event_id, e.global_position, on, "appropriation", p["line_id"], source,
                           None, None, None, None, p["amount_fen"] - p["previous_fen"])

    async def on_FundsAllocated(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute(
            """insert into ledger.allocations (allocation_id, line_id, source, fiscal_year, village_code, district,
                   project_id, task_no, amount_fen, status, allocated_on, position)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11)""",
            p["allocation_id"], p["line_id"], p["source"], p["fiscal_year"], p["village_code"], p["district"],
            p.get("project_id"), p.get("task_no"), p["amount_fen"], on, e.global_position)
        await conn.executemany(
            "insert into ledger.tranches (allocation_id, tranche_no, amount_fen, milestone_id) values ($1, $2, $3, $4)",
            [(p["allocation_id"], t["tranche_no"], t["amount_fen"], t.get("milestone_id")) for t in p["tranches"]])
        await self._allocation_movement(conn, e, on, p["allocation_id"], p["amount_fen"])

    async def on_AllocationAdjusted(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute("update ledger.allocations set amount_fen = $2 where allocation_id = $1",
                           p["allocation_id"], p["amount_fen"])
        await conn.executemany(
            "update ledger.tranches set amount_fen = $3 where allocation_id = $1 and tranche_no = $2",
            [(p["allocation_id"], t["tranche_no"], t["amount_fen"]) for t in p.get("tranches", [])])
        await self._allocation_movement(conn, e, on, p["allocation_id"], p["amount_fen"] - p["previous_fen"])

    async def on_AllocationCancelled(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute(
            """update ledger.allocations set amount_fen = amount_fen - $2, status = 'cancelled', cancelled_on = $3
               where allocation_id = $1""", p["allocation_id"], p["released_fen"], on)
        await self._allocation_movement(conn, e, on, p["allocation_id"], -p["released_fen"])

    async def on_AllocationFrozen(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute(
            "update ledger.allocations set status = 'frozen', freeze_reason = $2 where allocation_id = $1",
            p["allocation_id"], p.get("revocation_reason") or "撤销认定 / designation revoked")

    async def on_AllocationUnfrozen(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute("update ledger.allocations set status = 'active', freeze_reason = null where allocation_id = $1",
                           p["allocation_id"])

    async def on_FreezeExceptionRecorded(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute(
            "update ledger.allocations set status = 'active', freeze_exception = $2 where allocation_id = $1",
            p["allocation_id"], p["reason"])

    async def on_FrozenRemainderReleased(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await self.on_AllocationCancelled(conn, e, p, on)

    async def _allocation_movement(self, conn, e: RecordedEvent, on, allocation_id: str, amount_fen: int) -> None:
        a = await conn.fetchrow(
            "select line_id, source, village_code, district from ledger.allocations where allocation_id = $1",
            allocation_id)
        await conn.execute(_MOVEMENT, e.event_id, e.global_position, on, "allocation", a["line_id"], a["source"],
                           allocation_id, a["village_code"], a["district"], None, amount_fen)

    async def on_TrancheReleased(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute(
            """update ledger.tranches set released_on = $3, released_position = $4
               where allocation_id = $1 and tranche_no = $2""",
            p["allocation_id"], p["tranche_no"], date.fromisoformat(p["released_on"]), e.global_position)

    async def on_DisbursementRequested(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute(
            """insert into ledger.disbursements (disbursement_id, allocation_id, line_id, source, village_code,
                   district, project_id, task_no, tranche_no, amount_fen, status, requested_by, requested_on,
                   requested_position)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'requested', $11, $12, $13)""",
            p["disbursement_id"], p["allocation_id"], p["line_id"], p["source"], p["village_code"], p["district"],
            p.get("project_id"), p.get("task_no"), p.get("tranche_no"), p["amount_fen"], p.get("requested_by"), on,
            e.global_position)

    async def on_DisbursementApproved(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute(
            """update ledger.disbursements set status = 'approved', approved_by = $2, approved_on = $3,
                   approved_position = $4 where disbursement_id = $1""",
            p["disbursement_id"], p.get("approved_by"), on, e.global_position)

    async def on_DisbursementRejected(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute(
            """update ledger.disbursements set status = 'rejected', rejected_on = $2, reject_reason = $3
               where disbursement_id = $1""", p["disbursement_id"], on, p["reason"])

    async def on_DisbursementPaid(self, conn, e: RecordedEvent, p: dict, on) -> None:
        paid_on = date.fromisoformat(p["paid_on"])
        await conn.execute(
            """update ledger.disbursements set status = 'paid', paid_on = $2, voucher_no = $3, paid_position = $4
               where disbursement_id = $1""", p["disbursement_id"], paid_on, p["voucher_no"], e.global_position)
        await conn.execute(_MOVEMENT, e.event_id, e.global_position, paid_on, "payment", p["line_id"], p["source"],
                           p["allocation_id"], p["village_code"], p["district"], p["disbursement_id"], p["amount_fen"])

    async def on_DisbursementReversed(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute(
            """update ledger.disbursements set status = 'reversed', reversed_on = $2, reverse_reason = $3,
                   reversed_position = $4 where disbursement_id = $1""",
            p["disbursement_id"], on, p["reason"], e.global_position)
        await conn.execute(_MOVEMENT, e.event_id, e.global_position, on, "reversal", p["line_id"], p["source"],
                           p["allocation_id"], p["village_code"], p["district"], p["disbursement_id"], -p["amount_fen"])

    async def on_PolicyRegistered(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute(
            "insert into ledger.policies values ($1, $2, $3, $4, $5, $6, $7)",
            p["policy_id"], p["name"], p["description"], p["designated_only"], p["village_types"], p["districts"], on)

    async def on_PolicyApplied(self, conn, e: RecordedEvent, p: dict, on) -> None:
        await conn.execute("insert into ledger.policy_villages values ($1, $2, $3, $4) on conflict do nothing",
                           p["policy_id"], p["village_code"], p["district"], on)
