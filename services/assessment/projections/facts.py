"""考核事实 / the facts an assessment is computed from, as append-only rows.

Kept from the assessment service's own topic and from registry's and funding's. Every row
carries the global position of the event it came from (in its source service's log) and
the business day it happened on; nothing is ever updated, so "the facts as they stood at
cut-off C" is simply ``position <= C[source]``.

The cut-off is the **watermark** of each source: the highest position P such that every
event 1..P of that source has been applied here (positions are dense in each service's
log, and every event is published; partitions interleave, so events may arrive out of
order — the ones ahead of the watermark wait in ``af.early``). Reading the watermark and
then the rows filtered by it is exact even while the projection keeps applying events.

So every event of the three sources moves the watermark, whether or not it adds a fact:
``handles`` stays None. A ``when_<Event>`` gets the decoded, upcast event and hands its rows
to ``FactBatch.add``; the batch's rows and watermarks are written together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import asyncpg

from shared.contracts import assessment as a
from shared.contracts import funding as f
from shared.contracts import registry as r
from shared.eventstore import RecordedEvent
from shared.eventstore.catalogue import UnknownEvent
from shared.projections import Projection
from shared.projections.projection import WHEN

from services.assessment.domain.values import business_day


Row = tuple[str, tuple]  # (table, values): a row to insert


def _insert(table: str, values: tuple, first: int = 1) -> str:
    # Rows keyed by their event (projects, findings…) may meet a copy of it: keep the first.
    params = ", ".join(f"${first + i}" for i in range(len(values)))
    return f"insert into {table} values ({params}) on conflict do nothing"


class FactBatch:
    """A batch's facts, written together: one statement per table and shape of row (executed
    for every row at once), then one per source moving its watermark over all the batch's
    positions. Rows keep their events' order, so a copy still meets the first of its key, and
    ``af.advance`` takes positions in any order (those ahead of the watermark wait in
    ``af.early``), so the watermark ends where event-by-event application would leave it."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], list[tuple]] = defaultdict(list)
        self.positions: dict[str, list[int]] = defaultdict(list)

    def add(self, recorded: RecordedEvent, *rows: Row) -> None:
        for table, values in rows:
            self.rows[table, len(values)].append(values)
        self.positions[recorded.source].append(recorded.global_position)

    async def write(self, conn: asyncpg.Connection) -> None:
        if len(self.positions) == 1 and len(self.rows) == 1:
            (source, positions), ((table, n), values) = *self.positions.items(), *self.rows.items()
            if len(positions) == len(values) == 1:  # one event, one row (a trickle): one round trip
                await conn.execute(f"with fact as ({_insert(table, values[0])}) select af.advance(${n + 1}, ${n + 2})",
                                   *values[0], source, positions[0])
                return
        for (table, _), values in self.rows.items():
            await conn.executemany(_insert(table, values[0]), values)
        for source, positions in self.positions.items():
            await conn.execute("select af.advance($1, p) from unnest($2::bigint[]) p", source, positions)


def _day(recorded: RecordedEvent) -> date:
    """The business day of an event that carries no day of its own."""
    return business_day(recorded.occurred_at)


MILESTONE_STEPS = {"MilestoneReported": ("reported", "reported_on", "reported_by"),
                   "MilestoneVerified": ("verified", "verified_on", "verified_by"),
                   "MilestoneReturned": ("returned", "returned_on", "returned_by")}
RECTIFICATION_STEPS = {"RectificationReported": ("reported", "reported_on"),
                       "RectificationAccepted": ("accepted", "accepted_on"),
                       "RectificationReturned": ("returned", "returned_on")}
COVER_STEPS = {"CoverageRecorded": ("covered", "covered_on"), "CoverageEnded": ("ended", "ended_on")}


class AssessmentFacts(Projection):
    name = "assessment_facts"
    sources = ("assessment", "registry", "funding")
    tables = ("af.watermarks", "af.early", "af.projects", "af.milestones", "af.milestone_steps", "af.evidence_uses",
              "af.incomes", "af.milestone_changes",
              "af.city_incomes", "af.persons", "af.cover_steps", "af.findings", "af.finding_steps", "af.baselines",
              "af.designations", "af.teams", "af.team_members", "af.team_dissolutions", "af.assignments", "af.presence", "af.allocations",
              "af.allocation_amounts", "af.payments")
    handles = None  # every event moves its source's watermark (see the module's docstring)

    async def apply(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self.apply_batch(conn, [event])

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        """The batch's facts go in together (``FactBatch``): a statement per event was a round
        trip per event, and sending them took a third of the worker's CPU under the scenario's
        load."""
        facts = FactBatch()
        for event in events:
            when = getattr(self, WHEN + event.type, None)
            decoded = event.decode() if when is not None else None
            if when is None or isinstance(decoded, UnknownEvent) or type(decoded).service != event.source:
                facts.add(event)  # no fact, but the position counts
            else:
                await when(facts, decoded, event)
        await facts.write(conn)

    # assessment's own

    async def when_ProjectPlanned(self, facts, e: a.ProjectPlanned, rec: RecordedEvent) -> None:
        pos = rec.global_position
        facts.add(rec, ("af.projects", (e.project_id, e.village_code, e.district, e.action_code,
                                       e.task_no, e.title, e.planned_start, e.planned_end, _day(rec),
                                       pos)),
                  *(("af.milestones", (e.project_id, m.milestone_id, e.village_code, e.district, e.task_no,
                                       m.title, m.due_on, m.funding_share_pct, pos)) for m in e.milestones))

    async def _milestone_step(self, facts, e: a.MilestoneReported | a.MilestoneVerified | a.MilestoneReturned,
                              rec: RecordedEvent) -> None:
        step, on_field, by_field = MILESTONE_STEPS[rec.type]
        pos = rec.global_position
        on_day = getattr(e, on_field) or _day(rec)
        facts.add(rec, ("af.milestone_steps", (e.project_id, e.milestone_id, step, on_day,
                                              getattr(e, by_field), pos)),
                  *(("af.evidence_uses", (sha, e.project_id, e.milestone_id, pos))
                    for sha in dict.fromkeys(getattr(e, "evidence_sha256", ()))))

    when_MilestoneReported = when_MilestoneVerified = when_MilestoneReturned = _milestone_step

    async def when_MilestoneReplanned(self, facts, e: a.MilestoneReplanned, rec: RecordedEvent) -> None:
        facts.add(rec, ("af.milestone_changes", (e.project_id, e.milestone_id, "replanned", e.due_on,
                                                _day(rec), rec.global_position)))

    async def when_MilestoneCancelled(self, facts, e: a.MilestoneCancelled, rec: RecordedEvent) -> None:
        facts.add(rec, ("af.milestone_changes", (e.project_id, e.milestone_id, "cancelled", None,
                                                e.cancelled_on or _day(rec), rec.global_position)))

    async def when_ProjectCancelled(self, facts, e: a.ProjectCancelled, rec: RecordedEvent) -> None:
        on_day, pos = e.cancelled_on or _day(rec), rec.global_position
        facts.add(rec,
                  ("af.milestone_changes", (e.project_id, "", "project_cancelled", None, on_day, pos)),
                  *(("af.milestone_changes", (e.project_id, m, "cancelled", None, on_day, pos))
                    for m in e.cancelled_milestone_ids))

    async def when_CollectiveIncomeReported(self, facts, e: a.CollectiveIncomeReported, rec: RecordedEvent) -> None:
        facts.add(rec, ("af.incomes", (e.village_code, e.district, e.year, "collective", e.income_fen,
                                      e.flagged, e.flag_reason, e.note, _day(rec), rec.global_position)))

    async def when_FarmerIncomeReported(self, facts, e: a.FarmerIncomeReported, rec: RecordedEvent) -> None:
        facts.add(rec, ("af.incomes", (e.village_code, e.district, e.year, "farmer", e.per_capita_fen,
                                      e.flagged, e.flag_reason, e.note, _day(rec), rec.global_position)))

    async def when_IncomeReportReviewed(self, facts, e: a.IncomeReportReviewed, rec: RecordedEvent) -> None:
        facts.add(rec, ("af.incomes", (e.village_code, e.district, e.year, e.measure, e.amount_fen,
                                      False, None, e.reason, e.reviewed_on or _day(rec),
                                      rec.global_position, not e.accepted)))

    async def when_CityIncomeGrowthReported(self, facts, e: a.CityIncomeGrowthReported, rec: RecordedEvent) -> None:
        facts.add(rec, ("af.city_incomes", (e.year, e.per_capita_fen, e.growth_pct, _day(rec),
                                           rec.global_position)))

    async def when_LowIncomePersonRegistered(self, facts, e: a.LowIncomePersonRegistered, rec: RecordedEvent) -> None:
        facts.add(rec, ("af.persons", (e.person_id, e.household_id, e.village_code, e.district,
                                      _day(rec), rec.global_position)))

    async def when_EligibilityRecorded(self, facts, e: a.EligibilityRecorded, rec: RecordedEvent) -> None:
        await self._cover_step(facts, e, rec, "eligible" if e.eligible else "ineligible", e.recorded_on)

    async def _covered_or_ended(self, facts, e: a.CoverageRecorded | a.CoverageEnded, rec: RecordedEvent) -> None:
        step, on_field = COVER_STEPS[rec.type]
        await self._cover_step(facts, e, rec, step, getattr(e, on_field))

    when_CoverageRecorded = when_CoverageEnded = _covered_or_ended

    async def _cover_step(self, facts, e, rec: RecordedEvent, step: str, on_day: date | None) -> None:
        facts.add(rec, ("af.cover_steps", (e.person_id, e.village_code, e.district, e.cover, step,
                                          on_day or _day(rec), rec.global_position)))

    async def when_InspectionRecorded(self, facts, e: a.InspectionRecorded, rec: RecordedEvent) -> None:
        facts.add(rec, *(("af.findings", (e.inspection_id, f.finding_id, e.target_kind, e.target_id,
                                         e.district, f.text, f.deadline, e.inspected_on,
                                         rec.global_position)) for f in e.findings))

    async def _rectification(self, facts, e: a.RectificationReported | a.RectificationAccepted
                             | a.RectificationReturned, rec: RecordedEvent) -> None:
        step, on_field = RECTIFICATION_STEPS[rec.type]
        facts.add(rec, ("af.finding_steps", (e.inspection_id, e.finding_id, step,
                                            getattr(e, on_field) or _day(rec), rec.global_position)))

    when_RectificationReported = when_RectificationAccepted = when_RectificationReturned = _rectification

    # registry's

    async def when_VillageRegistered(self, facts, e: r.VillageRegistered, rec: RecordedEvent) -> None:
        facts.add(rec, *(("af.baselines", (e.code, e.district, int(y), fen, rec.global_position))
                        for y, fen in e.income_fen.items()))

    async def when_VillageIncomeCorrected(self, facts, e: r.VillageIncomeCorrected, rec: RecordedEvent) -> None:
        facts.add(rec, ("af.baselines", (e.code, e.district, int(e.year), e.income_fen,
                                        rec.global_position)))

    async def _designation(self, facts, e: r.VillageDesignated | r.DesignationRevoked, rec: RecordedEvent) -> None:
        facts.add(rec, ("af.designations", (e.code, e.district, isinstance(e, r.VillageDesignated),
                                           _day(rec), rec.global_position)))

    when_VillageDesignated = when_DesignationRevoked = _designation

    async def when_WorkTeamFormed(self, facts, e: r.WorkTeamFormed, rec: RecordedEvent) -> None:
        day, pos = _day(rec), rec.global_position
        facts.add(rec, ("af.teams", (e.team_id, e.lead_unit_id, e.district, day, pos)),
                  *(("af.team_members", (e.team_id, c, True, day, pos)) for c in dict.fromkeys(e.member_ids)))

    async def when_TeamMembersChanged(self, facts, e: r.TeamMembersChanged, rec: RecordedEvent) -> None:
        day, pos = _day(rec), rec.global_position
        facts.add(rec, *(("af.team_members", (e.team_id, c, False, day, pos)) for c in e.removed),
                  *(("af.team_members", (e.team_id, c, True, day, pos)) for c in e.added))

    async def when_TeamDissolved(self, facts, e: r.TeamDissolved, rec: RecordedEvent) -> None:
        """The team ends on its day, and so does every membership in it (the first secretary's
        too): what is keyed by a team's membership stops counting from then on."""
        day, pos = e.dissolved_on, rec.global_position
        facts.add(rec, ("af.team_dissolutions", (e.team_id, day, pos)),
                  *(("af.team_members", (e.team_id, c, False, day, pos))
                    for c in dict.fromkeys([*e.member_ids, e.first_secretary_id])))

    async def _assignment(self, facts, e: r.TeamAssigned | r.TeamUnassigned, rec: RecordedEvent) -> None:
        facts.add(rec, ("af.assignments", (e.team_id, e.village_code, e.district,
                                          getattr(e, "lead_unit_id", None),
                                          isinstance(e, r.TeamAssigned), _day(rec),
                                          rec.global_position)))

    when_TeamAssigned = when_TeamUnassigned = _assignment

    async def when_CadrePresenceLogged(self, facts, e: r.CadrePresenceLogged, rec: RecordedEvent) -> None:
        facts.add(rec, ("af.presence", (e.cadre_id, e.team_id, e.village_code, e.day,
                                       rec.global_position)))

    # funding's

    async def when_FundsAllocated(self, facts, e: f.FundsAllocated, rec: RecordedEvent) -> None:
        pos = rec.global_position
        facts.add(rec, ("af.allocations", (e.allocation_id, e.village_code, e.district, e.fiscal_year,
                                          e.project_id, e.task_no, pos)),
                  ("af.allocation_amounts", (e.allocation_id, "set", e.amount_fen, _day(rec), pos)))

    async def when_AllocationAdjusted(self, facts, e: f.AllocationAdjusted, rec: RecordedEvent) -> None:
        facts.add(rec, ("af.allocation_amounts", (e.allocation_id, "set", e.amount_fen, _day(rec),
                                                 rec.global_position)))

    async def _released(self, facts, e: f.AllocationCancelled | f.FrozenRemainderReleased, rec: RecordedEvent) -> None:
        facts.add(rec, ("af.allocation_amounts", (e.allocation_id, "cancel", e.released_fen, _day(rec),
                                                 rec.global_position)))

    when_AllocationCancelled = when_FrozenRemainderReleased = _released

    async def when_DisbursementPaid(self, facts, e: f.DisbursementPaid, rec: RecordedEvent) -> None:
        await self._payment(facts, e, rec, e.amount_fen, e.paid_on or _day(rec))

    async def when_DisbursementReversed(self, facts, e: f.DisbursementReversed, rec: RecordedEvent) -> None:
        await self._payment(facts, e, rec, -e.amount_fen, _day(rec))

    async def _payment(self, facts, e: f.DisbursementPaid | f.DisbursementReversed, rec: RecordedEvent, fen: int,
                       on_day: date) -> None:
        facts.add(rec, ("af.payments", (e.disbursement_id, e.allocation_id, e.village_code, e.district,
                                       fen, on_day, rec.global_position)))
