"""周例会导出 / the alerts for the weekly supervision meeting, CSV (UTF-8 with BOM, so Excel
opens the Chinese headers) or XLSX, with zh-CN headers and English beside."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from services.monitoring.domain.rules import CATALOGUE

HEADERS = (
    ("alert_id", "预警编号 alert id"),
    ("raised_on", "发现日 raised on"),
    ("rule_id", "规则 rule"),
    ("rule_title", "规则名称 rule title"),
    ("severity", "级别 severity"),
    ("district", "区 district"),
    ("village_code", "村 village"),
    ("subject", "对象 subject"),
    ("state", "状态 state"),
    ("level", "升级级别 escalation level"),
    ("acknowledged_by", "确认人 acknowledged by"),
    ("acknowledged_on", "确认日 acknowledged on"),
    ("resolved_on", "解除日 resolved on"),
    ("resolved_how", "解除方式 resolved how"),
    ("figures", "依据 figures"),
)


def _cell(row: dict, key: str) -> str:
    if key == "rule_title":
        d = CATALOGUE.get(row["rule_id"])
        return d.title if d else ""
    if key == "subject":
        return f"{row['subject_kind']}:{row['subject_id']}"
    if key == "figures":
        return "; ".join(f"{k}={v}" for k, v in sorted(row["figures"].items()))
    value = row.get(key)
    return "" if value is None else str(value)


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([h for _, h in HEADERS])
    for row in rows:
        writer.writerow([_cell(row, k) for k, _ in HEADERS])
    return out.getvalue()


def to_xlsx(rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "预警 Alerts"
    sheet.append([h for _, h in HEADERS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:  # the escalation level as a number; everything else as text
        sheet.append([row["level"] if k == "level" else _cell(row, k) for k, _ in HEADERS])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
