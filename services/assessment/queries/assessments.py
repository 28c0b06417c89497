"""Reads of a year's assessment: its rubric, its state, how far the facts have come."""

from __future__ import annotations

import asyncpg

from shared.eventstore import EventStore, NotFound, cursor

from services.assessment.adapters import facts
from services.assessment.domain.assessment import Assessment, ComputeAssessment
from services.assessment.domain.rubric import Rubric
from services.assessment.queries.streams import aggregate


async def rubric(store: EventStore, year: int) -> Rubric:
    found = await aggregate(store, Rubric, str(year))
    if not found.versions:
        raise NotFound(f"{year} 年尚未制定考核细则 / no rubric for {year}", field="year")
    return found


async def wait_for_facts(store: EventStore, year: int, cmd: ComputeAssessment, seconds: float) -> None:
    """Bounded wait before computing: a re-run, until the facts reach the cut-off it recorded;
    a new computation, until the service's own events committed so far reach them (a report
    made a moment ago counts). The handler refuses a re-run the facts are still behind."""
    async with store.pool.acquire() as conn:
        earlier = None if cmd.refresh else (await aggregate(store, Assessment, str(year))).computations.get(cmd.as_of)
        target = earlier.cutoff if earlier else {"assessment": await cursor.committed(conn)}
        await facts.wait_until(conn, target, seconds)


async def facts_status(conn: asyncpg.Connection) -> dict:
    return {"watermarks": await facts.watermarks(conn), "own_log_position": await cursor.sequenced(conn),
            "own_events_committed": await cursor.committed(conn)}
