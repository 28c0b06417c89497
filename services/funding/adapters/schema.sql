-- The funding service's balance rows: the money invariants as CHECK constraints.
--
-- Why a constraint table rather than optimistic concurrency on the streams: a request
-- appends to its own new stream (disbursement-<id>), so optimistic concurrency would
-- have to route every request through the allocation's stream and retry losers. Here
-- each command locks the rows it changes (SELECT … FOR UPDATE) in the transaction that
-- appends its events: concurrent requests on one allocation queue on that row, each
-- sees the figures the one before it left, and the CHECKs below make a breach
-- impossible even if a check in the code were wrong. Lock order, everywhere:
-- village advisory lock → project advisory lock → line → allocation → tranche → village → project row;
-- several of one kind (a reactor batch over many projects) all up front, sorted.
-- The line counts even where nothing names it: a transaction updating an allocation
-- row it already wrote re-checks the foreign key, which locks the line (FOR KEY SHARE).
-- Idempotent: applied at every start (by the API, and by the worker's reactor).
select pg_advisory_xact_lock(7100001);  -- shared.db.MIGRATION_LOCK: API and worker may start together
create schema if not exists funding;

create table if not exists funding.line_balances (
    line_id           text primary key,
    source            text not null,
    fiscal_year       integer not null,
    scope             text not null,
    appropriated_fen  bigint not null check (appropriated_fen >= 0),
    allocated_fen     bigint not null default 0 check (allocated_fen >= 0),
    paid_fen          bigint not null default 0 check (paid_fen >= 0),
    constraint line_allocated_within_appropriated check (allocated_fen <= appropriated_fen),
    constraint line_paid_within_allocated check (paid_fen <= allocated_fen)
);

create table if not exists funding.allocation_balances (
    allocation_id  text primary key,
    line_id        text not null references funding.line_balances (line_id),
    village_code   text not null,
    district       text not null,
    project_id     text,
    amount_fen     bigint not null check (amount_fen >= 0),
    released_fen   bigint not null check (released_fen >= 0),
    committed_fen  bigint not null default 0 check (committed_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    cancelled      boolean not null default false,
    constraint allocation_released_within_amount check (released_fen <= amount_fen),
    constraint allocation_spent_within_released check (committed_fen + paid_fen <= released_fen)
);
create index if not exists allocation_balances_project on funding.allocation_balances (project_id);

create table if not exists funding.tranche_balances (
    allocation_id  text not null references funding.allocation_balances (allocation_id),
    tranche_no     integer not null,
    amount_fen     bigint not null check (amount_fen >= 0),
    milestone_id   text,
    released       boolean not null,
    committed_fen  bigint not null default 0 check (committed_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    primary key (allocation_id, tranche_no),
    constraint tranche_spent_within_amount check (committed_fen + paid_fen <= amount_fen),
    constraint tranche_spent_only_when_released check (released or committed_fen + paid_fen = 0)
);

create table if not exists funding.village_balances (
    village_code   text primary key,
    district       text not null,
    allocated_fen  bigint not null default 0 check (allocated_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    constraint village_paid_within_allocated check (paid_fen <= allocated_fen)
);

create table if not exists funding.project_balances (
    project_id     text primary key,
    village_code   text not null,
    allocated_fen  bigint not null default 0 check (allocated_fen >= 0),
    paid_fen       bigint not null default 0 check (paid_fen >= 0),
    constraint project_paid_within_allocated check (paid_fen <= allocated_fen)
);
