"""Lines, allocations, disbursements, policies and a village's page, from the ledger."""

from __future__ import annotations

import asyncpg

from shared.money import yuan
from services.funding.queries.scope import VILLAGE_FILTER, ReadScope

_LINE_FIGURES = """
select l.line_id, l.source, l.fiscal_year, l.scope, l.title, l.appropriated_fen, l.appropriated_on,
       coalesce((select sum(amount_fen) from ledger.allocations a where a.line_id = l.line_id), 0) as allocated_fen,
       coalesce((select sum(amount_fen) from ledger.movements m
                 where m.line_id = l.line_id and m.kind in ('payment', 'reversal')), 0) as paid_fen
from ledger.lines l
"""


def line_row(r: asyncpg.Record) -> dict:
    return {
        "line_id": r["line_id"], "source": r["source"], "fiscal_year": r["fiscal_year"], "scope": r["scope"],
        "title": r["title"], "appropriated_on": r["appropriated_on"].isoformat(),
        "appropriated": yuan(r["appropriated_fen"]), "allocated": yuan(r["allocated_fen"]),
        "paid": yuan(r["paid_fen"]), "unallocated": yuan(r["appropriated_fen"] - r["allocated_fen"]),
    }


async def lines(conn: asyncpg.Connection, *, district: str | None, source: str | None,
                fiscal_year: int | None) -> list[dict]:
    rows = await conn.fetch(
        _LINE_FIGURES + """ where ($1::text is null or l.scope = $1) and ($2::text is null or l.source = $2)
                            and ($3::int is null or l.fiscal_year = $3) order by l.fiscal_year, l.line_id""",
        district, source, fiscal_year)
    return [line_row(r) for r in rows]


async def line(conn: asyncpg.Connection, line_id: str) -> dict | None:
    row = await conn.fetchrow(_LINE_FIGURES + " where l.line_id = $1", line_id)
    return line_row(row) if row else None


def _disbursement_row(r: asyncpg.Record) -> dict:
    d = dict(r)
    d["amount"] = yuan(d.pop("amount_fen"))
    for key in [k for k in d if k.endswith("_position")]:
        d.pop(key)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in d.items()}


async def disbursements(conn: asyncpg.Connection, scope: ReadScope, *, status: str | None = None,
                        allocation_id: str | None = None, village_code: str | None = None,
                        limit: int = 200, after: str | None = None) -> list[dict]:
    rows = await conn.fetch(
        f"""select * from ledger.disbursements t where {VILLAGE_FILTER}
            and ($3::text is null or t.status = $3) and ($4::text is null or t.allocation_id = $4)
            and ($5::text is null or t.village_code = $5) and ($6::text is null or t.disbursement_id > $6)
            order by t.disbursement_id limit $7""",
        scope.district, scope.village_list, status, allocation_id, village_code, after, limit)
    return [_disbursement_row(r) for r in rows]


_ALLOCATIONS = """
select t.*, v.name as village_name,
       coalesce((select sum(amount_fen) from ledger.movements m
                 where m.allocation_id = t.allocation_id and m.kind in ('payment', 'reversal')), 0) as paid_fen,
       coalesce((select sum(amount_fen) from ledger.disbursements d
                 where d.allocation_id = t.allocation_id and d.status in ('requested', 'approved')), 0) as pending_fen,
       coalesce((select json_agg(json_build_object('tranche_no', x.tranche_no, 'amount_fen', x.amount_fen,
                                                   'milestone_id', x.milestone_id, 'released_on', x.released_on)
                                 order by x.tranche_no)
                 from ledger.tranches x where x.allocation_id = t.allocation_id), '[]') as tranches
from ledger.allocations t left join directory.villages v on v.code = t.village_code
"""


def _allocation_row(r: asyncpg.Record) -> dict:
    return {
        "allocation_id": r["allocation_id"], "line_id": r["line_id"], "source": r["source"],
        "fiscal_year": r["fiscal_year"], "village_code": r["village_code"], "village_name": r["village_name"],
        "district": r["district"], "project_id": r["project_id"], "task_no": r["task_no"], "status": r["status"],
        "freeze_reason": r["freeze_reason"], "freeze_exception": r["freeze_exception"],
        "allocated_on": r["allocated_on"].isoformat(), "allocated": yuan(r["amount_fen"]),
        "paid": yuan(r["paid_fen"]), "pending": yuan(r["pending_fen"]),
        "unpaid": yuan(r["amount_fen"] - r["paid_fen"]),
        "tranches": [
            {"tranche_no": t["tranche_no"], "amount": yuan(t["amount_fen"]), "milestone_id": t["milestone_id"],
             "payable": t["milestone_id"] is None or t["released_on"] is not None, "released_on": t["released_on"]}
            for t in r["tranches"]
        ],
    }


async def allocations(conn: asyncpg.Connection, scope: ReadScope, *, line_id: str | None = None,
                      village_code: str | None = None, limit: int = 200, after: str | None = None) -> list[dict]:
    rows = await conn.fetch(
        _ALLOCATIONS + f""" where {VILLAGE_FILTER} and ($3::text is null or t.line_id = $3)
            and ($4::text is null or t.village_code = $4) and ($5::text is null or t.allocation_id > $5)
            order by t.allocation_id limit $6""",
        scope.district, scope.village_list, line_id, village_code, after, limit)
    return [_allocation_row(r) for r in rows]


async def allocation(conn: asyncpg.Connection, allocation_id: str) -> tuple[dict, str, str] | None:
    row = await conn.fetchrow(_ALLOCATIONS + " where t.allocation_id = $1", allocation_id)
    return (_allocation_row(row), row["village_code"], row["district"]) if row else None


async def disbursement(conn: asyncpg.Connection, disbursement_id: str) -> dict | None:
    row = await conn.fetchrow("select * from ledger.disbursements where disbursement_id = $1", disbursement_id)
    return _disbursement_row(row) if row else None


def _policy_row(r: asyncpg.Record) -> dict:
    d = dict(r)
    d["registered_on"] = d["registered_on"].isoformat()
    if "applied_on" in d:
        d["applied_on"] = d["applied_on"].isoformat()
    return d


# A policy for named districts is theirs: a reader scoped to a district sees the city's
# policies (no districts named) and its own district's; one scoped to villages, those of the
# villages' districts. Parameters $1 (district) and $2 (village codes), table aliased ``p``.
POLICY_FILTER = """(($1::text is null and $2::text[] is null) or cardinality(p.districts) = 0
                    or $1 = any(p.districts)
                    or exists (select 1 from directory.villages v where v.code = any($2)
                               and v.district = any(p.districts)))"""


async def policies(conn: asyncpg.Connection, scope: ReadScope = ReadScope()) -> list[dict]:
    rows = await conn.fetch(
        f"""select p.*, (select count(*) from ledger.policy_villages pv where pv.policy_id = p.policy_id
                           and {VILLAGE_FILTER.replace('t.', 'pv.')}) as villages
           from ledger.policies p where {POLICY_FILTER} order by p.policy_id""",
        scope.district, scope.village_list)
    return [_policy_row(r) for r in rows]


async def policy(conn: asyncpg.Connection, policy_id: str, scope: ReadScope) -> dict | None:
    """None for a policy that is not there or not within ``scope`` (another district's)."""
    row = await conn.fetchrow(f"select * from ledger.policies p where {POLICY_FILTER} and p.policy_id = $3",
                              scope.district, scope.village_list, policy_id)
    if row is None:
        return None
    applied = await conn.fetch(
        f"""select t.village_code, t.district, t.applied_on from ledger.policy_villages t
            where {VILLAGE_FILTER} and t.policy_id = $3 order by t.village_code""",
        scope.district, scope.village_list, policy_id)
    return _policy_row(row) | {"villages": [
        {"village_code": a["village_code"], "district": a["district"], "applied_on": a["applied_on"].isoformat()}
        for a in applied]}


async def village_page(conn: asyncpg.Connection, code: str) -> dict | None:
    """Everything that reaches one village: policies, allocations and payments."""
    village = await conn.fetchrow(
        "select code, name, district, town, village_type, designated from directory.villages where code = $1", code)
    if village is None:
        return None
    only = ReadScope(villages=(code,))
    policies_here = await conn.fetch(
        """select p.policy_id, p.name, p.description, pv.applied_on from ledger.policy_villages pv
           join ledger.policies p using (policy_id) where pv.village_code = $1 order by p.policy_id""", code)
    allocs = await allocations(conn, only, limit=10_000)
    payments = await disbursements(conn, only, limit=10_000)
    totals = await conn.fetchrow(
        """select coalesce((select sum(amount_fen) from ledger.allocations where village_code = $1), 0) as allocated,
                  coalesce((select sum(amount_fen) from ledger.movements
                            where village_code = $1 and kind in ('payment', 'reversal')), 0) as paid,
                  coalesce((select sum(amount_fen) from ledger.disbursements
                            where village_code = $1 and status in ('requested', 'approved')), 0) as pending""", code)
    return {
        "village": dict(village),
        "policies": [{"policy_id": p["policy_id"], "name": p["name"], "description": p["description"],
                      "applied_on": p["applied_on"].isoformat()} for p in policies_here],
        "allocations": allocs,
        "payments": payments,
        "totals": {k: yuan(v) for k, v in totals.items()},
    }


def page(items: list[dict], key: str, limit: int) -> dict:
    """A keyset page: ``next_after`` names the last item when the page is full."""
    return {"items": items, "next_after": items[-1][key] if len(items) == limit else None}
