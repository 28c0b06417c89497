"""``xingcun kafka acls``: the ACL table (shared/messaging/acls.py) shown and granted."""

from __future__ import annotations

import typer

from shared.config import get_settings
from shared.messaging.acls import acl_table

app = typer.Typer(no_args_is_help=True, help="Kafka 用户与权限 / Kafka principals and ACLs")
acls_app = typer.Typer(no_args_is_help=True, help="ACL 表 / the ACL table")
app.add_typer(acls_app, name="acls")

PREFIX = typer.Option(None, help="主题前缀 / topic prefix (default: XINGCUN_TOPIC_PREFIX)")


@acls_app.command()
def show(prefix: str | None = PREFIX) -> None:
    """列出 ACL 表 / print the table for a prefix (principal, resource, pattern, name, operation)."""
    for g in acl_table(get_settings().topic_prefix if prefix is None else prefix):
        typer.echo(f"User:{g.principal}\t{g.resource}\t{g.pattern}\t{g.name}\t{g.operation}")


@acls_app.command()
def apply(prefix: str | None = PREFIX) -> None:
    """授予 ACL / grant the table on the broker, as the super user (idempotent)."""
    from shared.messaging.kafka_admin import apply_acls
    from shared.stack.kafka import admin_settings

    settings = get_settings()
    typer.echo(f"已授予 / granted {apply_acls(admin_settings(settings), prefix)} ACLs")
