"""``xingcun audit verify``: check each service's hash-chained log."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import typer
from rich.console import Console

from shared.config import SERVICES, get_settings
from shared.db import connect
from shared.eventstore.anchors import heads_on_topic, read_anchors, write_anchors
from shared.eventstore.audit import AuditReport, verify_chain

app = typer.Typer(no_args_is_help=True, help="审计 / audit of the event logs")
console = Console()


def _parse_head(text: str) -> tuple[int, str]:
    position, _, digest = text.partition(":")
    if not position.isdigit() or len(digest) != 64:
        raise typer.BadParameter(f"应为 位置:哈希 / expected POSITION:SHA256HEX, got {text!r}")
    return int(position), digest.lower()


def _chosen(services: list[str] | None) -> list[str]:
    chosen = services or list(SERVICES)
    unknown = set(chosen) - set(SERVICES)
    if unknown:
        console.print(f"[red]未知服务 / unknown service: {', '.join(sorted(unknown))}[/red]")
        raise typer.Exit(2)
    return chosen


async def _verify(service: str, heads: dict[int, str]) -> AuditReport | None:
    try:
        conn = await connect(get_settings().dsn(service))
    except (OSError, asyncpg.PostgresError) as exc:
        console.print(f"[red]✗ {service}: 无法连接数据库 / cannot open its database ({exc}); "
                      f"请先 make up / start the stack first[/red]")
        return None
    try:
        return await verify_chain(conn, expected_heads=heads)
    finally:
        await conn.close()


@app.command()
def verify(
    services: list[str] = typer.Argument(None, help="服务 / services (default: all)"),
    head: list[str] = typer.Option([], help="已公布的链头 / a published head POSITION:HASH that must match"),
    anchors: Path = typer.Option(None, exists=True, dir_okay=False,
                                 help="链头锚点文件（audit anchor 所写）/ an anchor file written by `audit anchor`"),
    kafka: bool = typer.Option(False, "--kafka", help="并核对主题上的 ChainCheckpointed / also check every head "
                                                      "published on the service's topic"),
) -> None:
    """逐条校验哈希链，指出第一处被篡改、删除、调序或截断的事件 / verify the hash chain and name the first
    event altered, removed, reordered — or the log cut short — against heads kept outside the database."""
    chosen = _chosen(services)
    given = dict(_parse_head(h) for h in head)
    try:
        anchored = read_anchors(anchors) if anchors else {}
    except (ValueError, KeyError, TypeError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None

    async def run() -> bool:
        settings = get_settings()
        ok = True
        for service in chosen:
            heads = {**given, **anchored.get(service, {})}
            if kafka:
                heads |= await heads_on_topic(settings, settings.topic(service))
            report = await _verify(service, heads)
            if report is None or not report.ok:
                ok = False
                if report is not None:
                    console.print(f"[red]✗ {service}: {report.problem.message}[/red]")
                continue
            console.print(f"[green]✓[/green] {service}: {report.checked} 个事件完好，核对外部链头 {len(heads)} 个 / "
                          f"events intact, {len(heads)} outside heads matched; 链头 head "
                          f"{report.head_position}:{report.head_hash}")
        return ok

    if not asyncio.run(run()):
        raise typer.Exit(1)


@app.command()
def anchor(
    out: Path = typer.Option(..., "--out", dir_okay=False, help="写入的锚点文件 / the anchor file to write"),
    services: list[str] = typer.Argument(None, help="服务 / services (default: all)"),
) -> None:
    """校验后写下各服务的链头，交他处保管 / verify, then write each service's chain head to a file another
    bureau keeps; `audit verify --anchors FILE` checks the log against it later."""
    chosen = _chosen(services)

    async def run() -> dict[str, tuple[int, str]] | None:
        heads = {}
        for service in chosen:
            report = await _verify(service, {})
            if report is None or not report.ok:
                if report is not None:
                    console.print(f"[red]✗ {service}: {report.problem.message}[/red]")
                return None
            heads[service] = (report.head_position, report.head_hash)
        return heads

    heads = asyncio.run(run())
    if heads is None:
        console.print("[red]链有问题，未写锚点 / a chain is broken: no anchor written[/red]")
        raise typer.Exit(1)
    write_anchors(out, heads)
    for service, (position, digest) in heads.items():
        console.print(f"[green]✓[/green] {service}: {position}:{digest}")
    console.print(f"锚点已写入 / anchors written: {out}")
