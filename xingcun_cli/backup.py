"""``xingcun backup dump DIR`` and ``xingcun backup restore DIR``: the event stores, kept and brought back."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from shared.backup import BackupError, dump, rebuild_all, republish, restore
from shared.config import SERVICES, get_settings
from xingcun_cli.projections import projections_of

app = typer.Typer(no_args_is_help=True, help="备份与恢复 / backup and restore of the event stores")
console = Console()


def _check(services: list[str] | None) -> list[str] | None:
    unknown = set(services or ()) - set(SERVICES)
    if unknown:
        console.print(f"[red]未知服务 / unknown service: {', '.join(sorted(unknown))}[/red]")
        raise typer.Exit(2)
    return services or None


@app.command("dump")
def dump_command(
    directory: Path = typer.Argument(help="备份目录 / directory to write the backup into"),
    service: list[str] = typer.Option([], help="只备份这些服务 / only these services (default: all)"),
) -> None:
    """备份各服务的事件库（不含读模型）/ dump each service's event store (read models are rebuilt, not kept)."""
    try:
        manifest = asyncio.run(dump(get_settings(), directory, projections_of, _check(service)))
    except BackupError as exc:
        console.print(f"[red]✗ {exc}[/red]")
        raise typer.Exit(1) from exc
    table = Table("服务 service", "事件 events", "链头 chain head", "大小 size")
    for s in manifest["services"].values():
        table.add_row(s["service"], str(s["events"]), f"{s['head_position']}:{s['head_hash'][:16]}…",
                      f"{s['size'] / 1024:.0f} KiB")
    console.print(table)
    if manifest["skipped"]:
        console.print(f"无数据库，跳过 / no database, skipped: {', '.join(manifest['skipped'])}")
    console.print(f"[green]✓[/green] 已写入 / written to {directory} ({manifest['seconds']} s)")


@app.command("restore")
def restore_command(
    directory: Path = typer.Argument(help="备份目录 / directory holding a backup"),
    service: list[str] = typer.Option([], help="只恢复这些服务 / only these services (default: all in the backup)"),
    republish_log: bool = typer.Option(
        False, "--republish", help="把恢复的日志重新发布到 Kafka / send the restored log to the topics again "
                                   "(when the broker's data was lost too; copies are skipped by consumers)"),
    rebuild: bool = typer.Option(
        False, "--rebuild", help="从头重建所有读模型 / rebuild every projection from offset zero afterwards"),
) -> None:
    """恢复到空数据库并核对链头 / restore into empty databases and check the chain heads."""
    settings = get_settings()

    async def go() -> None:
        started = time.monotonic()
        restored = await restore(settings, directory, _check(service))
        for r in restored:
            console.print(f"[green]✓[/green] {r.service}: {r.events} 个事件，链头与备份一致 / events, chain head "
                          f"matches the backup ({r.head_position}:{r.head_hash[:16]}…)")
        names = [r.service for r in restored]
        if republish_log:
            for name in names:
                sent = await republish(settings, name)
                console.print(f"  {name}: 已重新发布 / republished {sent} events to {settings.topic(name)}")
        if rebuild:
            for name, applied in (await rebuild_all(settings, names, projections_of)).items():
                console.print(f"  已重建 / rebuilt {name}: {applied} events applied")
        else:
            console.print("下一步 / next: xingcun projections rebuild SERVICE NAME (or --rebuild)")
        console.print(f"[green]完成 / done[/green] ({time.monotonic() - started:.1f} s)")

    try:
        asyncio.run(go())
    except BackupError as exc:
        console.print(f"[red]✗ {exc}[/red]")
        raise typer.Exit(1) from exc
