"""``xingcun privacy erase PERSON``: the right to deletion (PIPL art. 47), by destroying a key."""

from __future__ import annotations

import asyncio
import getpass

import typer
from rich.console import Console

from shared.config import get_settings
from shared.db import create_pool
from shared.eventstore import EventStore
from shared.eventstore.errors import NotFound
from shared.privacy.erasure import erase_person
from shared.privacy.sealed import ERASED

app = typer.Typer(no_args_is_help=True, help="个人数据 / personal data")
console = Console()
# Whose personal data is sealed, by which service, under which stream: kind → (service, stream prefix).
PEOPLE = {"cadre": ("registry", "cadre"), "person": ("assessment", "person")}


def parse_person(text: str) -> tuple[str, str]:
    """``cadre:ID`` (or a bare cadre ID), ``person:ID`` (a low-income person) → (service, their stream id)."""
    kind, sep, ident = text.partition(":")
    if not sep:
        kind, ident = "cadre", text
    if kind not in PEOPLE or not ident:
        raise typer.BadParameter(f"应为 KIND:ID，KIND 为 {', '.join(PEOPLE)} / expected KIND:ID with KIND one of "
                                 f"{', '.join(PEOPLE)}, got {text!r}")
    service, prefix = PEOPLE[kind]
    return service, f"{prefix}-{ident}"


@app.command()
def erase(
    person: str = typer.Argument(help="被删除者 / whose data: cadre:ID or person:ID (a bare ID means a cadre)"),
    actor: str = typer.Option(None, help="办理人 / who erases (default: cli:<login name>)"),
) -> None:
    """删除某人的个人数据（销毁其数据密钥）/ erase a person's data by destroying their data key.

    Their name, title, policy numbers and reasons read as erased everywhere; events, the hash
    chain, the topics and every statistic stay as they were."""
    service, subject = parse_person(person)

    async def run():
        settings = get_settings()
        async with await create_pool(settings.dsn(service), max_size=1) as pool:  # closed on the way out
            return await erase_person(EventStore(pool, service), subject, actor or f"cli:{getpass.getuser()}")

    try:
        done = asyncio.run(run())
    except NotFound as exc:
        console.print(f"[red]✗ {exc.message}[/red]")
        raise typer.Exit(2) from exc
    if done.key_destroyed or done.event_recorded:
        console.print(f"[green]✓[/green] {subject}（{service}）: 数据密钥已销毁，个人数据显示为「{ERASED}」/ "
                      f"data key destroyed; their personal data now reads as erased")
    else:
        console.print(f"{subject}（{service}）: 此前已删除，未作更改 / erased before; nothing changed")
