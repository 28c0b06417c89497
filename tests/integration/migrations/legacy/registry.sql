-- What start-up ran before versioned migrations (as of commit 5186b7c), kept to compare
-- the migrations' catalogue against (test_migrations.py). Never edit: it is the old schema.
-- services/registry/adapters/schema.sql
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

-- projection registry_activity (schema_sql)

    create schema if not exists rg;
    create table if not exists rg.teams (
        team_id       text primary key,
        district      text not null,
        lead_unit_id  text not null,
        first_secretary_id text not null
    );
    create table if not exists rg.memberships (
        cadre_id  text primary key,
        team_id   text not null
    );
    create table if not exists rg.team_villages (
        team_id       text not null,
        village_code  text not null,
        district      text not null,
        entered_on    date,
        primary key (team_id, village_code)
    );
    create table if not exists rg.presence (
        cadre_id      text not null,
        day           date not null,
        team_id       text not null,
        village_code  text not null,
        primary key (cadre_id, day)
    );
    create index if not exists presence_village_day on rg.presence (village_code, day);
    create table if not exists rg.leaves (
        leave_id  text not null,
        cadre_id  text not null,
        start_on  date not null,
        end_on    date not null,
        primary key (cadre_id, leave_id)
    );
    