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
