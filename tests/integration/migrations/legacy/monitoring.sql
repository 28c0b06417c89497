-- What start-up ran before versioned migrations (as of commit 5186b7c), kept to compare
-- the migrations' catalogue against (test_migrations.py). Never edit: it is the old schema.
-- services/monitoring/adapters/schema.sql
-- The monitoring service's read models. Idempotent: applied at every start (by the API, and
-- by the worker through its projections' schema_sql).
select pg_advisory_xact_lock(7100001);  -- shared.db.MIGRATION_LOCK: API and worker may start together
create schema if not exists monitoring;

-- 预警 / every alert as it stands (projection "alert_board", from monitoring.events).
create table if not exists monitoring.alerts (
    alert_id          text primary key,
    rule_id           text not null,
    rule_version      integer not null,
    severity          text not null,
    subject_kind      text not null,
    subject_id        text not null,
    district          text,
    village_code      text,
    team_id           text,
    audience          text[] not null,
    escalated_to      text[] not null default '{}',
    level             integer not null default 0,
    state             text not null check (state in ('open', 'acknowledged', 'resolved')),
    title             text not null,
    figures           jsonb not null,
    raised_on         date not null,
    cause_event_id    uuid,
    escalated_on      date,
    acknowledged_by   text,
    acknowledged_on   date,
    resolved_on       date,
    resolved_how      text,
    resolved_by       text,
    cleared_by_event  uuid,
    raised_position   bigint not null,
    position          bigint not null  -- global position (monitoring's store) of its last event
);
create index if not exists alerts_listing on monitoring.alerts (raised_position desc);
create index if not exists alerts_district on monitoring.alerts (district, state);
create index if not exists alerts_rule on monitoring.alerts (rule_id, state);

-- 预警事件 / one row per alert event in position order: the SSE stream resumes from here
-- (Last-Event-ID = position) and the webhooks deliver from here; scope columns copied from
-- the alert so a reader filters without a join.
create table if not exists monitoring.alert_log (
    position      bigint primary key,
    event_id      uuid not null unique,
    alert_id      text not null,
    type          text not null,
    rule_id       text not null,
    severity      text not null,
    district      text,
    village_code  text,
    team_id       text,
    audience      text[] not null,
    payload       jsonb not null,
    recorded_at   timestamptz not null
);
create index if not exists alert_log_alert on monitoring.alert_log (alert_id, position);

-- services/monitoring/adapters/delivery_schema.sql
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

-- projection watch (schema_sql)

select pg_advisory_xact_lock(7100001);
create schema if not exists monitoring;
create table if not exists monitoring.conditions (
    rule_id        text not null,
    subject_kind   text not null,
    subject_id     text not null,
    opened_by      uuid not null,
    since          date not null,
    opened_on      date not null,  -- the opening event's business day: it held from then on, not before
    district       text,
    village_code   text,
    team_id        text,
    figures        jsonb not null default '{}',
    cleared_on     date,
    cleared_by     uuid,
    alert_id       text,
    raised_on      date,
    settled        boolean not null default false,  -- acknowledged or resolved: no escalation to check
    position       bigint not null,
    primary key (rule_id, subject_kind, subject_id, opened_by)
);
create unique index if not exists conditions_one_open
    on monitoring.conditions (rule_id, subject_kind, subject_id) where cleared_on is null;
-- A day's close looks at the episodes not raised yet: open ones by their start, cleared ones by
-- their end (those cleared before the day can never be raised, however many accumulate).
create index if not exists conditions_unraised_open on monitoring.conditions (since)
    where alert_id is null and cleared_on is null;
create index if not exists conditions_unraised_cleared on monitoring.conditions (cleared_on)
    where alert_id is null and cleared_on is not null;
create index if not exists conditions_unsettled on monitoring.conditions (raised_on)
    where alert_id is not null and not settled;
create table if not exists monitoring.days (day date primary key);
create table if not exists monitoring.villages (
    code        text primary key,
    district    text not null,
    designated  boolean not null
);
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
create table if not exists monitoring.teams (
    team_id     text primary key,
    district    text,
    entered_on  date  -- the first entry into a village: presence is required from the next full month
);
create table if not exists monitoring.team_members (
    team_id   text not null,
    cadre_id  text not null,
    primary key (team_id, cadre_id)
);
create table if not exists monitoring.presence (
    cadre_id  text not null,
    day       date not null,
    primary key (cadre_id, day)
);
create table if not exists monitoring.leaves (
    leave_id  text primary key,
    cadre_id  text not null,
    first     date not null,
    last      date not null
);
create index if not exists leaves_cadre on monitoring.leaves (cadre_id);
-- Who is eligible for which cover now: a cover that ends leaves an eligible person a gap again.
create table if not exists monitoring.eligibility (
    person_id  text not null,
    cover      text not null,
    eligible   boolean not null,
    primary key (person_id, cover)
);
create table if not exists monitoring.incomes (
    village_code  text not null,
    year          integer not null,
    income_fen    bigint not null,
    primary key (village_code, year)
);
