"""撤销认定 → 资金冻结 / a village leaving the list stops its money.

A reactor on ``registry.events``: ``DesignationRevoked`` freezes every open allocation of
the village (``AllocationFrozen``, no new request until the city office releases the
remainder or records an exception) and ``VillageDesignated`` lifts the freezes still
pending. ``funding.village_designations`` keeps what funding last heard per village, so
a new allocation to a village that left the list is refused with registry's reason.

The reaction is appended in the transaction that records the delivery; the aggregate's
``freeze``/``unfreeze`` do nothing the second time, so a redelivered or replayed event
never freezes twice. The villages' advisory locks are taken first (funding's lock order,
adapters/migrations/0001_funding.sql): a new allocation holds its village's lock shared, so it is either
seen and frozen here, or sees the revocation and is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import asyncpg

from shared.contracts.registry import DesignationRevoked, VillageDesignated
from shared.eventstore import RecordedEvent
from shared.projections import Projection
from shared.projections.reactor import Reactor

from services.funding.adapters.balances import PgBalances
from services.funding.domain.allocation import Allocation


class DesignationFreezes(Reactor):
    name = "designation_freezes"
    service = "funding"
    sources = ("registry",)
    tables = ("funding.village_designations",)

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        facts = [(e, e.decode()) for e in events if e.type in self.handles]
        codes = sorted({f.code for _, f in facts if isinstance(f, VillageDesignated | DesignationRevoked)})
        if not codes:
            return
        # The whole batch's villages, then their open allocations, in funding's lock order.
        rows = PgBalances(conn)
        await rows.lock_villages(codes)
        await rows.lock_allocations(r["allocation_id"] for r in await rows.open_allocations(codes))
        for event, _ in facts:
            await Projection.apply(self, conn, event)

    async def apply(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self.apply_batch(conn, [event])

    async def when_VillageDesignated(self, conn: asyncpg.Connection, event: VillageDesignated,
                                     recorded: RecordedEvent) -> None:
        if await self._heard(conn, recorded, event.code, True, None, event.run_id):
            await self._change_open(conn, recorded, event.code, lambda allocation, _: allocation.unfreeze(event.run_id))

    async def when_DesignationRevoked(self, conn: asyncpg.Connection, event: DesignationRevoked,
                                      recorded: RecordedEvent) -> None:
        # The reason is free text today; registry may make it a kind (graduated / re-screened):
        # whatever it is, it is carried as given; a blank one is no error.
        reason = event.reason.strip() or None
        if await self._heard(conn, recorded, event.code, False, reason, event.run_id):
            await self._change_open(conn, recorded, event.code,
                                    lambda allocation, paid_fen: allocation.freeze(paid_fen, reason, event.run_id))

    async def _change_open(self, conn: asyncpg.Connection, recorded: RecordedEvent, code: str,
                           change: Callable[[Allocation, int], bool]) -> None:
        """Each allocation of the village not cancelled (paid as it stands under the batch's
        locks); saved when ``change`` changed it — the second time it does nothing."""
        uow = self.unit_of_work(conn, recorded)
        for row in await PgBalances(conn).open_allocations([code]):
            allocation = await uow.load(Allocation, row["allocation_id"])
            if change(allocation, row["paid_fen"]):
                await uow.save(allocation)

    async def _heard(self, conn: asyncpg.Connection, recorded: RecordedEvent, code: str, designated: bool,
                     reason: str | None, run_id: str | None) -> bool:
        """Remember what was heard; False when an older event arrives after a newer one (the newer one decided)."""
        await conn.execute(
            """insert into funding.village_designations (village_code, designated, revocation_reason, run_id, position)
               values ($1, $2, $3, $4, $5) on conflict (village_code) do update
               set designated = excluded.designated, revocation_reason = excluded.revocation_reason,
                   run_id = excluded.run_id, position = excluded.position
               where funding.village_designations.position < excluded.position""",
            code, designated, reason, run_id, recorded.global_position)
        current = await conn.fetchval("select position from funding.village_designations where village_code = $1", code)
        return current == recorded.global_position
