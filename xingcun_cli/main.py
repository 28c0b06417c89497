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
for name, group in {"stack": stack_app, "db": db_app, "projections": projections_app, "tokens": tokens_app,
                    "audit": audit_app, "backup": backup_app, "contracts": contracts_app, "privacy": privacy_app,
                    "kafka": kafka_app, "registry": registry_app, "funding": funding_app,
                    "monitoring": monitoring_app}.items():
    app.add_typer(group, name=name)
add_development_commands(app)

if __name__ == "__main__":
    app()
