"""``xingcun demo``: the Tianjin scenario — three years of the programme, 3,520 villages —
driven through the running stack, checked against its plan, and where to look at it."""

from __future__ import annotations

import asyncio
import time

import httpx
import typer
from rich.table import Table

from shared.config import SERVICES, get_settings

from scenario import calendar
from scenario.cli import Preset, build, console, ensure_up, run_and_check, urls

HEADLINE = (
    ("villages_registered", "登记行政村 / villages registered"),
    ("villages_designated", "经济薄弱村 / weak villages designated"),
    ("teams_stationed", "驻村工作队 / work teams stationed"),
    ("villages_at_income_target", "集体经营性收入达20万元的村 / villages at ≥ 200,000 yuan"),
    ("allocated_yuan", "资金分配（元）/ allocated, yuan"),
    ("disbursed_yuan", "已拨付（元）/ disbursed, yuan"),
    ("disbursement_rate_pct", "拨付率 % / disbursement rate %"),
    ("low_income_gap", "应保未保人数 / low-income people not yet covered"),
)


def demo(
    seed: int = typer.Option(2021, help="随机种子 / random seed"),
    preset: Preset = typer.Option(Preset.tianjin, help="规模 / size: tianjin (3,520 村) or small (120 村)"),
    concurrency: int = typer.Option(24, min=1, max=256, help="并发请求数 / requests in flight"),
    check: bool = typer.Option(True, help="核对统计 / check the statistics against the plan"),
) -> None:
    """运行天津情景并打印大屏地址与要览 / run the Tianjin scenario, print the dashboard's URL and headline figures."""
    s = build(seed, preset)
    settings = get_settings()
    where = urls(settings)
    ensure_up(where)
    started = time.monotonic()
    _, report, failures = asyncio.run(run_and_check(s, settings, where, concurrency, check))
    r = httpx.get(f"{where['publicity']}/stats/headline", params={"as_of": calendar.END.isoformat()}, timeout=60)
    r.raise_for_status()
    figures = r.json()["headline"]
    table = Table(title=f"要览（截至 {calendar.END}）/ headline figures as of {calendar.END}")
    table.add_column("指标 / figure")
    table.add_column("数值 / value", justify="right")
    for key, label in HEADLINE:
        if key in figures:
            table.add_row(label + (f"（{figures['income_year']}年）" if key == "villages_at_income_target" else ""),
                          str(figures[key]))
    console.print(table)
    console.print(f"实时统计大屏 / dashboard:  [bold]{where['publicity']}/dashboard/[/bold]")
    for service in SERVICES:
        console.print(f"  {service:<11} {where[service]}/docs")
    console.print(f"用时 / took {time.monotonic() - started:.0f} s")
    if failures or (report and report.differences):
        raise typer.Exit(1)
