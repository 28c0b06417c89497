"""``xingcun projections``: list read models, show their positions, rebuild one from offset zero,
and the records they could not apply (``quarantine list|retry|skip``)."""

from __future__ import annotations

import asyncio
import importlib
from typing import Annotated

import asyncpg
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from shared.config import SERVICES, get_settings
from shared.db import create_pool
from shared.messaging.quarantine_notice import QuarantineNotice, announce_decision
from shared.migrations import SchemaBehind
from shared.projections import Projection, ProjectionRunner, QuarantineError
from shared.projections.runner import quarantined

from xingcun_cli.db import require_current

app = typer.Typer(no_args_is_help=True, help="读模型 / projections (read models)")
console = Console()


def projections_of(service: str) -> list[Projection]:
    if service not in SERVICES:
        raise typer.BadParameter(f"未知服务 / unknown service {service!r}; one of {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{service}.projections").PROJECTIONS


def runner_for(pool, projection: Projection) -> ProjectionRunner:
    settings = get_settings()
    return ProjectionRunner(pool, projection, {s: settings.topic(s) for s in projection.sources})


@app.command("list")
def list_projections() -> None:
    """列出各服务的读模型及其进度 / list every service's projections and how far they are."""

    async def collect():
        settings = get_settings()
        table = Table("服务 service", "读模型 projection", "来源 sources", "已处理位置 applied (topic:partition→offset)")
        for service in SERVICES:
            async with await create_pool(settings.dsn(service), max_size=2) as pool:
                for projection in projections_of(service):
                    positions = await runner_for(pool, projection).positions()
                    table.add_row(service, projection.name, ", ".join(projection.sources),
                                  " ".join(f"{t}:{p}→{o}" for (t, p), o in sorted(positions.items())) or "—")
        console.print(table)

    asyncio.run(collect())


@app.command()
def rebuild(
    service: str = typer.Argument(help="服务 / service, e.g. publicity"),
    name: str = typer.Argument(help="读模型 / projection name, e.g. villages"),
) -> None:
    """清空并从头重放重建读模型 / empty a projection and rebuild it from offset zero."""
    projection = next((p for p in projections_of(service) if p.name == name), None)
    if projection is None:
        console.print(f"[red]未知读模型 / unknown projection {name!r} in {service}[/red]")
        raise typer.Exit(2)

    async def go() -> int:
        settings = get_settings()
        await require_current(settings, service)  # a rebuild empties rows; the tables are the migrations'
        async with await create_pool(settings.dsn(service), max_size=2) as pool:  # closed on the way out
            runner = runner_for(pool, projection)
            with Progress(TextColumn("重放 replaying {task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeRemainingColumn(), console=console) as progress:
                task = progress.add_task(name, total=None)
                return await runner.rebuild(
                    settings,
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                )

    try:
        applied = asyncio.run(go())
    except SchemaBehind as exc:
        console.print(f"[red]✗ {exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"已重建 / rebuilt [bold]{service}.{name}[/bold]: {applied} 个事件 events applied")


quarantine_app = typer.Typer(no_args_is_help=True, help="隔离的记录 / records a projection could not apply")
app.add_typer(quarantine_app, name="quarantine")


async def _held_runner(pool, service: str, held_id: int) -> ProjectionRunner:
    async with pool.acquire() as conn:
        name = await conn.fetchval("select projection from proj.quarantine where id = $1", held_id)
    projection = next((p for p in projections_of(service) if p.name == name), None)
    if projection is None:
        console.print(f"[red]没有隔离记录 / no quarantined record {held_id} in {service}[/red]")
        raise typer.Exit(2)
    return runner_for(pool, projection)


def _resolve(service: str, held_id: int, by: str, retry: bool) -> None:
    async def go() -> None:
        await require_current(get_settings(), service)
        pool = await create_pool(get_settings().dsn(service), max_size=2)
        try:
            runner = await _held_runner(pool, service, held_id)
            if retry:
                await runner.retry_quarantined(held_id, by)
            else:
                await runner.skip_quarantined(held_id, by)
            async with pool.acquire() as conn:
                row = await conn.fetchrow('select projection, topic, partition, "offset", record from proj.quarantine '
                                          "where id = $1", held_id)
        finally:
            await pool.close()
        notice = QuarantineNotice(row["projection"], row["topic"], row["partition"], row["offset"],
                                  "retried" if retry else "skipped", by)
        settings = get_settings()
        try:  # monitoring clears its alert on this
            await announce_decision(settings, settings.quarantine_topic(service), bytes(row["record"]),
                                    notice)
        except Exception as exc:  # noqa: BLE001 - decided already; the alert stays open for a person
            console.print(f"[yellow]! 未能在隔离主题上公告 / not announced on the quarantine topic: {exc!r}[/yellow]")

    try:
        asyncio.run(go())
    except (QuarantineError, SchemaBehind) as exc:
        console.print(f"[red]✗ {exc}[/red]")
        raise typer.Exit(1) from exc
    except Exception as exc:  # noqa: BLE001 - the projection still fails: say so, keep it held
        console.print(f"[red]✗ 仍然失败，记录保持隔离 / still fails, the record stays held: {exc!r}[/red]")
        raise typer.Exit(1) from exc
    done = "已重试并应用 / retried and applied" if retry else "已跳过 / skipped"
    console.print(f"[green]✓[/green] {service} #{held_id}: {done}")


@quarantine_app.command("list")
def quarantine_list(
    service: list[str] = typer.Option([], help="只看这些服务 / only these services (default: all)"),
    all_: bool = typer.Option(False, "--all", help="也列出已处理的 / also those retried or skipped"),
) -> None:
    """列出隔离的记录及其错误 / list quarantined records with their errors."""

    async def collect() -> int:
        settings = get_settings()
        table = Table("服务 service", "编号 id", "读模型 projection", "事件 event", "位置 position",
                      "状态 status", "尝试 tries", "错误 error")
        count = 0
        for name in service or SERVICES:
            try:
                pool = await create_pool(settings.dsn(name), max_size=2)
            except asyncpg.InvalidCatalogNameError:  # a service never started here
                continue
            try:
                async with pool.acquire() as conn:
                    rows = await quarantined(conn, status=None if all_ else "held")
            finally:
                await pool.close()
            for r in rows:
                count += 1
                table.add_row(name, str(r["id"]), r["projection"], f"{r['event_type']} {r['stream_id']}",
                              str(r["position"]), r["status"], str(r["attempts"]), r["error"][:120])
        console.print(table)
        return count

    console.print(f"共 / total: {asyncio.run(collect())}")


# The arguments of every decision on a held record.
HeldService = Annotated[str, typer.Argument(help="服务 / service")]
HeldId = Annotated[int, typer.Argument(help="隔离记录编号 / quarantined record id (see list)")]
DecidedBy = Annotated[str, typer.Option(help="操作人 / who decided")]


@quarantine_app.command("retry")
def quarantine_retry(service: HeldService, held_id: HeldId, by: DecidedBy = "operator") -> None:
    """修复后重新应用一条隔离的记录（只生效一次）/ apply a held record again after the fix (takes effect once)."""
    _resolve(service, held_id, by, retry=True)


@quarantine_app.command("skip")
def quarantine_skip(service: HeldService, held_id: HeldId, by: DecidedBy = "operator") -> None:
    """永久跳过一条隔离的记录（保留，标记为跳过）/ give up on a held record (kept, marked skipped)."""
    _resolve(service, held_id, by, retry=False)
