-- funding: what start-up ran before versioned migrations, in its order

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

-- The funding service's balance rows: the money invariants as CHECK constraints.
--
-- Why a constraint table rather than optimistic concurrency on the streams: a request
-- appends to its own new stream (disbursement-<id>), so optimistic concurrency would
-- have to route every request through the allocation's stream and retry losers. Here
-- each command locks the rows it changes (SELECT … FOR UPDATE) in the transaction that
-- appends its events: concurrent requests on one allocation queue on that row, each
-- sees the figures the one before it left, and the CHECKs below make a breach
-- impossible even if a check in the code were wrong. Lock order, everywhere:
-- village advisory lock → project advisory lock → line → allocation → tranche → village → project row;
-- several of one kind (a reactor batch over many projects) all up front, sorted.
-- The line counts even where nothing names it: a transaction updating an allocation
-- row it already wrote re-checks the foreign key, which locks the line (FOR KEY SHARE).
-- Idempotent: applied at every start (by the API, and by the worker's reactor).
select pg_advisory_xact_lock(7100001);  -- shared.db.MIGRATION_LOCK: API and worker may start together
create schema if not exists funding;

create table if not exists funding.line_balances (
    line_id           text primary key,
    source            text not null,
    fiscal_year       integer not null,
    scope             text not null,
    appropriated_fen  bigint not null check (appropriated_fen >= 0),
    allocated_fen     bigint not null default 0 check (allocated_fen >= 0),
    paid_fen          bigint not null default 0 check (paid_fen >= 0),
    constraint line_allocated_within_appropriated check (allocated_fen <= appropriated_fen),
    constraint line_paid_within_allocated check (paid_fen <= allocated_fen)
);

create table if not exists funding.allocation_balances (
    allocation_id  text primary key,
    line_id        text not null references funding.line_balances (line_id),
    village_code   text not null,
    district       text not null,
    project_id     text,
    amount_fen     bigint not null check (amount_fen >= 0),
    released_fen   bigint not null check (released_fen >= 0),
    committed_fen  bigint not null default 0 check (committed_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    cancelled      boolean not null default false,
    constraint allocation_released_within_amount check (released_fen <= amount_fen),
    constraint allocation_spent_within_released check (committed_fen + paid_fen <= released_fen)
);
create index if not exists allocation_balances_project on funding.allocation_balances (project_id);

create table if not exists funding.tranche_balances (
    allocation_id  text not null references funding.allocation_balances (allocation_id),
    tranche_no     integer not null,
    amount_fen     bigint not null check (amount_fen >= 0),
    milestone_id   text,
    released       boolean not null,
    committed_fen  bigint not null default 0 check (committed_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    primary key (allocation_id, tranche_no),
    constraint tranche_spent_within_amount check (committed_fen + paid_fen <= amount_fen),
    constraint tranche_spent_only_when_released check (released or committed_fen + paid_fen = 0)
);

create table if not exists funding.village_balances (
    village_code   text primary key,
    district       text not null,
    allocated_fen  bigint not null default 0 check (allocated_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    constraint village_paid_within_allocated check (paid_fen <= allocated_fen)
);

create table if not exists funding.project_balances (
    project_id     text primary key,
    village_code   text not null,
    allocated_fen  bigint not null default 0 check (allocated_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    constraint project_paid_within_allocated check (paid_fen <= allocated_fen)
);


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

-- projection milestone_releases
-- The funding service's balance rows: the money invariants as CHECK constraints.
--
-- Why a constraint table rather than optimistic concurrency on the streams: a request
-- appends to its own new stream (disbursement-<id>), so optimistic concurrency would
-- have to route every request through the allocation's stream and retry losers. Here
-- each command locks the rows it changes (SELECT … FOR UPDATE) in the transaction that
-- appends its events: concurrent requests on one allocation queue on that row, each
-- sees the figures the one before it left, and the CHECKs below make a breach
-- impossible even if a check in the code were wrong. Lock order, everywhere:
-- village advisory lock → project advisory lock → line → allocation → tranche → village → project row;
-- several of one kind (a reactor batch over many projects) all up front, sorted.
-- The line counts even where nothing names it: a transaction updating an allocation
-- row it already wrote re-checks the foreign key, which locks the line (FOR KEY SHARE).
-- Idempotent: applied at every start (by the API, and by the worker's reactor).
select pg_advisory_xact_lock(7100001);  -- shared.db.MIGRATION_LOCK: API and worker may start together
create schema if not exists funding;

create table if not exists funding.line_balances (
    line_id           text primary key,
    source            text not null,
    fiscal_year       integer not null,
    scope             text not null,
    appropriated_fen  bigint not null check (appropriated_fen >= 0),
    allocated_fen     bigint not null default 0 check (allocated_fen >= 0),
    paid_fen          bigint not null default 0 check (paid_fen >= 0),
    constraint line_allocated_within_appropriated check (allocated_fen <= appropriated_fen),
    constraint line_paid_within_allocated check (paid_fen <= allocated_fen)
);

create table if not exists funding.allocation_balances (
    allocation_id  text primary key,
    line_id        text not null references funding.line_balances (line_id),
    village_code   text not null,
    district       text not null,
    project_id     text,
    amount_fen     bigint not null check (amount_fen >= 0),
    released_fen   bigint not null check (released_fen >= 0),
    committed_fen  bigint not null default 0 check (committed_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    cancelled      boolean not null default false,
    constraint allocation_released_within_amount check (released_fen <= amount_fen),
    constraint allocation_spent_within_released check (committed_fen + paid_fen <= released_fen)
);
create index if not exists allocation_balances_project on funding.allocation_balances (project_id);

create table if not exists funding.tranche_balances (
    allocation_id  text not null references funding.allocation_balances (allocation_id),
    tranche_no     integer not null,
    amount_fen     bigint not null check (amount_fen >= 0),
    milestone_id   text,
    released       boolean not null,
    committed_fen  bigint not null default 0 check (committed_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    primary key (allocation_id, tranche_no),
    constraint tranche_spent_within_amount check (committed_fen + paid_fen <= amount_fen),
    constraint tranche_spent_only_when_released check (released or committed_fen + paid_fen = 0)
);

create table if not exists funding.village_balances (
    village_code   text primary key,
    district       text not null,
    allocated_fen  bigint not null default 0 check (allocated_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    constraint village_paid_within_allocated check (paid_fen <= allocated_fen)
);

create table if not exists funding.project_balances (
    project_id     text primary key,
    village_code   text not null,
    allocated_fen  bigint not null default 0 check (allocated_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    constraint project_paid_within_allocated check (paid_fen <= allocated_fen)
);

    create table if not exists funding.verified_milestones (
        project_id    text not null,
        milestone_id  text not null,
        village_code  text not null,
        verified_on   date not null,
        event_id      uuid not null,
        primary key (project_id, milestone_id)
    );
    create table if not exists funding.known_projects (
        project_id     text primary key,
        village_code   text not null,
        task_no        integer not null,
        milestone_ids  text[] not null
    );
    -- What assessment cancelled: no new allocation names it (handlers/allocations.py).
    alter table funding.known_projects add column if not exists cancelled boolean not null default false;
    alter table funding.known_projects add column if not exists cancelled_milestones text[] not null default '{}';
    

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

-- projection designation_freezes
-- The funding service's balance rows: the money invariants as CHECK constraints.
--
-- Why a constraint table rather than optimistic concurrency on the streams: a request
-- appends to its own new stream (disbursement-<id>), so optimistic concurrency would
-- have to route every request through the allocation's stream and retry losers. Here
-- each command locks the rows it changes (SELECT … FOR UPDATE) in the transaction that
-- appends its events: concurrent requests on one allocation queue on that row, each
-- sees the figures the one before it left, and the CHECKs below make a breach
-- impossible even if a check in the code were wrong. Lock order, everywhere:
-- village advisory lock → project advisory lock → line → allocation → tranche → village → project row;
-- several of one kind (a reactor batch over many projects) all up front, sorted.
-- The line counts even where nothing names it: a transaction updating an allocation
-- row it already wrote re-checks the foreign key, which locks the line (FOR KEY SHARE).
-- Idempotent: applied at every start (by the API, and by the worker's reactor).
select pg_advisory_xact_lock(7100001);  -- shared.db.MIGRATION_LOCK: API and worker may start together
create schema if not exists funding;

create table if not exists funding.line_balances (
    line_id           text primary key,
    source            text not null,
    fiscal_year       integer not null,
    scope             text not null,
    appropriated_fen  bigint not null check (appropriated_fen >= 0),
    allocated_fen     bigint not null default 0 check (allocated_fen >= 0),
    paid_fen          bigint not null default 0 check (paid_fen >= 0),
    constraint line_allocated_within_appropriated check (allocated_fen <= appropriated_fen),
    constraint line_paid_within_allocated check (paid_fen <= allocated_fen)
);

create table if not exists funding.allocation_balances (
    allocation_id  text primary key,
    line_id        text not null references funding.line_balances (line_id),
    village_code   text not null,
    district       text not null,
    project_id     text,
    amount_fen     bigint not null check (amount_fen >= 0),
    released_fen   bigint not null check (released_fen >= 0),
    committed_fen  bigint not null default 0 check (committed_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    cancelled      boolean not null default false,
    constraint allocation_released_within_amount check (released_fen <= amount_fen),
    constraint allocation_spent_within_released check (committed_fen + paid_fen <= released_fen)
);
create index if not exists allocation_balances_project on funding.allocation_balances (project_id);

create table if not exists funding.tranche_balances (
    allocation_id  text not null references funding.allocation_balances (allocation_id),
    tranche_no     integer not null,
    amount_fen     bigint not null check (amount_fen >= 0),
    milestone_id   text,
    released       boolean not null,
    committed_fen  bigint not null default 0 check (committed_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    primary key (allocation_id, tranche_no),
    constraint tranche_spent_within_amount check (committed_fen + paid_fen <= amount_fen),
    constraint tranche_spent_only_when_released check (released or committed_fen + paid_fen = 0)
);

create table if not exists funding.village_balances (
    village_code   text primary key,
    district       text not null,
    allocated_fen  bigint not null default 0 check (allocated_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    constraint village_paid_within_allocated check (paid_fen <= allocated_fen)
);

create table if not exists funding.project_balances (
    project_id     text primary key,
    village_code   text not null,
    allocated_fen  bigint not null default 0 check (allocated_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    constraint project_paid_within_allocated check (paid_fen <= allocated_fen)
);

    create table if not exists funding.village_designations (
        village_code       text primary key,
        designated         boolean not null,
        revocation_reason  text,
        run_id             text,
        position           bigint not null
    );
    

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

-- projection ledger

create schema if not exists ledger;
create table if not exists ledger.lines (
    line_id           text primary key,
    source            text not null,
    fiscal_year       integer not null,
    scope             text not null,
    title             text not null,
    appropriated_fen  bigint not null,
    appropriated_on   date not null,
    position          bigint not null
);
create table if not exists ledger.allocations (
    allocation_id  text primary key,
    line_id        text not null,
    source         text not null,
    fiscal_year    integer not null,
    village_code   text not null,
    district       text not null,
    project_id     text,
    task_no        integer,
    amount_fen     bigint not null,
    status         text not null,
    allocated_on   date not null,
    cancelled_on   date,
    position       bigint not null
);
-- status: active | frozen (designation revoked, awaiting the city office) | cancelled (also: frozen remainder released)
alter table ledger.allocations add column if not exists freeze_reason text;
alter table ledger.allocations add column if not exists freeze_exception text;
create index if not exists ledger_allocations_village on ledger.allocations (village_code);
create index if not exists ledger_allocations_line on ledger.allocations (line_id);
create table if not exists ledger.tranches (
    allocation_id     text not null,
    tranche_no        integer not null,
    amount_fen        bigint not null,
    milestone_id      text,
    released_on       date,
    released_position bigint,
    primary key (allocation_id, tranche_no)
);
create table if not exists ledger.disbursements (
    disbursement_id     text primary key,
    allocation_id       text not null,
    line_id             text not null,
    source              text not null,
    village_code        text not null,
    district            text not null,
    project_id          text,
    task_no             integer,
    tranche_no          integer,
    amount_fen          bigint not null,
    status              text not null,
    requested_by        text,
    requested_on        date not null,
    requested_position  bigint not null,
    approved_by         text,
    approved_on         date,
    approved_position   bigint,
    rejected_on         date,
    reject_reason       text,
    paid_on             date,
    voucher_no          text,
    paid_position       bigint,
    reversed_on         date,
    reverse_reason      text,
    reversed_position   bigint
);
create index if not exists ledger_disbursements_village on ledger.disbursements (village_code);
create index if not exists ledger_disbursements_allocation on ledger.disbursements (allocation_id);
create index if not exists ledger_disbursements_status on ledger.disbursements (status, district);
-- kind: appropriation | allocation | payment | reversal; amounts signed (an adjustment down is negative)
create table if not exists ledger.movements (
    event_id         uuid primary key,
    position         bigint not null,
    occurred_on      date not null,
    kind             text not null,
    line_id          text not null,
    source           text not null,
    allocation_id    text,
    village_code     text,
    district         text,
    disbursement_id  text,
    amount_fen       bigint not null
);
create index if not exists ledger_movements_line on ledger.movements (line_id, position);
create index if not exists ledger_movements_allocation on ledger.movements (allocation_id, position);
create index if not exists ledger_movements_date on ledger.movements (occurred_on);
create table if not exists ledger.policies (
    policy_id        text primary key,
    name             text not null,
    description      text not null,
    designated_only  boolean not null,
    village_types    text[] not null,
    districts        text[] not null,
    registered_on    date not null
);
create table if not exists ledger.policy_villages (
    policy_id     text not null,
    village_code  text not null,
    district      text not null,
    applied_on    date not null,
    primary key (policy_id, village_code)
);
create index if not exists ledger_policy_villages_village on ledger.policy_villages (village_code);


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

-- projection team_reach

    create schema if not exists reach;
    create table if not exists reach.team_units (
        team_id  text not null,
        unit_id  text not null,
        primary key (team_id, unit_id)
    );
    create index if not exists team_units_unit on reach.team_units (unit_id);
    create table if not exists reach.team_villages (
        team_id       text not null,
        village_code  text not null,
        primary key (team_id, village_code)
    );
    