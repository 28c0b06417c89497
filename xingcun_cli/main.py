"""Root of the ``xingcun`` command; each area adds its sub-app here."""

import typer

from services.funding.entrypoints.cli import app as funding_app
from services.monitoring.entrypoints.cli import app as monitoring_app
from services.registry.entrypoints.cli import app as registry_app
from xingcun_cli.audit import app as audit_app
from xingcun_cli.backup import app as backup_app
from xingcun_cli.contracts import app as contracts_app
from xingcun_cli.db import app as db_app
from xingcun_cli.development import add_development_commands
from xingcun_cli.kafka import app as kafka_app
from xingcun_cli.privacy import app as privacy_app
from xingcun_cli.projections import app as projections_app
from xingcun_cli.stack import app as stack_app
from xingcun_cli.tokens import app as tokens_app

app = typer.Typer(no_args_is_help=True, help="兴村 Xingcun 命令行 / command line")
app.add_typer(stack_app, name="stack")
app.add_typer(db_app, name="db")
app.add_typer(projections_app, name="projections")
app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")
app.add_typer(backup_app, name="backup")
app.add_typer(contracts_app, name="contracts")
app.add_typer(privacy_app, name="privacy")
app.add_typer(kafka_app, name="kafka")
app.add_typer(registry_app, name="registry")
app.add_typer(funding_app, name="funding")
app.add_typer(monitoring_app, name="monitoring")
add_development_commands(app)

if __name__ == "__main__":
    app()
