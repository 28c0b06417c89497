"""``xingcun scenario`` and ``xingcun demo``: development tools, present only in a checkout.

The scenario (synthetic Tianjin data driven through the APIs) is not shipped in the image
on purpose: a production installation has no business generating 3,520 invented villages.
There both commands exist but refuse with a message saying so, instead of the whole
command line failing on an import.
"""

from __future__ import annotations

import importlib.util

import typer

NOT_INSTALLED = (
    "情景生成器不在此安装中（镜像只含服务）；请在源码检出中运行 `make demo` / "
    "the scenario is not part of this installation (the image ships the services only); "
    "run it from a source checkout with `make demo`"
)


def scenario_installed() -> bool:
    return importlib.util.find_spec("scenario") is not None


def _refuse(ctx: typer.Context) -> None:
    typer.echo(NOT_INSTALLED, err=True)
    raise typer.Exit(2)


def add_development_commands(app: typer.Typer) -> None:
    if scenario_installed():
        from scenario.cli import app as scenario_app
        from xingcun_cli.demo import demo

        app.add_typer(scenario_app, name="scenario")
        app.command()(demo)
        return
    unavailable = {"context_settings": {"allow_extra_args": True, "ignore_unknown_options": True},
                   "add_help_option": False}
    app.command("scenario", help="（未安装 / not installed）" + NOT_INSTALLED, **unavailable)(_refuse)
    app.command("demo", help="（未安装 / not installed）" + NOT_INSTALLED, **unavailable)(_refuse)
