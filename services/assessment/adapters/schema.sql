-- The assessment service's own tables besides its event store and read models.
create schema if not exists assessment;

-- Evidence files of milestone reports, content-addressed: the event carries the SHA-256,
-- this table the bytes it was computed from (written in the command's transaction).
create table if not exists assessment.evidence (
    sha256       text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
    filename     text not null,
    media_type   text not null,
    size_bytes   integer not null,
    content      bytea not null,
    stored_at    timestamptz not null default clock_timestamp()
);

-- Where each hash was reported is projected from the events (af.evidence_uses), so a rebuild
-- recreates it; the table the command used to write is gone.
drop table if exists assessment.evidence_uses;
