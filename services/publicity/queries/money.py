"""资金 / money: appropriated, allocated, disbursed by source, district, village and task."""

from __future__ import annotations

from decimal import Decimal

import asyncpg

from shared.reference.tasks import TASK_NAMES

from services.publicity.domain.asof import AsOf
from shared.money import rate_pct, yuan
from services.publicity.queries.figures import Scope, by_key
from services.publicity.queries.shape import city, per_district

FIGURES = ("appropriated", "allocated", "disbursed", "awaiting_approval", "approved_unpaid")
SOURCES = {"city_special": "市财政产业扶持专项补贴资金", "district": "区级资金", "town": "镇级资金",
           "unit": "扶持单位自筹", "other": "其他"}


def _with_rate(row: dict) -> dict:
    return row | {"disbursement_rate_pct": rate_pct(Decimal(row["disbursed"]), Decimal(row["allocated"]))}


async def _columns(conn, asof: AsOf, key: str, scope: Scope) -> dict[str, dict]:
    return {f: await by_key(conn, f, asof, key, scope) for f in FIGURES}


def _rows(columns: dict[str, dict], keys, label) -> list[dict]:
    return [_with_rate({"key": k, "name": label(k), **{f: yuan(columns[f].get(k, 0)) for f in FIGURES}})
            for k in keys]


async def money(conn: asyncpg.Connection, asof: AsOf, district: str | None = None) -> dict:
    scope = Scope(district=district)
    by_district = await _columns(conn, asof, "district", scope)
    by_source = await _columns(conn, asof, "source", scope)
    by_task = await _columns(conn, asof, "task", scope)
    tasks = sorted({int(k) for col in by_task.values() for k in col if k})
    return {
        "unit": "元 / yuan",
        "city": _with_rate(city(by_district, yuan)),
        "districts": [_with_rate(r) for r in per_district(by_district, yuan)],
        "sources": _rows(by_source, [s for s in SOURCES if any(s in c for c in by_source.values())],
                         lambda s: SOURCES.get(s, s)),
        "tasks": _rows(by_task, [str(t) for t in tasks], lambda t: TASK_NAMES.get(int(t), ("", ""))[0]),
    }


async def villages(conn: asyncpg.Connection, asof: AsOf, district: str | None) -> list[dict]:
    columns = await _columns(conn, asof, "village", Scope(district=district))
    codes = sorted({k for col in columns.values() for k in col if k})
    names = {r["code"]: r["name"] for r in await conn.fetch(
        "select code, name from stats.villages where code = any($1::text[])", codes)}
    return _rows(columns, codes, lambda c: names.get(c))
