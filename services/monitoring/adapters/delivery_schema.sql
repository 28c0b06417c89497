-- Monitoring's delivery tables: webhook subscriptions and their delivery log. Idempotent:
-- applied at every start by the API and the worker after schema.sql.
select pg_advisory_xact_lock(7100001);  -- shared.db.MIGRATION_LOCK: API and worker may start together
create schema if not exists monitoring;

-- A subscription's scope is resolved at each delivery from who serves where:
-- monitoring.team_villages and monitoring.team_units, kept by the conditions' projection
-- (adapters/conditions.py), which every process sets up before this file.

-- 订阅 / webhook subscriptions. Not events: the secret stays in this table, sealed under the
-- subscription's own data key (privacy.data_keys, subject 'subscription-<id>'), and only its
-- fingerprint is ever shown. The owner's scope claims are kept, and resolved at each delivery
-- (a unit's teams change), so a subscription never sees beyond its owner.
create table if not exists monitoring.subscriptions (
    subscription_id      uuid primary key,
    url                  text not null,
    secret               jsonb not null,          -- shared.privacy Sealed
    secret_fingerprint   text not null,
    owner                text not null,           -- the creator's actor
    owner_role           text not null,
    owner_district       text,
    owner_unit           text,
    owner_team           text,
    rules                text[] not null default '{}',       -- empty: every rule
    severities           text[] not null default '{}',
    districts            text[] not null default '{}',
    state                text not null default 'active' check (state in ('active', 'paused')),
    paused_reason        text,
    pauses               integer not null default 0,          -- the pause episode, for its operations alert
    alerted_pauses       integer not null default 0,          -- episodes whose operations alert was raised
    cleared_pauses       integer not null default 0,          -- ... and cleared after a resume
    consecutive_failures integer not null default 0,
    cursor               bigint not null,                     -- the last store position (es.log) dealt with
    next_attempt_at      timestamptz not null default now(),
    leased_until         timestamptz,                         -- one dispatcher at a time per subscription
    created_at           timestamptz not null default now()
);
create index if not exists subscriptions_due on monitoring.subscriptions (next_attempt_at) where state = 'active';

-- 投递记录 / every attempt to deliver an alert event to a subscription.
create table if not exists monitoring.deliveries (
    id               bigint generated always as identity primary key,
    subscription_id  uuid not null references monitoring.subscriptions on delete cascade,
    position         bigint not null,
    event_id         uuid not null,
    attempt          integer not null,
    attempted_at     timestamptz not null,
    ok               boolean not null,
    status_code      integer,
    error            text,
    duration_ms      integer not null
);
create index if not exists deliveries_subscription on monitoring.deliveries (subscription_id, id desc);
