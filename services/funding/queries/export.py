"""对账导出 / the reconciliation as CSV (one table) or XLSX (every table, one sheet each)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

# (key, header) per table: Chinese first, English beside, as officials read them.
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "lines": [
        ("source", "来源 source"), ("fiscal_year", "年度 fiscal year"), ("line_id", "预算线 line"),
        ("scope", "范围 scope"), ("title", "名称 title"), ("appropriated", "下达 appropriated"),
        ("allocated", "已分配 allocated"), ("paid", "已支付 paid"), ("unallocated", "未分配 unallocated"),
        ("appropriated_in_period", "本期下达 appropriated in period"),
        ("allocated_in_period", "本期分配 allocated in period"), ("paid_in_period", "本期支付 paid in period"),
    ],
    "allocations": [
        ("source", "来源 source"), ("line_id", "预算线 line"), ("district", "区 district"),
        ("village_code", "村代码 village"), ("village_name", "村名 name"), ("allocation_id", "分配 allocation"),
        ("project_id", "项目 project"), ("task_no", "任务 task"), ("status", "状态 status"),
        ("allocated", "已分配 allocated"), ("paid", "已支付 paid"), ("pending", "在途 pending"),
        ("unpaid", "未支付 unpaid"), ("allocated_in_period", "本期分配 allocated in period"),
        ("paid_in_period", "本期支付 paid in period"), ("flags", "异常 breaks"),
    ],
    "payments": [
        ("disbursement_id", "拨付 disbursement"), ("allocation_id", "分配 allocation"), ("line_id", "预算线 line"),
        ("source", "来源 source"), ("district", "区 district"), ("village_code", "村代码 village"),
        ("village_name", "村名 name"), ("tranche_no", "期次 tranche"), ("amount", "金额 amount"),
        ("status", "状态 status"), ("requested_by", "申请人 requested by"), ("requested_on", "申请日 requested on"),
        ("approved_by", "审批人 approved by"), ("approved_on", "审批日 approved on"), ("paid_on", "支付日 paid on"),
        ("voucher_no", "凭证号 voucher"), ("reversed_on", "冲销日 reversed on"), ("reverse_reason", "冲销理由 reason"),
    ],
    "breaks": [
        ("kind", "类型 kind"), ("message", "说明 message"), ("on_date", "日期 date"), ("line_id", "预算线 line"),
        ("allocation_id", "分配 allocation"), ("disbursement_id", "拨付 disbursement"), ("district", "区 district"),
        ("source", "来源 source"), ("amount", "金额 amount"), ("limit", "限额 limit"), ("total", "累计 total"),
    ],
}
SHEET_TITLES = {"lines": "预算线 Lines", "allocations": "分配 Allocations", "payments": "拨付 Payments",
                "breaks": "异常 Breaks"}


def _cell(value: object) -> object:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return value


def to_csv(report: dict, table: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    columns = COLUMNS[table]
    writer.writerow([header for _, header in columns])
    for row in report[table]:
        writer.writerow([_cell(row.get(key)) for key, _ in columns])
    return "\ufeff" + out.getvalue()  # the BOM lets spreadsheet programs read the Chinese headers right


def to_xlsx(report: dict) -> bytes:
    """Amounts go in as numbers (so a spreadsheet can sum them), from Decimal, never float."""
    book = Workbook()
    summary = book.active
    summary.title = "汇总 Summary"
    summary.append(["对账期间 period", report["from"], report["to"]])
    summary.append(["区 district", report["district"] or "全市 city", "来源 source", report["source"] or "全部 all"])
    summary.append([])
    for label, rows, key in (("按来源 by source", report["by_source"], "source"),
                             ("按区 by district", report["by_district"], "district")):
        summary.append([label, "下达 appropriated", "已分配 allocated", "已支付 paid"])
        summary.cell(summary.max_row, 1).font = Font(bold=True)
        for g in rows:
            summary.append([g[key], Decimal(g["appropriated"]), Decimal(g["allocated"]), Decimal(g["paid"])])
        summary.append([])
    summary.append(["平衡 balanced", report["traced"]["balanced"], "异常数 breaks", len(report["breaks"])])
    for table, columns in COLUMNS.items():
        sheet = book.create_sheet(SHEET_TITLES[table])
        sheet.append([header for _, header in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in report[table]:
            sheet.append([_xlsx_value(key, row.get(key)) for key, _ in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(key: str, value: object) -> object:
    money = {"appropriated", "allocated", "paid", "unallocated", "pending", "unpaid", "amount", "limit", "total"}
    if (key in money or key.endswith("_in_period")) and isinstance(value, str):
        return Decimal(value)
    return _cell(value)
