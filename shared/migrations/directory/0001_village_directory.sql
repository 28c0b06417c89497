-- The village directory read model (shared/projections/directory.py), kept by registry, funding
-- and assessment.
create schema directory;
create table directory.villages (
    code          text primary key,
    name          text not null,
    district      text not null,
    town          text not null,
    village_type  text not null,
    designated    boolean not null default false,
    position      bigint not null
);
create index directory_villages_district on directory.villages (district, code);
