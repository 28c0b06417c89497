"""``xingcun contracts``: write the event contract (AsyncAPI + JSON Schemas) from the code, or check it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from shared.contracts.export import CONTRACTS_DIR, ContractReport, check, export

app = typer.Typer(no_args_is_help=True, help="事件契约 / the event contract other bureaus build on")
console = Console(highlight=False)

DIRECTORY = typer.Option(CONTRACTS_DIR, "--dir", help="契约目录 / contract directory")


def _show(report: ContractReport) -> None:
    sections = (
        ("不兼容的变更（需新版本号与升级函数）/ incompatible changes: give the event a new version and an upcaster",
         report.breaking),
        ("已发布的事件类型消失 / published event types missing from the code", report.vanished),
        ("缺少升级函数 / missing upcasters", report.upcasters),
        ("文件与代码不一致，请运行 `xingcun contracts export` / files differ from the code: run `xingcun contracts export`",
         report.drift),
    )
    for title, lines in sections:
        if lines:
            console.print(f"[red]{title}[/red]")
            for line in lines:
                console.print(f"  • {line}")


@app.command("export")
def export_command(
    directory: Path = DIRECTORY,
    allow_breaking: bool = typer.Option(
        False, "--allow-breaking", help="覆盖不兼容的同版本变更（仅限从未发布的事件）/ overwrite incompatible "
        "same-version changes (only for events never published)"),
) -> None:
    """由代码生成 AsyncAPI 文档与各事件 JSON Schema / write the AsyncAPI document and JSON Schemas from the code."""
    report = check(directory)
    if not report.safe_to_write and not allow_breaking:
        _show(report)
        console.print("[red]未写入任何文件 / nothing written[/red]")
        raise typer.Exit(1)
    changed = export(directory)
    for rel in changed:
        console.print(f"写入 / wrote {directory / rel}")
    console.print(f"[green]契约已是最新 / contract up to date[/green] ({len(changed)} 个文件更新 files changed)")
    if report.upcasters:
        _show(ContractReport(upcasters=report.upcasters))
        raise typer.Exit(1)


@app.command("check")
def check_command(directory: Path = DIRECTORY) -> None:
    """检查契约文件与代码一致且兼容 / fail if the contract files differ from the code or changed incompatibly."""
    report = check(directory)
    if not report.ok:
        _show(report)
        raise typer.Exit(1)
    console.print("[green]契约与代码一致 / contract matches the code[/green]")
