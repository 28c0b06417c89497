"""``xingcun projections``: list read models, show their positions, rebuild one from offset zero."""

from __future__ import annotations

import asyncio
import importlib

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from shared.config import SERVICES, get_settings
from shared.db import create_pool
from shared.projections import Projection, ProjectionRunner

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
            pool = await create_pool(settings.dsn(service), max_size=2)
            try:
                for projection in projections_of(service):
                    runner = runner_for(pool, projection)
                    await runner.setup()
                    positions = await runner.positions()
                    table.add_row(service, projection.name, ", ".join(projection.sources),
                                  " ".join(f"{t}:{p}→{o}" for (t, p), o in sorted(positions.items())) or "—")
            finally:
                await pool.close()
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
        pool = await create_pool(settings.dsn(service), max_size=2)
        try:
            runner = runner_for(pool, projection)
            await runner.setup()
            with Progress(TextColumn("重放 replaying {task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeRemainingColumn(), console=console) as progress:
                task = progress.add_task(name, total=None)
                return await runner.rebuild(
                    settings.kafka_bootstrap,
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                )
        finally:
            await pool.close()

    applied = asyncio.run(go())
    console.print(f"已重建 / rebuilt [bold]{service}.{name}[/bold]: {applied} 个事件 events applied")
