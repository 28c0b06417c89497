"""业务日 / closing a business day (the city office, or its scheduler with a city-office token)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import DomainError

from services.monitoring.domain.calendar import Calendar, CloseDay, CloseThrough, business_day


async def close_day(uow: UnitOfWork, cmd: CloseDay) -> dict:
    day = cmd.day
    calendar = await uow.load(Calendar, str(day.year))
    before = None
    if not calendar.closed:
        before = (await uow.load(Calendar, str(day.year - 1))).last
    today = business_day(uow.meta.occurred_at or datetime.now(UTC))
    event = calendar.close(day, before=before, today=today)
    await uow.save(calendar)
    return {"day": event.day.isoformat(), "closed": True}


async def close_through(uow: UnitOfWork, cmd: CloseThrough) -> dict:
    """Each day after the last closed (or from ``first``), in order, through ``through``: the
    same checks as one day at a time, in one command."""
    today = business_day(uow.meta.occurred_at or datetime.now(UTC))
    year = cmd.through.year
    calendars: dict[int, Calendar] = {}

    async def of(y: int) -> Calendar:
        if y not in calendars:
            calendars[y] = await uow.load(Calendar, str(y))
        return calendars[y]

    last = None
    for y in range(year, 2020, -1):  # the programme's calendar begins in 2021
        last = (await of(y)).last
        if last is not None:
            break
    day = last + timedelta(days=1) if last is not None else cmd.first
    if day is None:
        raise DomainError("尚无已结束的业务日，请给出 first / no day is closed yet: give first", field="first")
    closed = 0
    while day <= cmd.through:
        calendar = await of(day.year)
        before = (await of(day.year - 1)).last if not calendar.closed else None
        calendar.close(day, before=before, today=today)
        closed += 1
        day += timedelta(days=1)
    # Earlier years first: the days' positions in the log follow the calendar.
    await uow.save_all([calendars[y] for y in sorted(calendars) if calendars[y].pending])
    return {"through": cmd.through.isoformat(), "closed": closed}
