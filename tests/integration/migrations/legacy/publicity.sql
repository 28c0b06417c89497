-- publicity: what start-up ran before versioned migrations, in its order

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

-- Publicity's own tables beside its event store. Applied at startup; idempotent.
create schema if not exists media;

-- Report images, addressed by the SHA-256 of their bytes; written in the same transaction
-- as the ImageUploaded event.
create table if not exists media.images (
    sha256        text primary key,
    content_type  text not null,
    size          integer not null,
    content       bytea not null
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

-- projection villages

    create schema if not exists stats;
    create table if not exists stats.villages (
        code            text primary key,
        name            text not null,
        district        text not null,
        town            text not null,
        village_type    text not null,
        avg_income_fen  bigint not null,
        registered_at   timestamptz not null,
        event_id        uuid not null,
        position        bigint not null
    );
    create index if not exists villages_district on stats.villages (district);
    create index if not exists villages_name on stats.villages (name);
    
            create table if not exists stats.applied_villages (
                source       text primary key,
                position     bigint not null,
                occurred_at  timestamptz not null,
                recorded_at  timestamptz not null
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

-- projection statistics

    create schema if not exists stats;
    create table if not exists stats.facts (
        source      text not null,
        position    bigint not null,
        seq         integer not null,
        kind        text not null,
        key         text not null,
        at          timestamptz not null,
        event_id    uuid not null,
        event_type  text not null,
        district    text,
        village     text,
        value       jsonb not null,
        primary key (source, position, seq)
    );
    create index if not exists facts_latest on stats.facts (kind, key, at desc, position desc);
    create index if not exists facts_village on stats.facts (village, kind);
    create table if not exists stats.ranked (
        run_id       text not null,
        code         text not null,
        district     text not null,
        rank         integer not null,
        average_fen  bigint not null,
        income_fen   jsonb not null,
        designated   boolean not null,
        position     bigint not null,
        primary key (run_id, code)
    );
    create index if not exists ranked_rank on stats.ranked (run_id, rank);
    create table if not exists stats.changes (
        seq          bigint generated always as identity primary key,
        source       text not null,
        position     bigint not null,
        event_type   text not null,
        kinds        text[] not null,
        district     text,
        village      text,
        occurred_at  timestamptz not null,
        recorded_at  timestamptz not null
    );
    
            create table if not exists stats.applied_statistics (
                source       text primary key,
                position     bigint not null,
                occurred_at  timestamptz not null,
                recorded_at  timestamptz not null
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

-- projection publications

    create schema if not exists pub;
    create table if not exists pub.notices (
        notice_id     text primary key,
        kind          text not null,
        title         text not null,
        run_id        text,
        window_from   date not null,
        window_to     date not null,
        village_codes jsonb not null,
        published_at  timestamptz not null,
        event_id      uuid not null,
        position      bigint not null
    );
    create table if not exists pub.reports (
        report_id     text primary key,
        village_code  text,
        title         text not null,
        body          text not null,
        figures       jsonb not null,
        images        jsonb not null,
        status        text not null,
        channels      jsonb not null default '[]',
        published_on  date,
        return_reason text,
        updated_at    timestamptz not null,
        position      bigint not null
    );
    create index if not exists reports_status on pub.reports (status, published_on);
    
            create table if not exists stats.applied_publications (
                source       text primary key,
                position     bigint not null,
                occurred_at  timestamptz not null,
                recorded_at  timestamptz not null
            );
            