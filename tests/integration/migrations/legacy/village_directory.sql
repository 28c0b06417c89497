-- What start-up ran before versioned migrations (as of commit 5186b7c), kept to compare
-- the migrations' catalogue against (test_migrations.py). Never edit: it is the old schema.
    create schema if not exists directory;
    create table if not exists directory.villages (
        code          text primary key,
        name          text not null,
        district      text not null,
        town          text not null,
        village_type  text not null,
        designated    boolean not null default false,
        position      bigint not null
    );
    create index if not exists directory_villages_district on directory.villages (district, code);
    