-- The registry's constraint tables: rules across aggregates, kept in the same transaction
-- as the events that change them, so they hold under concurrent commands.
-- They are the write side's (never read by other services); every statement is idempotent.
create schema if not exists registry;

-- 每个经济薄弱村只有一个工作队 / each weak village has exactly one team.
create table if not exists registry.village_team (
    village_code  text primary key,
    team_id       text not null,
    district      text not null
);
create index if not exists village_team_team on registry.village_team (team_id);

-- 一名干部同一时间只在一个工作队 / a cadre is in one team at a time.
create table if not exists registry.cadre_team (
    cadre_id  text primary key,
    team_id   text not null
);

-- 每个单位选派 1–2 个工作队（牵头或协作）/ a unit takes part in at most two teams.
create table if not exists registry.unit_team (
    unit_id  text not null,
    slot     smallint not null check (slot in (1, 2)),
    team_id  text not null,
    primary key (unit_id, slot),
    unique (unit_id, team_id)
);

-- Commands that read the whole register (screening, matching, allowances) select events by type.
create index if not exists events_type_id on es.events (type, id);
