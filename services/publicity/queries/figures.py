"""Figures from the metric catalogue: sums by breakdown, and the events behind them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import asyncpg

from services.publicity.domain.asof import AsOf
from services.publicity.queries.facts_sql import Kept, from_current, kept_for
from services.publicity.queries.metrics import CATALOGUE, Metric

GROUP_COLUMNS = {"district": "m.district", "village": "m.village"}


@dataclass(frozen=True)
class Scope:
    """Which rows of a metric count: a district, a village, fixed breakdown values."""

    district: str | None = None
    village: str | None = None
    dims: Mapping[str, str] = field(default_factory=dict)


def metric(name: str) -> Metric:
    return CATALOGUE[name]


def metric_sql(name: str, kept: Kept) -> str:
    """The metric's query, reading each key's latest fact from ``stats.current`` when that is
    the same answer (as of now, as a rule): picking the latest of every key's whole history was
    most of a cold open-data file's time."""
    sql = metric(name).sql
    return from_current(sql) if kept.latest else sql


def summed_rows(name: str, kept: Kept) -> tuple[str, str]:
    """The metric's rows for a sum, and how many of them each stands for: its running tallies
    when they hold the answer, else its rows one by one."""
    m = metric(name)
    if m.tallied and kept.tallies:
        return from_current(m.tallied), "m.rows"
    return metric_sql(name, kept), "1"


def scope_clauses(scope: Scope, args: list, alias: str = "m") -> list[str]:
    """SQL conditions for the scope, appending their parameters to ``args``."""
    clauses = []
    if scope.district:
        args.append(scope.district)
        clauses.append(f"{alias}.district = ${len(args)}")
    if scope.village:
        args.append(scope.village)
        clauses.append(f"{alias}.village = ${len(args)}")
    for key, value in sorted(scope.dims.items()):
        args += [key, value]
        clauses.append(f"{alias}.dims->>${len(args) - 1} = ${len(args)}")
    return clauses


def _where(scope: Scope, args: list) -> str:
    # Every metric query is prepared with both parameters, whether it uses the day or not.
    return "where " + " and ".join(["$1::timestamptz is not null", "$2::date is not null",
                                    *scope_clauses(scope, args)])


def _group_expr(key: str, args: list) -> str:
    if key in GROUP_COLUMNS:
        return GROUP_COLUMNS[key]
    args.append(key)
    return f"m.dims->>${len(args)}"


async def grouped(
    conn: asyncpg.Connection, name: str, asof: AsOf, by: Sequence[str] = (), scope: Scope = Scope()
) -> list[dict]:
    """``[{<by...>, "value": Decimal, "rows": n}]``; with no ``by``, one row: the total."""
    args: list = [asof.cutoff, asof.day]
    where = _where(scope, args)
    exprs = [_group_expr(k, args) for k in by]
    select = ", ".join(f"{e} as g{i}" for i, e in enumerate(exprs))
    group = ("group by " + ", ".join(f"g{i}" for i in range(len(exprs)))) if exprs else ""
    sql = f"""select {select + ',' if select else ''} coalesce(sum(m.value), 0) as value, count(*) as rows
              from ({metric_sql(name, await kept_for(conn, asof))}) m {where} {group}"""
    records = await conn.fetch(sql, *args)
    return [{**{k: r[f"g{i}"] for i, k in enumerate(by)}, "value": r["value"], "rows": r["rows"]} for r in records]


async def grouped_each(
    conn: asyncpg.Connection, name: str, asof: AsOf, keys: Sequence[str], scope: Scope = Scope(),
    kept: Kept | None = None,
) -> dict[str, list[dict]]:
    """``grouped`` by each of ``keys`` alone, from one pass over the metric's rows (grouping
    sets): the open-data file needs every breakdown of every metric, and a pass each cost as
    much as the metric's whole query. ``kept``: ``kept_for(conn, asof)``, if already read."""
    args: list = [asof.cutoff, asof.day]
    where = _where(scope, args)
    exprs = [_group_expr(k, args) for k in keys]
    columns = ", ".join(f"{e} as g{i}" for i, e in enumerate(exprs))
    names = [f"g{i}" for i in range(len(keys))]
    rows, each = summed_rows(name, kept or await kept_for(conn, asof))
    sql = f"""select {", ".join(names)}, grouping({", ".join(names)}) as unused, sum(x.value) as value,
                     sum(x.n)::bigint as rows
              from (select {columns}, m.value, {each} as n from ({rows}) m {where}) x
              group by grouping sets ({", ".join(f"({n})" for n in names)})"""
    found: dict[str, list[dict]] = {k: [] for k in keys}
    for r in await conn.fetch(sql, *args):
        # grouping() has a bit per key, set for the keys a row is not grouped by: all but one.
        i = next(i for i in range(len(keys)) if not r["unused"] >> (len(keys) - 1 - i) & 1)
        found[keys[i]].append({keys[i]: r[f"g{i}"], "value": r["value"], "rows": r["rows"]})
    return found


async def total(conn: asyncpg.Connection, name: str, asof: AsOf, scope: Scope = Scope()) -> Decimal:
    return (await grouped(conn, name, asof, (), scope))[0]["value"]


async def by_key(
    conn: asyncpg.Connection, name: str, asof: AsOf, key: str, scope: Scope = Scope()
) -> dict[str | None, Decimal]:
    return {r[key]: r["value"] for r in await grouped(conn, name, asof, (key,), scope)}


async def explain(
    conn: asyncpg.Connection, name: str, asof: AsOf, scope: Scope = Scope(), limit: int = 1000
) -> dict:
    """The figure and the events it was computed from (no payloads: ids and positions only),
    and how many of each type from each source."""
    args: list = [asof.cutoff, asof.day]
    where = _where(scope, args)
    args.append(limit)
    sql = f"""with m as (select * from ({metric_sql(name, await kept_for(conn, asof))}) m {where}),
                   r as (select distinct e->>0 as source, (e->>1)::bigint as position, (e->>2)::uuid as event_id,
                                e->>3 as type, (e->>4)::timestamptz as occurred_at
                         from m, jsonb_array_elements(m.refs) e)
              select (select coalesce(sum(value), 0) from m) as value, (select count(*) from m) as rows,
                     (select count(*) from r) as events,
                     coalesce((select jsonb_agg(jsonb_build_object('source', g.source, 'type', g.type, 'events', g.n)
                                                order by g.source, g.type)
                               from (select source, type, count(*) as n from r group by 1, 2) g), '[]'::jsonb)
                         as sources,
                     coalesce((select jsonb_agg(to_jsonb(x) order by x.source, x.position)
                               from (select * from r order by source, position limit ${len(args)}) x), '[]'::jsonb)
                         as items"""
    row = await conn.fetchrow(sql, *args)
    return {"value": row["value"], "rows": row["rows"], "events_total": row["events"], "events": row["items"],
            "sources": row["sources"]}
