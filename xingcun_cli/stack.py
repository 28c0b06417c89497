"""``xingcun stack``: start, stop and inspect the local stack."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated

import typer
from rich.table import Table

from shared.config import SERVICES, get_settings
from shared.stack import kafka, postgres, services
from shared.stack.processes import StackError, console, http_status, read_pid

from xingcun_cli.db import migrate_service

app = typer.Typer(no_args_is_help=True, help="本地环境 / local stack: PostgreSQL, Kafka, services")


def _guarded(step: Callable[[], None]) -> None:
    try:
        step()
    except StackError as exc:
        console.print(f"[red]失败 / failed:[/red] {exc}")
        raise typer.Exit(1) from None


def _infra() -> None:
    settings = get_settings()
    started = time.monotonic()
    postgres.ensure_postgres(settings)
    kafka.ensure_kafka(settings)
    console.print(f"[green]基础设施就绪 / infrastructure ready[/green] ({time.monotonic() - started:.1f} s)")


@app.command()
def infra() -> None:
    """启动 PostgreSQL 与 Kafka / start PostgreSQL and Kafka (no-op if running)."""
    _guarded(_infra)


@app.command()
def up(
    services_: Annotated[
        str, typer.Option("--services", help="逗号分隔 / comma-separated, e.g. registry,funding")
    ] = ",".join(SERVICES),
) -> None:
    """启动基础设施和服务 / start infrastructure, APIs and workers."""

    def step() -> None:
        chosen = services.parse_services(services_)
        _infra()
        settings = get_settings()
        for service in chosen:  # once per database, before any process starts: they never migrate
            done = migrate_service(settings, service)
            console.print(f"迁移 / migrated {service}: {', '.join(done.applied) or '已是最新 / up to date'}")
        services.start_services(chosen, settings)

    _guarded(step)


@app.command()
def down(
    keep_infra: Annotated[bool, typer.Option("--keep-infra", help="只停服务 / stop services only")] = False,
) -> None:
    """停止服务，然后 Kafka 与 PostgreSQL / stop services, then Kafka and PostgreSQL."""

    def step() -> None:
        settings = get_settings()
        stopped = services.stop_services(SERVICES, settings)
        console.print(f"已停止服务 / stopped services: {', '.join(stopped) or '-'}")
        if keep_infra:
            return
        if kafka.stop_kafka(settings):
            console.print("已停止 Kafka / stopped Kafka")
        if postgres.stop_postgres(settings):
            console.print("已停止 PostgreSQL / stopped PostgreSQL")

    _guarded(step)


@app.command()
def status() -> None:
    """各组件状态 / state of every component."""
    settings = get_settings()
    table = Table(title="兴村本地环境 / Xingcun local stack")
    for header in ("组件 component", "进程 pid", "端口 port", "状态 state", "健康 /healthz"):
        table.add_column(header, no_wrap=True)

    def row(name: str, pid: int | None, port: object, health: str = "") -> None:
        state = "[green]运行中 running[/green]" if pid else "[dim]已停止 stopped[/dim]"
        table.add_row(name, str(pid or "-"), str(port), state, health)

    row("postgres", postgres.server_pid(settings), settings.pg_port)
    row("kafka", kafka.kafka_pid(settings), f"{kafka.bootstrap_host_port(settings)[1]},{settings.kafka_controller_port}")
    for svc in SERVICES:
        pid = read_pid(svc, settings)
        code = http_status(services.health_url(svc, settings)) if pid else None
        health = "-" if not pid else ("[green]200[/green]" if code == 200 else f"[red]{code or '无应答 none'}[/red]")
        row(svc, pid, settings.port(svc), health)
        row(services.worker_name(svc), read_pid(services.worker_name(svc), settings), "-")
    console.print(table)


__all__ = ["app"]
