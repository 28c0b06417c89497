"""``xingcun registry …``: import a village table with progress; re-derive a screening run."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from uuid import uuid4

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from shared.config import get_settings
from shared.contracts.registry import ScreeningCompleted
from shared.http.auth import Principal, Role, issue_token

from services.registry.adapters.tables import UnreadableTable, read_table
from services.registry.domain.imports import HeaderError, map_headers, parse_rows
from services.registry.domain.screening import rederive

app = typer.Typer(no_args_is_help=True, help="登记服务 / registry")
import_app = typer.Typer(no_args_is_help=True, help="导入 / import")
screening_app = typer.Typer(no_args_is_help=True, help="精准识别 / screening")
app.add_typer(import_app, name="import")
app.add_typer(screening_app, name="screening")
console = Console()
CHUNK = 64 * 1024


def _client(url: str | None, token: str | None) -> httpx.Client:
    settings = get_settings()
    token = token or os.environ.get("XINGCUN_TOKEN") or issue_token(settings, Principal(subject="cli", role=Role.city_office))
    return httpx.Client(base_url=url or f"http://127.0.0.1:{settings.registry_port}",
                        headers={"Authorization": f"Bearer {token}"}, timeout=120)


def _bad_rows_table(rows: list[dict], limit: int = 50) -> Table:
    table = Table("行 row", "村代码 code", "字段 field", "原因 reason", title="错误行 / bad rows")
    for b in rows[:limit]:
        table.add_row(str(b["row"]), b.get("code") or "", b.get("field") or "", b["reason"])
    if len(rows) > limit:
        table.caption = f"另有 {len(rows) - limit} 行未显示 / {len(rows) - limit} more not shown"
    return table


@import_app.command("villages")
def import_villages(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV 或 XLSX 文件 / CSV or XLSX file"),
    partial: bool = typer.Option(False, "--partial", help="只导入正确的行 / import the good rows even if some are bad"),
    url: str | None = typer.Option(None, help="登记服务地址 / registry URL"),
    token: str | None = typer.Option(None, help="令牌（默认 $XINGCUN_TOKEN 或本地开发令牌）/ bearer token"),
    key: str | None = typer.Option(None, help="幂等键 / idempotency key (default: the file's digest)"),
) -> None:
    """导入村表：本地先逐行检查，再上传，由服务一次写入 / check every row locally, then upload; the service writes once."""
    data = file.read_bytes()
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(SpinnerColumn(), *columns, console=console) as bar:
        try:
            headers, rows = read_table(file.name, data)
            map_headers(headers)
            rows = list(rows)
        except (UnreadableTable, HeaderError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
        checking = bar.add_task("逐行检查 checking rows", total=len(rows))

        def counted():
            for row in rows:
                yield row
                bar.advance(checking)

        local = parse_rows(headers, counted())
    console.print(f"共 {local.rows} 行，本地检查发现 {len(local.bad)} 行有误 / {local.rows} rows, {len(local.bad)} bad locally")

    boundary = uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="upload{file.suffix.lower()}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=console) as bar:
        sending = bar.add_task("上传 uploading", total=len(data))
        writing = bar.add_task("服务写入 writing", total=None, visible=False)

        def body():
            yield head
            for i in range(0, len(data), CHUNK):
                yield data[i:i + CHUNK]
                bar.advance(sending, len(data[i:i + CHUNK]))
            yield tail
            bar.update(writing, visible=True)

        idem = key or f"import-{hashlib.sha256(data).hexdigest()[:32]}-{'partial' if partial else 'all'}"
        with _client(url, token) as client:
            r = client.post("/villages/import", params={"partial": str(partial).lower()}, content=body(),
                            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Idempotency-Key": idem})
        bar.update(writing, total=1, completed=1)
    payload = r.json()
    report = payload.get("report", payload)
    if r.status_code in (200, 201):
        console.print(f"[green]已导入 {report['imported']} 个村 / imported {report['imported']} villages[/green]")
        if report["bad_rows"]:
            console.print(_bad_rows_table(report["bad_rows"]))
        return
    if r.status_code == 422 and "bad_rows" in report:
        console.print(_bad_rows_table(report["bad_rows"]))
        console.print("[red]有错误行，未写入任何数据；改正后重试或用 --partial 只导入正确的行 / "
                      "bad rows: nothing was written; fix them, or use --partial[/red]")
    else:
        console.print(f"[red]{r.status_code} {r.text}[/red]")
    raise typer.Exit(1)


@screening_app.command("verify")
def verify(
    run_id: str = typer.Argument(..., help="筛选批次 / run id"),
    url: str | None = typer.Option(None, help="登记服务地址 / registry URL"),
    token: str | None = typer.Option(None, help="令牌 / bearer token"),
) -> None:
    """在本机用记录的输入重新推导筛选结果，并显示服务端的核对 / re-derive a run here from its recorded inputs,
    and show the service's own check."""
    with _client(url, token) as client:
        r = client.get(f"/screenings/{run_id}")
        if r.status_code != 200:
            console.print(f"[red]{r.status_code} {r.text}[/red]")
            raise typer.Exit(1)
        local = rederive(ScreeningCompleted.model_validate(r.json()))
        server = client.get(f"/screenings/{run_id}/verify").json()
    console.print(f"本机推导 / derived here: 认定 {local.designated} 个，分界线 {local.cutoff_average_fen} 分 — "
                  + ("[green]一致 matches[/green]" if local.matches else f"[red]不一致 differs: {local.mismatches}[/red]"))
    console.print("服务端核对 / service check: "
                  + ("[green]一致 matches[/green]" if server.get("matches") else f"[red]{server.get('mismatches')}[/red]"))
    if not (local.matches and server.get("matches")):
        raise typer.Exit(1)
