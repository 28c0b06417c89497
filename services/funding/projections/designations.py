"""撤销认定 → 资金冻结 / a village leaving the list stops its money.

A reactor on ``registry.events``: ``DesignationRevoked`` freezes every open allocation of
the village (``AllocationFrozen``, no new request until the city office releases the
remainder or records an exception) and ``VillageDesignated`` lifts the freezes still
pending. ``funding.village_designations`` keeps what funding last heard per village, so
a new allocation to a village that left the list is refused with registry's reason.

The reaction is appended in the transaction that records the delivery; the aggregate's
``freeze``/``unfreeze`` do nothing the second time, so a redelivered or replayed event
never freezes twice. The villages' advisory locks are taken first (funding's lock order,
adapters/schema.sql): a new allocation holds its village's lock shared, so it is either
seen and frozen here, or sees the revocation and is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from shared.eventstore import RecordedEvent
from shared.projections.reactor import Reactor

from services.funding.adapters import balances
from services.funding.adapters.balances import SCHEMA_SQL
from services.funding.domain.allocation import Allocation


class DesignationFreezes(Reactor):
    name = "designation_freezes"
    service = "funding"
    sources = ("registry",)
    handles = frozenset({"VillageDesignated", "DesignationRevoked"})
    tables = ("funding.village_designations",)
    schema_sql = SCHEMA_SQL.read_text(encoding="utf-8") + """
    create table if not exists funding.village_designations (
        village_code       text primary key,
        designated         boolean not null,
        revocation_reason  text,
        run_id             text,
        position           bigint not null
    );
    """

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        events = [e for e in events if e.type in self.handles]
        if not events:
            return
        codes = sorted({e.payload["code"] for e in events})
        await balances.lock_villages(conn, codes)
        await balances.lock_allocations(conn, (r["allocation_id"] for r in await balances.open_allocations(conn, codes)))
        open_rows = await balances.open_allocations(conn, codes)  # paid as it stands under the locks
        for event in events:
            await self._react(conn, event, [r for r in open_rows if r["village_code"] == event.payload["code"]])

    async def apply(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self.apply_batch(conn, [event])

    async def _react(self, conn: asyncpg.Connection, event: RecordedEvent, rows: list[asyncpg.Record]) -> None:
        p = event.payload
        designated = event.type == "VillageDesignated"
        # The reason is free text today; registry may make it a kind (graduated / re-screened):
        # whatever it is, it is carried as given, and its absence is no error.
        reason = None if designated else (str(p["reason"]) if p.get("reason") is not None else None)
        await conn.execute(
            """insert into funding.village_designations (village_code, designated, revocation_reason, run_id, position)
               values ($1, $2, $3, $4, $5) on conflict (village_code) do update
               set designated = excluded.designated, revocation_reason = excluded.revocation_reason,
                   run_id = excluded.run_id, position = excluded.position
               where funding.village_designations.position < excluded.position""",
            p["code"], designated, reason, p.get("run_id"), event.global_position)
        current = await conn.fetchval("select position from funding.village_designations where village_code = $1",
                                      p["code"])
        if current != event.global_position:
            return  # an older event delivered after a newer one: the newer one decided
        uow = self.unit_of_work(conn, event)
        for row in rows:
            allocation = await uow.load(Allocation, row["allocation_id"])
            changed = (allocation.unfreeze(p.get("run_id")) if designated
                       else allocation.freeze(row["paid_fen"], reason, p.get("run_id")))
            if changed:
                await uow.save(allocation)
