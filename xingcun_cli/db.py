"""``xingcun db migrate|status``: the services' schemas, by versioned migrations (shared/migrations).

Runs as the owner role (``XINGCUN_PG_USER``); the APIs and workers, as the application role,
only check at start that their database is at the latest migration.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import asyncpg
import typer
from rich.console import Console
from rich.table import Table

from shared.config import SERVICES, Settings, get_settings
from shared.db import connect, database_exists, ensure_database
from shared.migrations import Chain, Outcome, check_current, no_database
from shared.migrations import migrate as apply_chain
from shared.migrations import status as chain_status

from services.assessment.adapters.schema import CHAIN as ASSESSMENT
from services.funding.adapters.schema import CHAIN as FUNDING
from services.monitoring.adapters.schema import CHAIN as MONITORING
from services.publicity.adapters.schema import CHAIN as PUBLICITY
from services.registry.adapters.schema import CHAIN as REGISTRY

CHAINS: dict[str, Chain] = {c.service: c for c in (REGISTRY, FUNDING, ASSESSMENT, PUBLICITY, MONITORING)}
assert set(CHAINS) == set(SERVICES)

app = typer.Typer(no_args_is_help=True, help="数据库结构迁移 / database schema migrations")
console = Console()

Service = Annotated[str | None, typer.Option("--service", "-s", help="只迁移此服务 / only this service's database")]
All = Annotated[bool, typer.Option("--all", help="全部服务（默认）/ every service (the default)")]


def chosen(service: str | None) -> list[str]:
    if service is None:
        return list(SERVICES)
    if service not in CHAINS:
        console.print(f"[red]✗ 未知服务 {service!r}，应为 {', '.join(SERVICES)} / unknown service {service!r}, "
                      f"expected one of {', '.join(SERVICES)}[/red]")
        raise typer.Exit(2)
    return [service]


def migrate_service(settings: Settings, service: str, *, dry_run: bool = False, database: str | None = None):
    """Create the database if absent (and the application role), then apply what is pending."""
    database = database or settings.db_prefix + service
    if dry_run and not asyncio.run(database_exists(settings, database)):
        # Nothing to connect to yet: a real run would create it and apply the whole chain.
        return Outcome(database, CHAINS[service].ids(), [])
    if not dry_run:
        asyncio.run(ensure_database(settings, database))
    return apply_chain(settings, CHAINS[service], database, dry_run=dry_run)


@app.command()
def migrate(
    service: Service = None,
    all_: All = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出将执行的迁移 / only list what would run")] = False,
) -> None:
    """应用尚未执行的迁移（以所有者角色）/ apply pending migrations, as the owner role. A second run applies nothing."""
    settings = get_settings()
    failed = False
    for name in chosen(None if all_ else service):
        try:
            done = migrate_service(settings, name, dry_run=dry_run)
        except Exception as exc:  # noqa: BLE001 - said per database; the exit code says it failed
            console.print(f"[red]✗ {name}: 迁移失败 / migration failed: {exc}[/red]")
            failed = True
            continue
        if done.baselined:
            marked = "将记为已执行 / would be marked applied" if dry_run else "记为已执行 / marked applied"
            console.print(f"{name}: 已有旧版启动时建立的表，{marked} (tables made by earlier start-ups): "
                          f"{', '.join(done.baselined)}")
        verb = "将执行 / would apply" if dry_run else "已执行 / applied"
        if done.applied:
            console.print(f"[green]✓[/green] {name} ({done.database}): {verb} {', '.join(done.applied)}")
        else:
            console.print(f"[green]✓[/green] {name} ({done.database}): 已是最新 / up to date")
    if failed:
        raise typer.Exit(1)


@app.command()
def status(service: Service = None) -> None:
    """各数据库已执行与待执行的迁移 / applied and pending migrations per database."""
    settings = get_settings()
    table = Table("服务 service", "迁移 migration", "状态 state")
    behind = False
    for name in chosen(service):
        try:
            applied, pending = chain_status(settings, CHAINS[name])
        except Exception as exc:  # noqa: BLE001 - a database not reachable or not created yet
            table.add_row(name, "—", f"[red]无法读取 / unreadable: {exc}[/red]")
            behind = True
            continue
        for migration in applied:
            table.add_row(name, migration, "[green]已执行 applied[/green]")
        for migration in pending:
            table.add_row(name, migration, "[yellow]待执行 pending[/yellow]")
        behind = behind or bool(pending)
    console.print(table)
    if behind:
        raise typer.Exit(1)


async def require_current(settings: Settings, service: str) -> None:
    """For CLI commands on a service's tables: stop with the message when its database is behind."""
    try:
        conn = await connect(settings.dsn(service))
    except asyncpg.InvalidCatalogNameError:
        raise no_database(service, settings.db_prefix + service) from None
    try:
        await check_current(conn, CHAINS[service])
    finally:
        await conn.close()
