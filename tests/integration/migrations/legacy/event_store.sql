-- What start-up ran before versioned migrations (as of commit 5186b7c), kept to compare
-- the migrations' catalogue against (test_migrations.py). Never edit: it is the old schema.
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
