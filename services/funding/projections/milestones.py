"""节点验收 → 放款 / assessment's verified milestones release funding's tranches; its
cancelled projects and milestones return the tranches still waiting on them to the line
(``AllocationAdjusted``, or ``AllocationCancelled`` when nothing of the allocation was payable).

A reactor (shared/projections/reactor.py) on ``assessment.events``: the reaction's
TrancheReleased events are appended in the transaction that records the delivery, so a
redelivered verification never releases twice, and a worker killed mid-way resumes from
Kafka and catches up. A milestone verified before any allocation names it is kept in
``funding.verified_milestones``; creating the allocation later releases it at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from shared.contracts.assessment import MilestoneCancelled, MilestoneVerified, ProjectCancelled, ProjectPlanned
from shared.eventstore import RecordedEvent
from shared.projections import Projection
from shared.projections.reactor import Reactor

from services.funding.handlers import tranches


class MilestoneReleases(Reactor):
    name = "milestone_releases"
    service = "funding"
    sources = ("assessment",)
    # Only what this reactor learns from assessment is rebuilt; the balance rows are the
    # write side's (the schema is repeated here so the worker can start before the API).
    tables = ("funding.verified_milestones", "funding.known_projects")

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        facts = [e.decode() for e in events if e.type in self.handles]
        verified = [(f.project_id, f.milestone_id) for f in facts if isinstance(f, MilestoneVerified)]
        cancelled = [(f.project_id, None if isinstance(f, ProjectCancelled) else [f.milestone_id])
                     for f in facts if isinstance(f, ProjectCancelled | MilestoneCancelled)]
        if verified or cancelled:  # the whole batch's locks first, in funding's lock order (handlers/tranches.py)
            await tranches.lock_for_reactions(conn, verified, cancelled)
        for event in events:
            await Projection.apply(self, conn, event)

    async def apply(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self.apply_batch(conn, [event])

    async def when_ProjectPlanned(self, conn: asyncpg.Connection, event: ProjectPlanned, recorded: RecordedEvent) -> None:
        await conn.execute(
            """insert into funding.known_projects (project_id, village_code, task_no, milestone_ids)
               values ($1, $2, $3, $4) on conflict (project_id) do update
               set village_code = excluded.village_code, task_no = excluded.task_no,
                   milestone_ids = excluded.milestone_ids""",
            event.project_id, event.village_code, event.task_no, [m.milestone_id for m in event.milestones],
        )

    async def when_MilestoneVerified(self, conn: asyncpg.Connection, event: MilestoneVerified,
                                     recorded: RecordedEvent) -> None:
        await conn.execute(
            """insert into funding.verified_milestones (project_id, milestone_id, village_code, verified_on, event_id)
               values ($1, $2, $3, $4, $5) on conflict do nothing""",
            event.project_id, event.milestone_id, event.village_code, event.verified_on, recorded.event_id,
        )
        await tranches.on_milestone_verified(
            self.unit_of_work(conn, recorded), event.project_id, event.milestone_id, event.verified_on)

    async def when_ProjectCancelled(self, conn: asyncpg.Connection, event: ProjectCancelled,
                                    recorded: RecordedEvent) -> None:
        await conn.execute("update funding.known_projects set cancelled = true where project_id = $1", event.project_id)
        await tranches.on_cancelled(self.unit_of_work(conn, recorded), event.project_id, None,
                                    f"项目 {event.project_id} 撤销，未放款分期退回预算线 / project cancelled: "
                                    f"unreleased tranches return to the line ({event.reason})")

    async def when_MilestoneCancelled(self, conn: asyncpg.Connection, event: MilestoneCancelled,
                                      recorded: RecordedEvent) -> None:
        await conn.execute(
            """update funding.known_projects set cancelled_milestones = array_append(cancelled_milestones, $2)
               where project_id = $1 and not $2 = any(cancelled_milestones)""", event.project_id, event.milestone_id)
        await tranches.on_cancelled(self.unit_of_work(conn, recorded), event.project_id, [event.milestone_id],
                                    f"节点 {event.milestone_id} 撤销，该期退回预算线 / milestone cancelled: its "
                                    f"tranche returns to the line ({event.reason})")
