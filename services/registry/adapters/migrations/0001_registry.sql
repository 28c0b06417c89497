-- The registry service's own tables and read models as of versioned migrations (0001).

-- The registry's constraint tables: rules across aggregates, kept in the same transaction
-- as the events that change them, so they hold under concurrent commands.
-- They are the write side's (never read by other services).
create schema registry;

-- 每个经济薄弱村只有一个工作队 / each weak village has exactly one team.
create table registry.village_team (
    village_code  text primary key,
    team_id       text not null,
    district      text not null
);
create index village_team_team on registry.village_team (team_id);

-- 一名干部同一时间只在一个工作队 / a cadre is in one team at a time.
create table registry.cadre_team (
    cadre_id  text primary key,
    team_id   text not null
);

-- 每个单位选派 1–2 个工作队（牵头或协作）/ a unit takes part in at most two teams.
create table registry.unit_team (
    unit_id  text not null,
    slot     smallint not null check (slot in (1, 2)),
    team_id  text not null,
    primary key (unit_id, slot),
    unique (unit_id, team_id)
);

-- Commands that read the whole register (screening, matching, allowances) select events by type.
create index events_type_id on es.events (type, id);

-- Read model of the projection registry_activity: its tables are emptied by a rebuild, never dropped.
create schema rg;
create table rg.teams (
    team_id       text primary key,
    district      text not null,
    lead_unit_id  text not null,
    first_secretary_id text not null
);
create table rg.memberships (
    cadre_id  text primary key,
    team_id   text not null
);
create table rg.team_villages (
    team_id       text not null,
    village_code  text not null,
    district      text not null,
    entered_on    date,
    primary key (team_id, village_code)
);
create table rg.presence (
    cadre_id      text not null,
    day           date not null,
    team_id       text not null,
    village_code  text not null,
    primary key (cadre_id, day)
);
create index presence_village_day on rg.presence (village_code, day);
create table rg.leaves (
    leave_id  text not null,
    cadre_id  text not null,
    start_on  date not null,
    end_on    date not null,
    primary key (cadre_id, leave_id)
);
