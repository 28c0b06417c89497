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
