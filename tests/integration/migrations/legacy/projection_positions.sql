-- What start-up ran before versioned migrations (as of commit 5186b7c), kept to compare
-- the migrations' catalogue against (test_migrations.py). Never edit: it is the old schema.
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
