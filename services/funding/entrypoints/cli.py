"""``xingcun funding reconcile``: the reconciliation of a period, as a table, CSV or XLSX file."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from shared.config import get_settings
from shared.db import connect

from services.funding.queries import export
from services.funding.queries.reconciliation import reconcile as reconcile_report

app = typer.Typer(no_args_is_help=True, help="资金 / funding")
console = Console()


@app.command()
def reconcile(
    start: str = typer.Option(..., "--from", help="起始日（含）/ first day, YYYY-MM-DD"),
    end: str = typer.Option(..., "--to", help="截止日（含）/ last day, YYYY-MM-DD"),
    district: str | None = typer.Option(None, help="区代码 / district code"),
    out: Path | None = typer.Option(None, help="导出文件 .xlsx 或 .csv（分配表）/ write .xlsx or .csv (allocations)"),
) -> None:
    """对账：下达→分配→支付 / trace every yuan from appropriation to allocation to payment."""
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        raise typer.BadParameter(f"日期格式应为 YYYY-MM-DD / dates as YYYY-MM-DD: {exc}") from exc

    async def load() -> dict:
        conn = await connect(get_settings().dsn("funding"))
        try:
            return await reconcile_report(conn, first, last, district=district)
        finally:
            await conn.close()

    report = asyncio.run(load())
    table = Table("来源 source", "下达 appropriated", "已分配 allocated", "已支付 paid", title=f"对账 {start} — {end}")
    for g in report["by_source"]:
        table.add_row(g["source"], g["appropriated"], g["allocated"], g["paid"])
    console.print(table)
    balanced = "是 yes" if report["traced"]["balanced"] else "[red]否 no[/red]"
    console.print(f"平衡 balanced: {balanced}; 异常 breaks: {len(report['breaks'])}")
    for b in report["breaks"]:
        console.print(f"[yellow]{b['on_date']} {b['message']}: {b['disbursement_id'] or b['allocation_id']} "
                      f"{b['amount']}[/yellow]")
    if out is not None:
        if out.suffix == ".xlsx":
            out.write_bytes(export.to_xlsx(report))
        else:
            out.write_text(export.to_csv(report, "allocations"), encoding="utf-8")
        console.print(f"已导出 / written: {out}")
