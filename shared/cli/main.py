"""Root of the ``xingcun`` command; each area adds its sub-app here."""

import typer

from shared.cli.stack import app as stack_app

app = typer.Typer(no_args_is_help=True, help="兴村 Xingcun 命令行 / command line")
app.add_typer(stack_app, name="stack")

if __name__ == "__main__":
    app()
