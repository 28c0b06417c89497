"""Bulk import: the 3,520-village table through the registry's import endpoint (parse,
validate every row, one batched append), beside asyncpg ``copy_records_to_table`` of the
same rows into a plain table — the fastest way PostgreSQL takes rows from Python."""

from __future__ import annotations

import asyncio
import csv
import io
import random
import time

import asyncpg
import httpx

from bench.harness import Figure
from bench.stack import BenchStack
from shared.http.auth import Principal, Role, issue_token
from shared.reference.places import DISTRICTS, VillageType

HEADERS = ["村代码", "村名", "区", "镇/街", "村类型", "2018年村集体经营性收入(元)",
           "2019年村集体经营性收入(元)", "2020年村集体经营性收入(元)"]


def table(rows: int, seed: int = 7) -> list[list[str]]:
    rng, districts = random.Random(seed), list(DISTRICTS)
    out = []
    for i in range(rows):
        district = districts[i % len(districts)]
        base = rng.lognormvariate(12.2, 0.8)
        out.append([f"{district}{i + 1:06d}", f"基准{i + 1}村", DISTRICTS[district], f"基准{i % 9 + 1}镇",
                    rng.choice(list(VillageType)).value, *(f"{base * (1 + k / 20):.2f}" for k in range(3))])
    return out


async def copy_baseline(dsn: str, rows: list[list[str]]) -> float:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("""create table if not exists bench_copy (code text primary key, name text,
            district text, town text, village_type text, i2018 numeric, i2019 numeric, i2020 numeric)""")
        await conn.execute("truncate bench_copy")
        records = [(r[0], r[1], r[2], r[3], r[4], *map(float, r[5:])) for r in rows]
        started = time.perf_counter()
        await conn.copy_records_to_table("bench_copy", records=records)
        return len(rows) / (time.perf_counter() - started)
    finally:
        await conn.close()


def run(rows: int) -> list[Figure]:
    stack = BenchStack()
    try:
        stack.start_service("registry", worker=False)
        data = table(rows)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADERS)
        writer.writerows(data)
        token = issue_token(stack.settings, Principal(subject="bench", role=Role.city_office))
        started = time.perf_counter()
        r = httpx.post(stack.url("registry") + "/villages/import", headers={"Authorization": f"Bearer {token}"},
                       files={"file": ("villages.csv", buffer.getvalue().encode(), "text/csv")}, timeout=300)
        elapsed = time.perf_counter() - started
        if r.status_code != 201:
            raise RuntimeError(f"import failed: {r.status_code} {r.text[:500]}")
        ours = rows / elapsed
        copy = asyncio.run(copy_baseline(stack.settings.dsn("registry"), data))
    finally:
        stack.stop()
        asyncio.run(stack.forget())
    figure = Figure(f"bulk import of {rows} villages", ours, "rows/s", "asyncpg COPY", copy, target=">= 0.3× COPY",
                    notes=f"{elapsed:.2f} s for the whole HTTP import")
    figure.met = figure.ratio >= 0.3
    return [figure]
