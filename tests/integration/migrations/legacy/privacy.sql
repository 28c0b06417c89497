-- What start-up ran before versioned migrations (as of commit 5186b7c), kept to compare
-- the migrations' catalogue against (test_migrations.py). Never edit: it is the old schema.
-- Data keys of the people whose personal data this service's events carry sealed
-- (shared/privacy). A destroyed key leaves its row: data_key null, erased_at set.
-- Every statement is idempotent; run with the service's schema at each start.
create schema if not exists privacy;

create table if not exists privacy.data_keys (
    subject     text primary key,          -- the person's stream id, e.g. cadre-<cadre_id>
    data_key    bytea,                     -- AES-256 key; null once erased
    created_at  timestamptz not null default now(),
    erased_at   timestamptz,
    check ((data_key is null) = (erased_at is not null)),
    check (data_key is null or length(data_key) = 32)
);

