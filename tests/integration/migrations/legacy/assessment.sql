-- assessment: what start-up ran before versioned migrations, in its order

-- The event store of one service. Applied at startup; every statement is idempotent.
create schema if not exists es;

-- Events as appended by commands. Immutable: nothing updates or deletes a row (a restore
-- into another cluster translates ``tx`` once, shared/backup.py).
-- ``tx`` is the event's sequencing key: the appending transaction's id, raised to the key
-- of the stream's previous event when that is higher (shared/eventstore/store.py). The
-- sequencer reads only rows whose key is older than every transaction still running, in
-- key order: an event committed late by a slow writer is never skipped, and version N+1
-- of a stream never gets a position before version N (docs/reliability.md).
create table if not exists es.events (
    id              bigint generated always as identity primary key,
    tx              xid8 not null default pg_current_xact_id(),
    event_id        uuid not null unique,
    stream_id       text not null,
    stream_version  integer not null check (stream_version > 0),
    type            text not null,
    schema_version  integer not null,
    occurred_at     timestamptz not null,
    recorded_at     timestamptz not null default clock_timestamp(),
    correlation_id  uuid not null,
    causation_id    uuid,
    actor           text not null,
    traceparent     text,
    payload         jsonb not null,
    unique (stream_id, stream_version)
);
create index if not exists events_tx_id on es.events (tx, id);

-- The log: one dense, gap-free global position per event in commit order,
-- written by the single sequencer, with a hash chain over the events.
create table if not exists es.log (
    position    bigint primary key,
    event_row   bigint not null unique references es.events (id),
    chain_hash  bytea not null
);

-- The sequencer's and the relay's checkpoints (one row).
create table if not exists es.relay_state (
    singleton           boolean primary key default true check (singleton),
    last_tx             xid8 not null default '0'::xid8,
    last_row            bigint not null default 0,
    last_position       bigint not null default 0,
    last_hash           bytea not null default '\x'::bytea,
    published_position  bigint not null default 0
);
insert into es.relay_state (singleton) values (true) on conflict do nothing;

-- Commands already executed, by idempotency key: a retry gets the first result.
create table if not exists es.commands (
    idempotency_key  text primary key,
    command          text not null,
    fingerprint      text not null,
    result           jsonb not null,
    recorded_at      timestamptz not null default clock_timestamp()
);

-- Commands recorded with a business time beyond the back-dating window, and why
-- (X-Backdate-Reason), written in the command's own transaction: by correlation id, which
-- every event of the command carries.
create table if not exists es.backdated (
    correlation_id  uuid not null,
    actor           text not null,
    occurred_at     timestamptz not null,
    reason          text not null,
    recorded_at     timestamptz not null default clock_timestamp()
);
create index if not exists backdated_correlation on es.backdated (correlation_id);

-- Earlier versions notified the relay from a trigger; a NOTIFY serialises commits, and
-- the API notifies after its commits instead (shared/outbox/wakeup.py).
drop trigger if exists events_appended on es.events;
drop function if exists es.notify_appended();

-- The last position whose chain head was published as a ChainCheckpointed event.
alter table es.relay_state add column if not exists checkpointed_position bigint not null default 0;

-- The sequencer's horizon: the oldest transaction still running that could yet commit an
-- event here. pg_snapshot_xmin alone is cluster-wide, so a transaction left open in another
-- service's database would hold this relay back; one seen running in another database
-- cannot write this database's es.events and is passed over. Where unsure it counts: an id
-- whose backend is no longer seen (it has just ended), or one without a database.
create or replace function es.horizon() returns xid8 language sql stable as $$
    select coalesce(
        (select min(x) from pg_snapshot_xip(pg_current_snapshot()) x
         where not exists (select 1 from pg_stat_activity a
                           where a.backend_xid = xid(x) and a.datname <> current_database())),
        pg_snapshot_xmax(pg_current_snapshot()))
$$;

-- Data keys of the people whose personal data this service's events carry sealed
-- (shared/privacy). A destroyed key leaves its row: data_key null, erased_at set.
-- Every statement is idempotent; run with the service's schema at each start.
create schema if not exists privacy;

create table if not exists privacy.data_keys (
    subject     text primary key,          -- the person's stream id, e.g. cadre-<cadre_id>
    data_key    bytea,                     -- AES-256 key; null once erased
    created_at  timestamptz not null default now(),
    erased_at   timestamptz,
    check ((data_key is null) = (erased_at is not null)),
    check (data_key is null or length(data_key) = 32)
);


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


create schema if not exists proj;
create table if not exists proj.positions (
    projection  text not null,
    topic       text not null,
    partition   integer not null,
    "offset"    bigint not null,
    position    bigint not null default 0,
    updated_at  timestamptz not null default clock_timestamp(),
    primary key (projection, topic, partition)
);
-- Records a projection could not apply after several tries (a poison event): held here with
-- the error, passed over by the projection, until an operator retries or skips each one
-- (xingcun projections quarantine). The record is kept as delivered, so a retry applies
-- exactly what the topic carried.
create table if not exists proj.quarantine (
    id              bigint generated always as identity primary key,
    projection      text not null,
    topic           text not null,
    partition       integer not null,
    "offset"        bigint not null,
    position        bigint,
    event_id        uuid,
    event_type      text,
    stream_id       text,
    record          bytea not null,
    error           text not null,
    attempts        integer not null,
    status          text not null default 'held' check (status in ('held', 'retried', 'skipped')),
    quarantined_at  timestamptz not null default clock_timestamp(),
    resolved_at     timestamptz,
    resolved_by     text,
    unique (projection, topic, partition, "offset")
);
-- The projection's lock, then its positions: one round trip, and the positions are read
-- by a statement of their own (a function's statements each take a fresh snapshot), so
-- they include what a rebuild that held the lock until now committed.
create or replace function proj.claim(p_projection text, p_lock bigint)
returns table (topic text, "partition" integer, "offset" bigint, "position" bigint)
language plpgsql volatile as $$
begin
    perform pg_advisory_xact_lock(p_lock);
    return query select p.topic, p.partition, p."offset", p.position
                 from proj.positions p where p.projection = p_projection;
end $$;

-- projection village_directory

    create schema if not exists directory;
    create table if not exists directory.villages (
        code          text primary key,
        name          text not null,
        district      text not null,
        town          text not null,
        village_type  text not null,
        designated    boolean not null default false,
        position      bigint not null
    );
    create index if not exists directory_villages_district on directory.villages (district, code);
    

create schema if not exists proj;
create table if not exists proj.positions (
    projection  text not null,
    topic       text not null,
    partition   integer not null,
    "offset"    bigint not null,
    position    bigint not null default 0,
    updated_at  timestamptz not null default clock_timestamp(),
    primary key (projection, topic, partition)
);
-- Records a projection could not apply after several tries (a poison event): held here with
-- the error, passed over by the projection, until an operator retries or skips each one
-- (xingcun projections quarantine). The record is kept as delivered, so a retry applies
-- exactly what the topic carried.
create table if not exists proj.quarantine (
    id              bigint generated always as identity primary key,
    projection      text not null,
    topic           text not null,
    partition       integer not null,
    "offset"        bigint not null,
    position        bigint,
    event_id        uuid,
    event_type      text,
    stream_id       text,
    record          bytea not null,
    error           text not null,
    attempts        integer not null,
    status          text not null default 'held' check (status in ('held', 'retried', 'skipped')),
    quarantined_at  timestamptz not null default clock_timestamp(),
    resolved_at     timestamptz,
    resolved_by     text,
    unique (projection, topic, partition, "offset")
);
-- The projection's lock, then its positions: one round trip, and the positions are read
-- by a statement of their own (a function's statements each take a fresh snapshot), so
-- they include what a rebuild that held the lock until now committed.
create or replace function proj.claim(p_projection text, p_lock bigint)
returns table (topic text, "partition" integer, "offset" bigint, "position" bigint)
language plpgsql volatile as $$
begin
    perform pg_advisory_xact_lock(p_lock);
    return query select p.topic, p.partition, p."offset", p.position
                 from proj.positions p where p.projection = p_projection;
end $$;

-- projection assessment_facts

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
