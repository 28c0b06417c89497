-- What start-up ran before versioned migrations (as of commit 5186b7c), kept to compare
-- the migrations' catalogue against (test_migrations.py). Never edit: it is the old schema.
-- services/publicity/adapters/schema.sql
-- Publicity's own tables beside its event store. Applied at startup; idempotent.
create schema if not exists media;

-- Report images, addressed by the SHA-256 of their bytes; written in the same transaction
-- as the ImageUploaded event.
create table if not exists media.images (
    sha256        text primary key,
    content_type  text not null,
    size          integer not null,
    content       bytea not null
);

-- projection villages (schema_sql)

    create schema if not exists stats;
    create table if not exists stats.villages (
        code            text primary key,
        name            text not null,
        district        text not null,
        town            text not null,
        village_type    text not null,
        avg_income_fen  bigint not null,
        registered_at   timestamptz not null,
        event_id        uuid not null,
        position        bigint not null
    );
    create index if not exists villages_district on stats.villages (district);
    create index if not exists villages_name on stats.villages (name);
    
            create table if not exists stats.applied_villages (
                source       text primary key,
                position     bigint not null,
                occurred_at  timestamptz not null,
                recorded_at  timestamptz not null
            );
            
-- projection statistics (schema_sql)

    create schema if not exists stats;
    create table if not exists stats.facts (
        source      text not null,
        position    bigint not null,
        seq         integer not null,
        kind        text not null,
        key         text not null,
        at          timestamptz not null,
        event_id    uuid not null,
        event_type  text not null,
        district    text,
        village     text,
        value       jsonb not null,
        primary key (source, position, seq)
    );
    create index if not exists facts_latest on stats.facts (kind, key, at desc, position desc);
    create index if not exists facts_village on stats.facts (village, kind);
    create table if not exists stats.ranked (
        run_id       text not null,
        code         text not null,
        district     text not null,
        rank         integer not null,
        average_fen  bigint not null,
        income_fen   jsonb not null,
        designated   boolean not null,
        position     bigint not null,
        primary key (run_id, code)
    );
    create index if not exists ranked_rank on stats.ranked (run_id, rank);
    create table if not exists stats.changes (
        seq          bigint generated always as identity primary key,
        source       text not null,
        position     bigint not null,
        event_type   text not null,
        kinds        text[] not null,
        district     text,
        village      text,
        occurred_at  timestamptz not null,
        recorded_at  timestamptz not null
    );
    
            create table if not exists stats.applied_statistics (
                source       text primary key,
                position     bigint not null,
                occurred_at  timestamptz not null,
                recorded_at  timestamptz not null
            );
            
-- projection publications (schema_sql)

    create schema if not exists pub;
    create table if not exists pub.notices (
        notice_id     text primary key,
        kind          text not null,
        title         text not null,
        run_id        text,
        window_from   date not null,
        window_to     date not null,
        village_codes jsonb not null,
        published_at  timestamptz not null,
        event_id      uuid not null,
        position      bigint not null
    );
    create table if not exists pub.reports (
        report_id     text primary key,
        village_code  text,
        title         text not null,
        body          text not null,
        figures       jsonb not null,
        images        jsonb not null,
        status        text not null,
        channels      jsonb not null default '[]',
        published_on  date,
        return_reason text,
        updated_at    timestamptz not null,
        position      bigint not null
    );
    create index if not exists reports_status on pub.reports (status, published_on);
    
            create table if not exists stats.applied_publications (
                source       text primary key,
                position     bigint not null,
                occurred_at  timestamptz not null,
                recorded_at  timestamptz not null
            );
            