"""``xingcun audit verify``: check each service's hash-chained log."""

from __future__ import annotations

import asyncio

import asyncpg
import typer
from rich.console import Console

from shared.config import SERVICES, get_settings
from shared.db import connect
from shared.eventstore.audit import verify_chain

app = typer.Typer(no_args_is_help=True, help="审计 / audit of the event logs")
console = Console()


def _parse_head(text: str) -> tuple[int, str]:
    position, _, digest = text.partition(":")
    if not position.isdigit() or len(digest) != 64:
        raise typer.BadParameter(f"应为 位置:哈希 / expected POSITION:SHA256HEX, got {text!r}")
    return int(position), digest.lower()


@app.command()
def verify(
    services: list[str] = typer.Argument(None, help="服务 / services (default: all four)"),
    head: list[str] = typer.Option([], help="已公布的链头 / a published head POSITION:HASH that must match"),
) -> None:
    """逐条校验哈希链，指出第一处被篡改、删除或调序的事件 / verify the hash chain and name the first
    event altered, removed or reordered."""
    chosen = services or list(SERVICES)
    unknown = set(chosen) - set(SERVICES)
    if unknown:
        console.print(f"[red]未知服务 / unknown service: {', '.join(sorted(unknown))}[/red]")
        raise typer.Exit(2)
    heads = dict(_parse_head(h) for h in head)

    async def run() -> bool:
        settings = get_settings()
        ok = True
        for service in chosen:
            try:
                conn = await connect(settings.dsn(service))
            except (OSError, asyncpg.PostgresError) as exc:
                ok = False
                console.print(f"[red]✗ {service}: 无法连接数据库 / cannot open its database ({exc}); "
                              f"请先 make up / start the stack first[/red]")
                continue
            try:
                report = await verify_chain(conn, expected_heads=heads)
            finally:
                await conn.close()
            if report.ok:
                console.print(f"[green]✓[/green] {service}: {report.checked} 个事件完好 / events intact; "
                              f"链头 head {report.head_position}:{report.head_hash}")
            else:
                ok = False
                console.print(f"[red]✗ {service}: {report.problem.message}[/red]")
        return ok

    if not asyncio.run(run()):
        raise typer.Exit(1)
