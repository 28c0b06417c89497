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
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import asyncpg

from shared.eventstore import RecordedEvent
from shared.projections import Projection

from services.assessment.domain.values import business_day

SCHEMA = """
create schema if not exists af;
create table if not exists af.watermarks (source text primary key, upto bigint not null);
create table if not exists af.early (source text not null, position bigint not null, primary key (source, position));
create or replace function af.advance(src text, pos bigint) returns void language plpgsql as $$
declare
    reached bigint;
begin
    select w.upto into reached from af.watermarks w where w.source = src for update;
    if reached is null then
        insert into af.watermarks (source, upto) values (src, 0);
        reached := 0;
    end if;
    if pos <= reached then
        return;
    end if;
    if pos > reached + 1 then
        insert into af.early (source, position) values (src, pos) on conflict do nothing;
        return;
    end if;
    reached := pos;
    loop
        delete from af.early e where e.source = src and e.position = reached + 1;
        exit when not found;
        reached := reached + 1;
    end loop;
    update af.watermarks set upto = reached where source = src;
end $$;

-- assessment's own facts
create table if not exists af.projects (
    project_id text primary key, village_code text not null, district text not null, action_code text not null,
    task_no int not null, title text not null, planned_start date not null, planned_end date not null,
    on_day date not null, position bigint not null);
create index if not exists af_projects_village on af.projects (village_code);
create table if not exists af.milestones (
    project_id text not null, milestone_id text not null, village_code text not null, district text not null,
    task_no int not null, title text not null, due_on date not null, funding_share_pct numeric,
    position bigint not null, primary key (project_id, milestone_id));
create index if not exists af_milestones_due on af.milestones (due_on);
-- Re-plans and cancellations (change: replanned with its new due_on, cancelled, and
-- project_cancelled with milestone_id ''), each as of its business day.
create table if not exists af.milestone_changes (
    project_id text not null, milestone_id text not null, change text not null, due_on date, on_day date not null,
    position bigint not null, primary key (position, milestone_id));
create index if not exists af_milestone_changes_key on af.milestone_changes (project_id, milestone_id);
create table if not exists af.milestone_steps (
    project_id text not null, milestone_id text not null, step text not null, on_day date not null,
    actor text, position bigint primary key);
create index if not exists af_milestone_steps_key on af.milestone_steps (project_id, milestone_id);
-- Evidence hashes with the milestone they were reported for: who may download a file is who
-- may read one of its projects (the village and district are the milestone's).
create table if not exists af.evidence_uses (
    sha256 text not null, project_id text not null, milestone_id text not null, position bigint not null,
    primary key (sha256, project_id, milestone_id));
create table if not exists af.incomes (
    village_code text not null, district text not null, year int not null, measure text not null,
    fen bigint not null, flagged boolean not null, flag_reason text, note text, on_day date not null,
    position bigint not null, primary key (position, measure));
-- A review appends a row of its own (same figure, no longer flagged); a rejected one counts
-- as no report: readers pick the latest row per village, year and measure, then drop it.
alter table af.incomes add column if not exists rejected boolean not null default false;
create index if not exists af_incomes_year on af.incomes (year, measure, village_code);
create table if not exists af.city_incomes (
    year int not null, per_capita_fen bigint not null, growth_pct numeric not null, on_day date not null,
    position bigint primary key);
create table if not exists af.persons (
    person_id text primary key, household_id text not null, village_code text not null, district text not null,
    on_day date not null, position bigint not null);
create table if not exists af.cover_steps (
    person_id text not null, village_code text not null, district text not null, cover text not null,
    step text not null, on_day date not null, position bigint primary key);
create index if not exists af_cover_steps_village on af.cover_steps (village_code, person_id, cover);
create table if not exists af.findings (
    inspection_id text not null, finding_id text not null, target_kind text not null, target_id text not null,
    district text not null, text text not null, deadline date not null, inspected_on date not null,
    position bigint not null, primary key (inspection_id, finding_id));
create index if not exists af_findings_target on af.findings (target_kind, target_id);
create table if not exists af.finding_steps (
    inspection_id text not null, finding_id text not null, step text not null, on_day date not null,
    position bigint primary key);
create index if not exists af_finding_steps_key on af.finding_steps (inspection_id, finding_id);

-- registry's
create table if not exists af.baselines (
    village_code text not null, district text not null, year int not null, fen bigint not null,
    position bigint not null, primary key (village_code, year, position));
create table if not exists af.designations (
    village_code text not null, district text not null, designated boolean not null, on_day date not null,
    position bigint primary key);
create table if not exists af.teams (
    team_id text primary key, lead_unit_id text not null, district text, formed_on date not null,
    position bigint not null);
create table if not exists af.team_members (
    team_id text not null, cadre_id text not null, member boolean not null, on_day date not null,
    position bigint not null, primary key (team_id, cadre_id, position));
create table if not exists af.assignments (
    team_id text not null, village_code text not null, district text not null, lead_unit_id text,
    assigned boolean not null, on_day date not null, position bigint primary key);
create index if not exists af_assignments_village on af.assignments (village_code, team_id);
create table if not exists af.presence (
    cadre_id text not null, team_id text not null, village_code text not null, day date not null,
    position bigint primary key);
create index if not exists af_presence_team_day on af.presence (team_id, day);

-- funding's
create table if not exists af.allocations (
    allocation_id text primary key, village_code text not null, district text not null, fiscal_year int not null,
    project_id text, task_no int, position bigint not null);
create table if not exists af.allocation_amounts (
    allocation_id text not null, kind text not null, amount_fen bigint not null, on_day date not null,
    position bigint primary key);
create table if not exists af.payments (
    disbursement_id text not null, allocation_id text not null, village_code text not null, district text not null,
    amount_fen bigint not null, on_day date not null, position bigint primary key);
create index if not exists af_payments_allocation on af.payments (allocation_id);
"""

Rows = list[tuple[str, tuple]]  # (table, values): rows to insert, in order
Rule = Callable[[RecordedEvent, dict, date, int], Rows]
RULES: dict[tuple[str, str], Rule] = {}


def on(source: str, *types: str):
    def register(fn: Rule) -> Rule:
        for t in types:
            RULES[(source, t)] = fn
        return fn
    return register


def _insert(table: str, values: tuple, first: int = 1) -> str:
    # Rows keyed by their event (projects, findings…) may meet a copy of it: keep the first.
    params = ", ".join(f"${first + i}" for i in range(len(values)))
    return f"insert into {table} values ({params}) on conflict do nothing"


class AssessmentFacts(Projection):
    name = "assessment_facts"
    sources = ("assessment", "registry", "funding")
    tables = ("af.watermarks", "af.early", "af.projects", "af.milestones", "af.milestone_steps", "af.evidence_uses",
              "af.incomes", "af.milestone_changes",
              "af.city_incomes", "af.persons", "af.cover_steps", "af.findings", "af.finding_steps", "af.baselines",
              "af.designations", "af.teams", "af.team_members", "af.assignments", "af.presence", "af.allocations",
              "af.allocation_amounts", "af.payments")
    schema_sql = SCHEMA

    async def apply(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        rule = RULES.get((event.source, event.type))
        rows = rule(event, event.payload, business_day(event.occurred_at), event.global_position) if rule else []
        if len(rows) == 1:  # the common case (presence, steps, payments): fact and watermark in one round trip
            table, values = rows[0]
            n = len(values)
            await conn.execute(f"with fact as ({_insert(table, values)}) select af.advance(${n + 1}, ${n + 2})",
                               *values, event.source, event.global_position)
            return
        for table, values in rows:
            await conn.execute(_insert(table, values), *values)
        await conn.execute("select af.advance($1, $2)", event.source, event.global_position)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _day(value: str | None, default: date) -> date:
    return date.fromisoformat(value) if value else default


@on("assessment", "ProjectPlanned")
def _planned(e, p, day, pos) -> Rows:
    return [("af.projects", (p["project_id"], p["village_code"], p["district"], p["action_code"], p["task_no"],
                             p["title"], date.fromisoformat(p["planned_start"]), date.fromisoformat(p["planned_end"]),
                             day, pos)),
            *(("af.milestones", (p["project_id"], m["milestone_id"], p["village_code"], p["district"], p["task_no"],
                                 m["title"], date.fromisoformat(m["due_on"]), _decimal(m.get("funding_share_pct")),
                                 pos)) for m in p["milestones"])]


MILESTONE_STEPS = {"MilestoneReported": ("reported", "reported_on", "reported_by"),
                   "MilestoneVerified": ("verified", "verified_on", "verified_by"),
                   "MilestoneReturned": ("returned", "returned_on", "returned_by")}


@on("assessment", *MILESTONE_STEPS)
def _milestone_step(e, p, day, pos) -> Rows:
    step, field, actor = MILESTONE_STEPS[e.type]
    return [("af.milestone_steps", (p["project_id"], p["milestone_id"], step, _day(p.get(field), day), p.get(actor),
                                    pos)),
            *(("af.evidence_uses", (sha, p["project_id"], p["milestone_id"], pos))
              for sha in dict.fromkeys(p.get("evidence_sha256", ())))]


@on("assessment", "MilestoneReplanned")
def _milestone_replanned(e, p, day, pos) -> Rows:
    return [("af.milestone_changes", (p["project_id"], p["milestone_id"], "replanned", date.fromisoformat(p["due_on"]),
                                      day, pos))]


@on("assessment", "MilestoneCancelled")
def _milestone_cancelled(e, p, day, pos) -> Rows:
    return [("af.milestone_changes", (p["project_id"], p["milestone_id"], "cancelled", None,
                                      _day(p.get("cancelled_on"), day), pos))]


@on("assessment", "ProjectCancelled")
def _project_cancelled(e, p, day, pos) -> Rows:
    on_day = _day(p.get("cancelled_on"), day)
    return [("af.milestone_changes", (p["project_id"], "", "project_cancelled", None, on_day, pos)),
            *(("af.milestone_changes", (p["project_id"], m, "cancelled", None, on_day, pos))
              for m in p.get("cancelled_milestone_ids", ()))]


@on("assessment", "CollectiveIncomeReported", "FarmerIncomeReported")
def _income(e, p, day, pos) -> Rows:
    collective = e.type == "CollectiveIncomeReported"
    return [("af.incomes", (p["village_code"], p["district"], p["year"], "collective" if collective else "farmer",
                            p["income_fen"] if collective else p["per_capita_fen"], bool(p.get("flagged")),
                            p.get("flag_reason"), p.get("note"), day, pos))]


@on("assessment", "IncomeReportReviewed")
def _income_review(e, p, day, pos) -> Rows:
    return [("af.incomes", (p["village_code"], p["district"], p["year"], p["measure"], p["amount_fen"], False, None,
                            p.get("reason"), _day(p.get("reviewed_on"), day), pos, not p["accepted"]))]


@on("assessment", "CityIncomeGrowthReported")
def _city(e, p, day, pos) -> Rows:
    return [("af.city_incomes", (p["year"], p["per_capita_fen"], _decimal(p["growth_pct"]), day, pos))]


@on("assessment", "LowIncomePersonRegistered")
def _person(e, p, day, pos) -> Rows:
    return [("af.persons", (p["person_id"], p["household_id"], p["village_code"], p["district"], day, pos))]


@on("assessment", "EligibilityRecorded", "CoverageRecorded", "CoverageEnded")
def _cover(e, p, day, pos) -> Rows:
    if e.type == "EligibilityRecorded":
        step, on_day = ("eligible" if p["eligible"] else "ineligible"), _day(p.get("recorded_on"), day)
    elif e.type == "CoverageRecorded":
        step, on_day = "covered", _day(p.get("covered_on"), day)
    else:
        step, on_day = "ended", _day(p.get("ended_on"), day)
    return [("af.cover_steps", (p["person_id"], p["village_code"], p["district"], p["cover"], step, on_day, pos))]


@on("assessment", "InspectionRecorded")
def _inspection(e, p, day, pos) -> Rows:
    return [("af.findings", (p["inspection_id"], f["finding_id"], p["target_kind"], p["target_id"], p["district"],
                             f["text"], date.fromisoformat(f["deadline"]), date.fromisoformat(p["inspected_on"]), pos))
            for f in p["findings"]]


RECTIFICATION_STEPS = {"RectificationReported": ("reported", "reported_on"),
                       "RectificationAccepted": ("accepted", "accepted_on"),
                       "RectificationReturned": ("returned", "returned_on")}


@on("assessment", *RECTIFICATION_STEPS)
def _rectification(e, p, day, pos) -> Rows:
    step, field = RECTIFICATION_STEPS[e.type]
    return [("af.finding_steps", (p["inspection_id"], p["finding_id"], step, _day(p.get(field), day), pos))]


@on("registry", "VillageRegistered")
def _village(e, p, day, pos) -> Rows:
    return [("af.baselines", (p["code"], p["district"], int(y), fen, pos)) for y, fen in p["income_fen"].items()]


@on("registry", "VillageIncomeCorrected")
def _baseline_corrected(e, p, day, pos) -> Rows:
    return [("af.baselines", (p["code"], p["district"], int(p["year"]), p["income_fen"], pos))]


@on("registry", "VillageDesignated", "DesignationRevoked")
def _designation(e, p, day, pos) -> Rows:
    return [("af.designations", (p["code"], p["district"], e.type == "VillageDesignated", day, pos))]


@on("registry", "WorkTeamFormed")
def _team(e, p, day, pos) -> Rows:
    return [("af.teams", (p["team_id"], p["lead_unit_id"], p.get("district"), day, pos)),
            *(("af.team_members", (p["team_id"], c, True, day, pos)) for c in dict.fromkeys(p["member_ids"]))]


@on("registry", "TeamMembersChanged")
def _members(e, p, day, pos) -> Rows:
    return [*(("af.team_members", (p["team_id"], c, False, day, pos)) for c in p["removed"]),
            *(("af.team_members", (p["team_id"], c, True, day, pos)) for c in p["added"])]


@on("registry", "TeamAssigned", "TeamUnassigned")
def _assignment(e, p, day, pos) -> Rows:
    return [("af.assignments", (p["team_id"], p["village_code"], p["district"], p.get("lead_unit_id"),
                                e.type == "TeamAssigned", day, pos))]


@on("registry", "CadrePresenceLogged")
def _presence(e, p, day, pos) -> Rows:
    return [("af.presence", (p["cadre_id"], p["team_id"], p["village_code"], date.fromisoformat(p["day"]), pos))]


@on("funding", "FundsAllocated")
def _allocated(e, p, day, pos) -> Rows:
    return [("af.allocations", (p["allocation_id"], p["village_code"], p["district"], p["fiscal_year"],
                                p.get("project_id"), p.get("task_no"), pos)),
            ("af.allocation_amounts", (p["allocation_id"], "set", p["amount_fen"], day, pos))]


@on("funding", "AllocationAdjusted")
def _adjusted(e, p, day, pos) -> Rows:
    return [("af.allocation_amounts", (p["allocation_id"], "set", p["amount_fen"], day, pos))]


@on("funding", "AllocationCancelled", "FrozenRemainderReleased")
def _cancelled(e, p, day, pos) -> Rows:
    return [("af.allocation_amounts", (p["allocation_id"], "cancel", p["released_fen"], day, pos))]


@on("funding", "DisbursementPaid", "DisbursementReversed")
def _payment(e, p, day, pos) -> Rows:
    paid = e.type == "DisbursementPaid"
    return [("af.payments", (p["disbursement_id"], p["allocation_id"], p["village_code"], p["district"],
                             p["amount_fen"] if paid else -p["amount_fen"],
                             _day(p.get("paid_on"), day) if paid else day, pos))]
