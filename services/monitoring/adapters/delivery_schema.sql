-- Monitoring's delivery tables: webhook subscriptions and their delivery log. Idempotent:
-- applied at every start by the API and the worker after schema.sql.
select pg_advisory_xact_lock(7100001);  -- shared.db.MIGRATION_LOCK: API and worker may start together
create schema if not exists monitoring;

-- Who serves where (kept by the conditions' projection; repeated identically): a unit's scope.
create table if not exists monitoring.team_villages (
    team_id       text not null,
    village_code  text not null,
    primary key (team_id, village_code)
);
create index if not exists team_villages_village on monitoring.team_villages (village_code);
create table if not exists monitoring.team_units (
    team_id  text not null,
    unit_id  text not null,
    primary key (team_id, unit_id)
);
create index if not exists team_units_unit on monitoring.team_units (unit_id);

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
