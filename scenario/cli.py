"""``xingcun scenario``: run the Tianjin scenario against the running stack, and check it."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from enum import StrEnum

import httpx
import typer
from rich.console import Console
from rich.table import Table

from shared.config import SERVICES, Settings, get_settings

from scenario.check import DATES, Checker, Report
from scenario.drive.client import Api
from scenario.drive.registry import DesignationMismatch
from scenario.drive.run import Summary, drive, show
from scenario.generate import generate
from scenario.model import Scenario
from scenario.size import ScenarioSize

app = typer.Typer(no_args_is_help=True, help="天津情景：三年扶持工作 / the Tianjin scenario: three years of the programme")
console = Console()


class Preset(StrEnum):
    tianjin = "tianjin"  # the programme's own numbers
    small = "small"  # for tests and a quick look


def build(seed: int, preset: Preset, times: int = 1, **overrides: int | None) -> Scenario:
    size = (ScenarioSize() if preset is Preset.tianjin else ScenarioSize.small()).times(times)
    try:
        size = size.scaled(**{k: v for k, v in overrides.items() if v is not None})
        return generate(seed, size)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def urls(settings: Settings, host: str = "127.0.0.1") -> dict[str, str]:
    return {s: f"http://{host}:{settings.port(s)}" for s in SERVICES}


def ensure_up(where: dict[str, str]) -> None:
    down = []
    for service, url in where.items():
        try:
            httpx.get(url + "/healthz", timeout=5).raise_for_status()
        except httpx.HTTPError:
            down.append(f"{service} ({url})")
    if down:
        console.print(f"[red]服务未运行 / not running:[/red] {', '.join(down)}；请先 / first run: xingcun stack up")
        raise typer.Exit(1)


async def run_and_check(s: Scenario, settings: Settings, where: dict[str, str], concurrency: int,
                        check: bool) -> tuple[Summary, Report | None, int]:
    """Drive the scenario; then, if asked, check it. Returns the failures count too."""
    async with Api(settings, where, s.seed, concurrency=concurrency) as api:
        try:
            summary = await drive(s, api, console)
        except DesignationMismatch as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
        show(summary, api, console)
        failures = len(api.tally.failures) + bool(summary.stopped_at)
    started = time.monotonic()
    report = await check_all(s, settings, where) if check and not summary.stopped_at else None
    if report is not None:
        show_report(report)
        console.print(f"核对用时 / the check took {time.monotonic() - started:.1f} s")
    return summary, report, failures


async def check_all(s: Scenario, settings: Settings, where: dict[str, str], days: tuple[date, ...] = DATES) -> Report:
    """Publicity's statistics and monitoring's alerts, each against the plan."""
    async with Api(settings, where, s.seed) as api:
        return await Checker(s, where["publicity"], assessment=where["assessment"], settings=settings,
                             monitoring=api).run(days)


def show_report(report: Report) -> None:
    if report.differences:
        table = Table(title="统计与计划不符 / statistics that differ from the plan")
        for col in ("截至 as of", "指标 figure", "分组 group", "应为 expected", "实为 served"):
            table.add_column(col)
        for d in report.differences[:50]:
            table.add_row(d.day.isoformat(), d.what, d.key, str(d.expected), str(d.served))
        console.print(table)
        if len(report.differences) > 50:
            console.print(f"… 另有 {len(report.differences) - 50} 处 / more")
    if report.not_served:
        console.print("[yellow]未提供、未核对 / not served, not checked:[/yellow] " + ", ".join(sorted(report.not_served)))
    colour = "red" if report.differences else "green"
    console.print(f"[{colour}]核对 {report.compared} 项，{len(report.differences)} 处不符 / compared {report.compared} "
                  f"figures, {len(report.differences)} differences[/{colour}]")


SeedOpt = typer.Option(2021, help="随机种子：决定一切 / the seed fixes everything")
PresetOpt = typer.Option(Preset.tianjin, help="规模 / size: tianjin (3,520 村) or small (120 村)")
HostOpt = typer.Option("127.0.0.1", help="服务所在主机 / host of the services")
TimesOpt = typer.Option(1, min=1, max=100, help="倍数：村、认定、单位、干部、工作队同乘 / the programme n times over "
                        "(villages, designated, units, cadres, teams)")
PresenceOpt = typer.Option(None, help="每人每月打卡天数 / check-ins per cadre and month")


@app.command()
def run(
    seed: int = SeedOpt,
    preset: Preset = PresetOpt,
    villages: int | None = typer.Option(None, help="村数 / villages"),
    designated: int | None = typer.Option(None, help="认定数 / designated"),
    units: int | None = typer.Option(None, help="扶持单位数 / supporting units"),
    cadres: int | None = typer.Option(None, help="干部数 / cadres"),
    teams: int | None = typer.Option(None, help="工作队数 / work teams"),
    presence_days: int | None = PresenceOpt,
    times: int = TimesOpt,
    concurrency: int = typer.Option(24, min=1, max=256, help="并发请求数 / requests in flight"),
    check: bool = typer.Option(True, help="运行后核对统计 / check the statistics afterwards"),
    host: str = HostOpt,
) -> None:
    """运行情景（可重复运行，不会重复写入）/ run the scenario (re-running adds nothing)."""
    s = build(seed, preset, times, villages=villages, designated=designated, units=units, cadres=cadres, teams=teams,
              presence_days_per_month=presence_days)
    settings = get_settings()
    where = urls(settings, host)
    ensure_up(where)
    _, report, failures = asyncio.run(run_and_check(s, settings, where, concurrency, check))
    if failures or (report and report.differences):
        raise typer.Exit(1)


@app.command("check")
def check_command(
    seed: int = SeedOpt,
    preset: Preset = PresetOpt,
    times: int = TimesOpt,
    presence_days: int | None = PresenceOpt,
    as_of: list[str] = typer.Option([], help="截至日期（可多次）/ as of these days (repeatable); default: eight days 2021–2024"),
    host: str = HostOpt,
) -> None:
    """核对公开统计、监测预警与情景计划 / compare publicity's statistics and monitoring's alerts with the plan."""
    s = build(seed, preset, times, presence_days_per_month=presence_days)
    try:
        days = tuple(date.fromisoformat(d) for d in as_of) or DATES
    except ValueError as exc:
        raise typer.BadParameter(f"日期应为 YYYY-MM-DD / dates are YYYY-MM-DD: {exc}") from None
    settings = get_settings()
    where = urls(settings, host)
    ensure_up({"publicity": where["publicity"], "assessment": where["assessment"], "monitoring": where["monitoring"]})
    report = asyncio.run(check_all(s, settings, where, days))
    show_report(report)
    if report.differences:
        raise typer.Exit(1)
