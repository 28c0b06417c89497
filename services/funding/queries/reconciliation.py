"""对账 / reconciliation: for a period, every yuan traced appropriation → allocation → payment,
by source, district and village, with breaks flagged.

Figures are cumulative as of the period's end plus the movements within the period.
Breaks are found from the ledger in global-position order, so they mean "at that moment
in the log", whatever order the projection received its partitions in:

- payment_without_approval: paid with no approval before it in the log;
- approved_by_requester: the four-eyes rule broken;
- allocation_above_line: a line's allocations exceeded what was appropriated at that moment;
- paid_above_allocation: an allocation paid more than it held at that moment;
- tranche_paid_before_milestone: a tranche paid before its milestone released it;
- untraced_payment / untraced_allocation: money whose allocation or line is unknown.

The write side makes each of these impossible (locked balance rows with CHECKs, the
workflow's states); the report checks the log itself, so an import, a migration or a
tampered source cannot slip one past. The ledger is fed from several partitions: read
while it is still catching up, a report can show a break whose earlier event (say, the
tranche's release) is about to arrive; it disappears once it has.
"""

from __future__ import annotations

from datetime import date

import asyncpg

from shared.money import yuan

_LINES = """
select l.line_id, l.source, l.fiscal_year, l.scope, l.title,
    coalesce(sum(m.amount_fen) filter (where m.kind = 'appropriation' and m.occurred_on <= $2), 0) as appropriated,
    coalesce(sum(m.amount_fen) filter (where m.kind = 'allocation' and m.occurred_on <= $2), 0) as allocated,
    coalesce(sum(m.amount_fen) filter (where m.kind in ('payment', 'reversal') and m.occurred_on <= $2), 0) as paid,
    coalesce(sum(m.amount_fen) filter (where m.kind = 'appropriation' and m.occurred_on >= $1 and m.occurred_on <= $2), 0)
        as appropriated_in_period,
    coalesce(sum(m.amount_fen) filter (where m.kind = 'allocation' and m.occurred_on >= $1 and m.occurred_on <= $2), 0)
        as allocated_in_period,
    coalesce(sum(m.amount_fen) filter (where m.kind in ('payment', 'reversal') and m.occurred_on >= $1
                                       and m.occurred_on <= $2), 0) as paid_in_period
from ledger.lines l left join ledger.movements m on m.line_id = l.line_id
where l.appropriated_on <= $2 and ($3::text is null or l.scope = $3) and ($4::text is null or l.source = $4)
group by l.line_id order by l.source, l.fiscal_year, l.line_id
"""

_ALLOCATIONS = """
select a.allocation_id, a.line_id, a.source, a.fiscal_year, a.district, a.village_code, v.name as village_name,
    a.project_id, a.task_no, a.status,
    coalesce(sum(m.amount_fen) filter (where m.kind = 'allocation' and m.occurred_on <= $2), 0) as allocated,
    coalesce(sum(m.amount_fen) filter (where m.kind in ('payment', 'reversal') and m.occurred_on <= $2), 0) as paid,
    coalesce(sum(m.amount_fen) filter (where m.kind = 'allocation' and m.occurred_on >= $1 and m.occurred_on <= $2), 0)
        as allocated_in_period,
    coalesce(sum(m.amount_fen) filter (where m.kind in ('payment', 'reversal') and m.occurred_on >= $1
                                       and m.occurred_on <= $2), 0) as paid_in_period,
    coalesce((select sum(d.amount_fen) from ledger.disbursements d where d.allocation_id = a.allocation_id
              and d.requested_on <= $2 and not coalesce(d.rejected_on <= $2, false)
              and not coalesce(d.paid_on <= $2, false)), 0) as pending
from ledger.allocations a
left join ledger.movements m on m.allocation_id = a.allocation_id
left join directory.villages v on v.code = a.village_code
where a.allocated_on <= $2 and ($3::text is null or a.district = $3) and ($4::text is null or a.source = $4)
group by a.allocation_id, v.name order by a.source, a.district, a.village_code, a.allocation_id
"""

_PAYMENTS = """
select d.disbursement_id, d.allocation_id, d.line_id, d.source, d.district, d.village_code, v.name as village_name,
    d.project_id, d.task_no, d.tranche_no, d.amount_fen, d.status, d.requested_by, d.requested_on, d.approved_by,
    d.approved_on, d.paid_on, d.voucher_no, d.reversed_on, d.reverse_reason
from ledger.disbursements d left join directory.villages v on v.code = d.village_code
where ((d.paid_on between $1 and $2) or (d.reversed_on between $1 and $2))
  and ($3::text is null or d.district = $3) and ($4::text is null or d.source = $4)
order by d.paid_on, d.disbursement_id
"""

_BREAKS = """
with running as (
    select m.*,
        sum(m.amount_fen) filter (where m.kind = 'appropriation') over line_w as line_appropriated,
        sum(m.amount_fen) filter (where m.kind = 'allocation') over line_w as line_allocated
    from ledger.movements m
    window line_w as (partition by m.line_id order by m.position)
), per_allocation as (
    select m.*,
        sum(m.amount_fen) filter (where m.kind = 'allocation') over alloc_w as held,
        sum(m.amount_fen) filter (where m.kind in ('payment', 'reversal')) over alloc_w as paid
    from ledger.movements m where m.allocation_id is not null
    window alloc_w as (partition by m.allocation_id order by m.position)
)
select 'allocation_above_line' as kind, r.occurred_on as on_date, r.line_id, r.allocation_id,
       null::text as disbursement_id, r.district, r.source, r.amount_fen,
       coalesce(r.line_appropriated, 0) as limit_fen, coalesce(r.line_allocated, 0) as total_fen
from running r where r.kind = 'allocation' and coalesce(r.line_allocated, 0) > coalesce(r.line_appropriated, 0)
union all
select 'paid_above_allocation', p.occurred_on, p.line_id, p.allocation_id, p.disbursement_id, p.district, p.source,
       p.amount_fen, coalesce(p.held, 0), coalesce(p.paid, 0)
from per_allocation p where p.kind = 'payment' and coalesce(p.paid, 0) > coalesce(p.held, 0)
union all
select 'payment_without_approval', d.paid_on, d.line_id, d.allocation_id, d.disbursement_id, d.district, d.source,
       d.amount_fen, null, null
from ledger.disbursements d
where d.paid_position is not null and (d.approved_position is null or d.approved_position > d.paid_position)
union all
select 'approved_by_requester', d.approved_on, d.line_id, d.allocation_id, d.disbursement_id, d.district, d.source,
       d.amount_fen, null, null
from ledger.disbursements d where d.approved_by is not null and d.approved_by = d.requested_by
union all
select 'tranche_paid_before_milestone', d.paid_on, d.line_id, d.allocation_id, d.disbursement_id, d.district,
       d.source, d.amount_fen, null, null
from ledger.disbursements d join ledger.tranches t
     on t.allocation_id = d.allocation_id and t.tranche_no = d.tranche_no
where d.paid_position is not null and t.milestone_id is not null
  and (t.released_position is null or t.released_position > d.paid_position)
union all
select 'untraced_payment', m.occurred_on, m.line_id, m.allocation_id, m.disbursement_id, m.district, m.source,
       m.amount_fen, null, null
from ledger.movements m
where m.kind = 'payment' and not exists (select 1 from ledger.allocations a where a.allocation_id = m.allocation_id)
union all
select 'untraced_allocation', m.occurred_on, m.line_id, m.allocation_id, null, m.district, m.source,
       m.amount_fen, null, null
from ledger.movements m
where m.kind = 'allocation' and not exists (select 1 from ledger.lines l where l.line_id = m.line_id)
"""

BREAK_TEXT = {
    "allocation_above_line": "分配超出预算线 / allocation above its line",
    "paid_above_allocation": "支付超出分配 / paid above the allocation",
    "payment_without_approval": "未经审批即支付 / payment without an approval",
    "approved_by_requester": "申请人自行审批 / approved by the requester",
    "tranche_paid_before_milestone": "节点验收前支付分期 / tranche paid before its milestone",
    "untraced_payment": "支付无对应分配 / payment without an allocation",
    "untraced_allocation": "分配无对应预算线 / allocation without a line",
}

_FIGURES = ("appropriated", "allocated", "paid", "appropriated_in_period", "allocated_in_period", "paid_in_period",
            "pending")


def _money(row: dict) -> dict:
    """Fen figures as yuan strings; ``x_fen`` keys become ``x``."""
    out = {}
    for k, v in row.items():
        if k.endswith("_fen"):
            out[k.removesuffix("_fen")] = yuan(v) if v is not None else None
        else:
            out[k] = yuan(v) if k in _FIGURES else v
    return out


def _dates(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}


async def reconcile(conn: asyncpg.Connection, start: date, end: date, *, district: str | None = None,
                    source: str | None = None) -> dict:
    """``district`` limits the report to one district: its own lines, and allocations and
    payments to its villages from any line."""
    lines = [dict(r) for r in await conn.fetch(_LINES, start, end, district, source)]
    allocations = [dict(r) for r in await conn.fetch(_ALLOCATIONS, start, end, district, source)]
    payments = [dict(r) for r in await conn.fetch(_PAYMENTS, start, end, district, source)]
    breaks = [
        dict(r) for r in await conn.fetch(
            f"select * from ({_BREAKS}) b where b.on_date between $1 and $2"
            " and ($3::text is null or b.district = $3) and ($4::text is null or b.source = $4)"
            " order by b.on_date, b.kind, b.disbursement_id, b.allocation_id", start, end, district, source)
    ]
    flagged: dict[str, list[str]] = {}
    for b in breaks:
        b["message"] = BREAK_TEXT[b["kind"]]
        if b["allocation_id"]:
            flagged.setdefault(b["allocation_id"], []).append(b["kind"])
    for a in allocations:
        a["flags"] = sorted(set(flagged.get(a["allocation_id"], [])))
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "district": district,
        "source": source,
        "totals": _money(_sum(lines, ("appropriated", "allocated", "paid", "appropriated_in_period",
                                      "allocated_in_period", "paid_in_period")) if district is None else
                         _sum(allocations, ("allocated", "paid", "allocated_in_period", "paid_in_period", "pending"))),
        "by_source": _grouped(allocations, lines, "source"),
        "by_district": _grouped(allocations, [], "district"),
        "lines": [_money(_dates(r)) | {"unallocated": yuan(r["appropriated"] - r["allocated"])} for r in lines],
        "allocations": [_money(_dates(r)) | {"unpaid": yuan(r["allocated"] - r["paid"])} for r in allocations],
        "payments": [_money(_dates(r)) for r in payments],
        "breaks": [_money(_dates(b)) for b in breaks],
        "traced": _traced(lines, allocations),
    }


def _sum(rows: list[dict], keys: tuple[str, ...]) -> dict:
    return {k: sum(r[k] for r in rows) for k in keys}


def _grouped(allocations: list[dict], lines: list[dict], key: str) -> list[dict]:
    groups: dict[str, dict] = {}
    for r in lines:
        g = groups.setdefault(r[key], {key: r[key], "appropriated": 0, "allocated": 0, "paid": 0})
        g["appropriated"] += r["appropriated"]
    for r in allocations:
        g = groups.setdefault(r[key], {key: r[key], "appropriated": 0, "allocated": 0, "paid": 0})
        g["allocated"] += r["allocated"]
        g["paid"] += r["paid"]
    return [_money(g) for _, g in sorted(groups.items())]


def _traced(lines: list[dict], allocations: list[dict]) -> dict:
    """The chain's arithmetic: what the lines say they allocated and paid equals what the
    allocations under them hold and paid (meaningful for a report not cut by district)."""
    listed = {r["line_id"] for r in lines}
    under = [a for a in allocations if a["line_id"] in listed]
    allocated_lines, allocated_allocs = sum(r["allocated"] for r in lines), sum(a["allocated"] for a in under)
    paid_lines, paid_allocs = sum(r["paid"] for r in lines), sum(a["paid"] for a in under)
    return {
        "allocated_by_lines": yuan(allocated_lines), "allocated_by_allocations": yuan(allocated_allocs),
        "paid_by_lines": yuan(paid_lines), "paid_by_allocations": yuan(paid_allocs),
        "balanced": allocated_lines == allocated_allocs and paid_lines == paid_allocs,
    }
