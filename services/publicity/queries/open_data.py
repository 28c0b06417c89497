"""开放数据 / open data: every public figure flattened to rows (for CSV and JSON)."""

from __future__ import annotations

import asyncpg

from shared.reference.places import DISTRICTS

from services.publicity.domain.asof import AsOf
from shared.money import yuan
from services.publicity.queries.facts_sql import kept_for
from services.publicity.queries.figures import grouped_each
from services.publicity.queries.metrics import CATALOGUE

COLUMNS = ("metric", "name_zh", "name_en", "unit", "district", "district_name", "breakdown", "breakdown_value",
           "value")


async def statistic_rows(conn: asyncpg.Connection, asof: AsOf) -> list[dict]:
    """Per metric: the city total, each district, and the city total by each breakdown."""
    rows = []
    kept = await kept_for(conn, asof)  # one look for the 25 metrics, all in the answer's snapshot
    for m in CATALOGUE.values():
        show = (lambda v: yuan(v)) if m.unit == "fen" else (lambda v: int(v))
        unit = "yuan" if m.unit == "fen" else m.unit
        base = {"metric": m.name, "name_zh": m.zh, "name_en": m.en, "unit": unit}
        each = await grouped_each(conn, m.name, asof, ("district", *m.breakdowns), kept=kept)
        by_district = {r["district"]: r["value"] for r in each["district"]}
        rows.append(base | {"district": "", "district_name": "全市 city", "breakdown": "", "breakdown_value": "",
                            "value": show(sum(by_district.values(), 0))})
        for code, name in DISTRICTS.items():
            rows.append(base | {"district": code, "district_name": name, "breakdown": "", "breakdown_value": "",
                                "value": show(by_district.get(code, 0))})
        for key in m.breakdowns:
            for r in sorted(each[key], key=lambda r: str(r[key])):
                rows.append(base | {"district": "", "district_name": "全市 city", "breakdown": key,
                                    "breakdown_value": "" if r[key] is None else str(r[key]),
                                    "value": show(r["value"])})
    return rows
