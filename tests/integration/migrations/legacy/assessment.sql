-- What start-up ran before versioned migrations (as of commit 5186b7c), kept to compare
-- the migrations' catalogue against (test_migrations.py). Never edit: it is the old schema.
-- services/assessment/adapters/schema.sql
-- The assessment service's own tables besides its event store and read models.
create schema if not exists assessment;

-- Evidence files of milestone reports, content-addressed: the event carries the SHA-256,
-- this table the bytes it was computed from (written in the command's transaction).
create table if not exists assessment.evidence (
    sha256       text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
    filename     text not null,
    media_type   text not null,
    size_bytes   integer not null,
    content      bytea not null,
    stored_at    timestamptz not null default clock_timestamp()
);

-- Where each hash was reported is projected from the events (af.evidence_uses), so a rebuild
-- recreates it; the table the command used to write is gone.
drop table if exists assessment.evidence_uses;

-- projection assessment_facts (schema_sql)

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
