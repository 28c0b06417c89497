"""``xingcun monitoring close-day``: close business days in order, up to a day (a scheduler's
job: the time-based rules are evaluated as each closes)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import typer
from rich.console import Console

from shared.config import get_settings
from shared.dates import today
from shared.db import create_pool
from shared.eventstore import CommandMeta, EventStore

from services.monitoring.domain.calendar import CloseDay
from services.monitoring.handlers.days import close_day as close_handler
from services.monitoring.queries.days import last_closed

app = typer.Typer(no_args_is_help=True, help="监测预警 / monitoring")
console = Console()


def _day(text: str | None, name: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise typer.BadParameter(f"日期格式应为 YYYY-MM-DD / {name} as YYYY-MM-DD: {exc}") from exc


@app.command("close-day")
def close_day(
    through: str | None = typer.Option(None, help="结束到此日（含），默认昨天（北京时间）/ close up to this day, "
                                                  "default yesterday (Beijing)"),
    first: str | None = typer.Option(None, "--from", help="从未结账时的第一天 / the first day, when none is closed yet"),
) -> None:
    """依次结束业务日 / close business days in order, up to --through."""
    until = _day(through, "--through") or today() - timedelta(days=1)

    async def go() -> list[date]:
        pool = await create_pool(get_settings().dsn("monitoring"), max_size=2)
        try:
            store = EventStore(pool, "monitoring")
            async with pool.acquire() as conn:
                last = await last_closed(conn)
            day = last + timedelta(days=1) if last else _day(first, "--from")
            if day is None:
                raise typer.BadParameter("尚无已结束的业务日，请用 --from 指明第一天 / no day closed yet: give --from")
            closed = []
            while day <= until:
                meta = CommandMeta(actor="system:scheduler")
                await store.execute("CloseDay", {"day": day.isoformat()}, meta,
                                    lambda uow, d=day: close_handler(uow, CloseDay(day=d)),
                                    idempotency_key=f"close-day:{day.isoformat()}")
                closed.append(day)
                day += timedelta(days=1)
            return closed
        finally:
            await pool.close()

    closed = asyncio.run(go())
    if closed:
        console.print(f"已结束 / closed {len(closed)} 天 days: {closed[0]} — {closed[-1]}")
    else:
        console.print(f"无需结束 / nothing to close through {until}")
