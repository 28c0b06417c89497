-- monitoring: what start-up ran before versioned migrations, in its order

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

-- projection watch

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

-- projection alert_board
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
