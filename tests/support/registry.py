"""Builders for registry tests: village tables, units, cadres and teams with unique ids."""

from __future__ import annotations

import csv
import io
import itertools
import secrets

from openpyxl import Workbook

from tests.support.villages import village_body

CHINESE_HEADERS = ["村代码", "村名", "区", "镇/街", "村类型", "2018年村集体经营性收入(元)",
                   "2019年村集体经营性收入(元)", "2020年村集体经营性收入(元)"]
FIELDS = ["code", "name", "district", "town", "village_type", "income_2018", "income_2019", "income_2020"]
_serial = itertools.count(1)


def uid(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}-{next(_serial)}"


def village_rows(n: int, district: str = "120119", base: int = 50_000) -> list[dict]:
    return [village_body(district, name=f"导入{i}村", income_2018=str(base + i), income_2019=str(base + i),
                         income_2020=str(base + i)) for i in range(n)]


def to_csv(rows: list[dict], headers: list[str] = CHINESE_HEADERS, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(f, "") for f in FIELDS])
    return out.getvalue().encode(encoding)


def to_xlsx(rows: list[dict], headers: list[str] = CHINESE_HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        cells = [row.get(f, "") for f in FIELDS]
        # As an office's sheet has them: the code and amounts as numbers.
        sheet.append([int(cells[0]) if str(cells[0]).isdigit() else cells[0], *cells[1:5],
                      *(float(c) if c not in ("", None) else None for c in cells[5:])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
