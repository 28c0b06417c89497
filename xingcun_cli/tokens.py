"""``xingcun tokens issue``: development bearer tokens for a role and scope."""

from __future__ import annotations

import typer

from shared.config import get_settings
from shared.http.auth import Principal, Role, issue_token

app = typer.Typer(no_args_is_help=True, help="开发令牌 / development tokens")


@app.command()
def issue(
    role: Role = typer.Argument(help="角色 / role"),
    subject: str = typer.Option("dev", help="用户标识 / who the token is for"),
    district: str | None = typer.Option(None, help="区代码 / district code (district officials, finance officers)"),
    unit: str | None = typer.Option(None, help="扶持单位 / supporting unit id"),
    team: str | None = typer.Option(None, help="工作队 / work team id"),
    hours: int = typer.Option(8, min=1, max=24 * 30, help="有效小时数 / hours valid"),
) -> None:
    """签发开发令牌 / issue a development token (signed with the local secret)."""
    principal = Principal(subject=subject, role=role, district=district, unit=unit, team=team)
    typer.echo(issue_token(get_settings(), principal, ttl_seconds=hours * 3600))
