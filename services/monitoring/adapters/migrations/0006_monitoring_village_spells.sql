-- village.without_team is judged from dated spells, not from the state the events left: a
-- village's designation (its stream) and the teams serving it (each team's stream) lie on
-- different partitions, and an assignment may be read before the designation it ended the
-- wait of. Each spell names the events that began and ended it (the episode's ends).
-- Filled only by the events read from here on: a database with designations read before this
-- migration needs `xingcun projections rebuild monitoring watch`, or a village's next fact
-- would end its open episode as never held.
create table monitoring.designation_spells (
    village_code  text not null,
    start         date not null,
    started_by    uuid not null primary key,
    "end"         date,
    ended_by      uuid
);
create unique index designation_spells_open on monitoring.designation_spells (village_code) where ended_by is null;
create table monitoring.service_spells (
    team_id       text not null,
    village_code  text not null,
    start         date not null,
    started_by    uuid not null,
    "end"         date,
    ended_by      uuid,
    primary key (team_id, village_code, started_by)
);
create unique index service_spells_open on monitoring.service_spells (team_id, village_code) where ended_by is null;
create index service_spells_village on monitoring.service_spells (village_code);
