"""SQL over the balance rows (adapters/migrations/0001_funding.sql): lock, read, move.

Every ``lock_*`` takes the row lock for the rest of the transaction; callers lock in the
order the schema states (village → project → line → allocation → tranche → village → project row),
several of one kind in sorted order.
"""

from __future__ import annotations

import zlib
from collections.abc import Awaitable, Iterable, Sequence
from typing import TypeVar

import asyncpg

from shared.eventstore.errors import DomainError

from services.funding.domain.limits import AllocationFigures, LineFigures, TrancheFigures

T = TypeVar("T")


async def guarded(statement: Awaitable[T]) -> T:
    """The CHECK constraints are the last line of defence: a breach the domain checks let
    through still writes nothing, and says which invariant it met."""
    try:
        return await statement
    except asyncpg.CheckViolationError as exc:
        raise DomainError(
            f"违反资金约束 {exc.constraint_name}，未写入 / would break the money invariant {exc.constraint_name}; "
            "nothing was written",
            constraint=exc.constraint_name,
        ) from exc


def village_key(village_code: str) -> int:
    return zlib.crc32(f"funding-village:{village_code}".encode())


def project_key(project_id: str) -> int:
    return zlib.crc32(f"funding-project:{project_id}".encode())


_ALLOCATION = "allocation_id, amount_fen, released_fen, committed_fen, paid_fen, cancelled"


class PgBalances:
    """The balance rows over one command's connection: what handlers reach as
    ``uow.adapter(PgBalances)`` (the port; ``adapters/memory.py`` is its in-memory twin) and
    reactors as ``PgBalances(conn)``."""

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def share_village(self, village_code: str) -> None:
        """Taken (shared) by a new allocation before anything else: a revocation being applied
        (which takes it exclusively) either sees the new allocation or is seen by it."""
        await self.conn.execute("select pg_advisory_xact_lock_shared($1)", village_key(village_code))

    async def lock_villages(self, village_codes: Iterable[str]) -> None:
        """The designation reactor's locks on a batch's villages, in key order."""
        await self.conn.execute("select pg_advisory_xact_lock(k) from unnest($1::bigint[]) with ordinality u(k, n) order by n",
                           sorted({village_key(c) for c in village_codes}))

    async def open_allocations(self, village_codes: Sequence[str]) -> list[asyncpg.Record]:
        """The villages' allocations not cancelled, with what each has paid; stable while the
        villages' locks are held (a new allocation waits for them)."""
        return await self.conn.fetch(
            """select allocation_id, village_code, paid_fen from funding.allocation_balances
               where village_code = any($1::text[]) and not cancelled order by allocation_id""", list(village_codes))

    async def lock_project(self, project_id: str | None) -> None:
        """Serialises creating tranches and releasing them for one project's milestones, so a
        verification arriving while an allocation is being made is never missed by both."""
        if project_id:
            await self.conn.execute("select pg_advisory_xact_lock($1)", project_key(project_id))

    async def lock_projects(self, project_ids: Iterable[str]) -> None:
        """Several projects' locks in one statement, in key order (the array's)."""
        await self.conn.execute("select pg_advisory_xact_lock(k) from unnest($1::bigint[]) with ordinality u(k, n) order by n",
                           sorted({project_key(p) for p in project_ids}))

    async def waiting_on(self, milestones: Sequence[tuple[str, str]]) -> list[asyncpg.Record]:
        """The allocations (with their lines) that have an unreleased tranche on any of the
        ``(project_id, milestone_id)``; stable while their projects' locks are held."""
        return await self.conn.fetch(
            """select distinct a.allocation_id, a.line_id from funding.tranche_balances t
               join funding.allocation_balances a using (allocation_id)
               where (a.project_id, t.milestone_id) in (select * from unnest($1::text[], $2::text[]))
                 and not t.released and not a.cancelled""", [p for p, _ in milestones], [m for _, m in milestones])

    async def withdrawable(self, project_id: str, milestone_ids: Sequence[str] | None
                           ) -> list[asyncpg.Record]:
        """The project's allocations (with their lines) holding an unreleased, non-empty tranche
        on one of ``milestone_ids`` (None: any); stable while the project's lock is held."""
        return await self.conn.fetch(
            """select distinct a.allocation_id, a.line_id from funding.tranche_balances t
               join funding.allocation_balances a using (allocation_id)
               where a.project_id = $1 and ($2::text[] is null or t.milestone_id = any($2))
                 and not t.released and t.amount_fen > 0 and not a.cancelled
               order by a.allocation_id""", project_id, None if milestone_ids is None else list(milestone_ids))

    async def lock_lines(self, line_ids: Iterable[str]) -> None:
        """Several lines FOR UPDATE (their allocated totals will move), in id order."""
        await self.conn.execute("select from funding.line_balances where line_id = any($1::text[]) order by line_id"
                           " for update", list(set(line_ids)))

    async def share_lines(self, line_ids: Iterable[str]) -> None:
        """FOR KEY SHARE on the lines, in id order: what the allocations' foreign key takes when
        a transaction updates an allocation row a second time (PostgreSQL re-checks the key of
        a row it wrote itself), taken here before the allocations instead of after them."""
        await self.conn.execute("select from funding.line_balances where line_id = any($1::text[]) order by line_id"
                           " for key share", list(set(line_ids)))

    async def lock_allocations(self, allocation_ids: Iterable[str]) -> None:
        await self.conn.execute("select from funding.allocation_balances where allocation_id = any($1::text[])"
                           " order by allocation_id for update", list(set(allocation_ids)))

    async def lock_line(self, line_id: str) -> LineFigures | None:
        row = await self.conn.fetchrow(
            "select line_id, scope, appropriated_fen, allocated_fen, paid_fen from funding.line_balances"
            " where line_id = $1 for update", line_id)
        return LineFigures(**row) if row else None

    async def insert_line(self, line_id: str, source: str, fiscal_year: int, scope: str,
                          amount_fen: int) -> bool:
        """False when the line exists (a concurrent twin waits here for the first to commit)."""
        return bool(await self.conn.fetchval(
            """insert into funding.line_balances (line_id, source, fiscal_year, scope, appropriated_fen)
               values ($1, $2, $3, $4, $5) on conflict do nothing returning true""",
            line_id, source, fiscal_year, scope, amount_fen))

    async def move_line(self, line_id: str, *, appropriated: int = 0, allocated: int = 0,
                        paid: int = 0) -> LineFigures:
        row = await guarded(self.conn.fetchrow(
            """update funding.line_balances set appropriated_fen = appropriated_fen + $2,
                   allocated_fen = allocated_fen + $3, paid_fen = paid_fen + $4
               where line_id = $1 returning line_id, scope, appropriated_fen, allocated_fen, paid_fen""",
            line_id, appropriated, allocated, paid))
        return LineFigures(**row)

    async def lock_allocation(self, allocation_id: str) -> AllocationFigures | None:
        row = await self.conn.fetchrow(
            f"select {_ALLOCATION} from funding.allocation_balances where allocation_id = $1 for update", allocation_id)
        return AllocationFigures(**row) if row else None

    async def allocation_keys(self, allocation_id: str) -> asyncpg.Record | None:
        """The allocation's immutable keys, read without a lock to learn what to lock first."""
        return await self.conn.fetchrow(
            "select line_id, project_id, village_code from funding.allocation_balances where allocation_id = $1",
            allocation_id)

    async def insert_allocation(self, *, allocation_id: str, line_id: str, village_code: str,
                                district: str, project_id: str | None, amount_fen: int, released_fen: int) -> bool:
        """False when the allocation exists (a concurrent twin waits here for the first to commit)."""
        return bool(await self.conn.fetchval(
            """insert into funding.allocation_balances
                   (allocation_id, line_id, village_code, district, project_id, amount_fen, released_fen)
               values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing returning true""",
            allocation_id, line_id, village_code, district, project_id, amount_fen, released_fen))

    async def move_allocation(self, allocation_id: str, *, amount: int = 0, released: int = 0,
                              committed: int = 0, paid: int = 0, cancel: bool = False) -> AllocationFigures:
        row = await guarded(self.conn.fetchrow(
            f"""update funding.allocation_balances set amount_fen = amount_fen + $2, released_fen = released_fen + $3,
                    committed_fen = committed_fen + $4, paid_fen = paid_fen + $5, cancelled = cancelled or $6
                where allocation_id = $1 returning {_ALLOCATION}""",
            allocation_id, amount, released, committed, paid, cancel))
        return AllocationFigures(**row)

    async def lock_tranches(self, allocation_id: str) -> dict[int, TrancheFigures]:
        rows = await self.conn.fetch(
            """select tranche_no, amount_fen, milestone_id, released, committed_fen, paid_fen
               from funding.tranche_balances where allocation_id = $1 order by tranche_no for update""", allocation_id)
        return {r["tranche_no"]: TrancheFigures(**r) for r in rows}

    async def insert_tranche(self, allocation_id: str, tranche_no: int, amount_fen: int,
                             milestone_id: str | None) -> None:
        await self.conn.execute(
            """insert into funding.tranche_balances (allocation_id, tranche_no, amount_fen, milestone_id, released)
               values ($1, $2, $3, $4, $5)""", allocation_id, tranche_no, amount_fen, milestone_id, milestone_id is None)

    async def move_tranche(self, allocation_id: str, tranche_no: int, *, amount: int = 0,
                           committed: int = 0, paid: int = 0, release: bool = False) -> None:
        await guarded(self.conn.execute(
            """update funding.tranche_balances set amount_fen = amount_fen + $3, committed_fen = committed_fen + $4,
                   paid_fen = paid_fen + $5, released = released or $6
               where allocation_id = $1 and tranche_no = $2""",
            allocation_id, tranche_no, amount, committed, paid, release))

    async def open_village(self, village_code: str, district: str) -> None:
        # Rows are opened empty and then moved by UPDATE: an upsert's proposed row is checked
        # against the CHECKs before the conflict is seen, so it cannot carry a delta.
        await self.conn.execute("insert into funding.village_balances (village_code, district) values ($1, $2)"
                           " on conflict do nothing", village_code, district)

    async def move_village(self, village_code: str, *, allocated: int = 0, paid: int = 0) -> None:
        await guarded(self.conn.execute(
            """update funding.village_balances set allocated_fen = allocated_fen + $2, paid_fen = paid_fen + $3
               where village_code = $1""", village_code, allocated, paid))

    async def open_project(self, project_id: str | None, village_code: str) -> None:
        if project_id is not None:
            await self.conn.execute("insert into funding.project_balances (project_id, village_code) values ($1, $2)"
                               " on conflict do nothing", project_id, village_code)

    async def move_project(self, project_id: str | None, *, allocated: int = 0, paid: int = 0) -> None:
        if project_id is not None:
            await guarded(self.conn.execute(
                """update funding.project_balances set allocated_fen = allocated_fen + $2, paid_fen = paid_fen + $3
                   where project_id = $1""", project_id, allocated, paid))

    async def unreleased_allocations(self, project_id: str, milestone_id: str) -> list[str]:
        rows = await self.conn.fetch(
            """select distinct a.allocation_id from funding.tranche_balances t
               join funding.allocation_balances a using (allocation_id)
               where a.project_id = $1 and t.milestone_id = $2 and not t.released and not a.cancelled
               order by a.allocation_id""", project_id, milestone_id)
        return [r["allocation_id"] for r in rows]
