"""业务日 / closing a business day (the city office, or its scheduler with a city-office token)."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.eventstore import UnitOfWork

from services.monitoring.domain.calendar import Calendar, CloseDay, business_day


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
