-- What start-up ran before versioned migrations (as of commit 5186b7c), kept to compare
-- the migrations' catalogue against (test_migrations.py). Never edit: it is the old schema.
-- services/funding/adapters/schema.sql
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

-- projection milestone_releases (schema_sql)

    create table if not exists funding.verified_milestones (
        project_id    text not null,
        milestone_id  text not null,
        village_code  text not null,
        verified_on   date not null,
        event_id      uuid not null,
        primary key (project_id, milestone_id)
    );
    create table if not exists funding.known_projects (
        project_id     text primary key,
        village_code   text not null,
        task_no        integer not null,
        milestone_ids  text[] not null
    );
    -- What assessment cancelled: no new allocation names it (handlers/allocations.py).
    alter table funding.known_projects add column if not exists cancelled boolean not null default false;
    alter table funding.known_projects add column if not exists cancelled_milestones text[] not null default '{}';
    
-- projection designation_freezes (schema_sql)

    create table if not exists funding.village_designations (
        village_code       text primary key,
        designated         boolean not null,
        revocation_reason  text,
        run_id             text,
        position           bigint not null
    );
    
-- projection ledger (schema_sql)

create schema if not exists ledger;
create table if not exists ledger.lines (
    line_id           text primary key,
    source            text not null,
    fiscal_year       integer not null,
    scope             text not null,
    title             text not null,
    appropriated_fen  bigint not null,
    appropriated_on   date not null,
    position          bigint not null
);
create table if not exists ledger.allocations (
    allocation_id  text primary key,
    line_id        text not null,
    source         text not null,
    fiscal_year    integer not null,
    village_code   text not null,
    district       text not null,
    project_id     text,
    task_no        integer,
    amount_fen     bigint not null,
    status         text not null,
    allocated_on   date not null,
    cancelled_on   date,
    position       bigint not null
);
-- status: active | frozen (designation revoked, awaiting the city office) | cancelled (also: frozen remainder released)
alter table ledger.allocations add column if not exists freeze_reason text;
alter table ledger.allocations add column if not exists freeze_exception text;
create index if not exists ledger_allocations_village on ledger.allocations (village_code);
create index if not exists ledger_allocations_line on ledger.allocations (line_id);
create table if not exists ledger.tranches (
    allocation_id     text not null,
    tranche_no        integer not null,
    amount_fen        bigint not null,
    milestone_id      text,
    released_on       date,
    released_position bigint,
    primary key (allocation_id, tranche_no)
);
create table if not exists ledger.disbursements (
    disbursement_id     text primary key,
    allocation_id       text not null,
    line_id             text not null,
    source              text not null,
    village_code        text not null,
    district            text not null,
    project_id          text,
    task_no             integer,
    tranche_no          integer,
    amount_fen          bigint not null,
    status              text not null,
    requested_by        text,
    requested_on        date not null,
    requested_position  bigint not null,
    approved_by         text,
    approved_on         date,
    approved_position   bigint,
    rejected_on         date,
    reject_reason       text,
    paid_on             date,
    voucher_no          text,
    paid_position       bigint,
    reversed_on         date,
    reverse_reason      text,
    reversed_position   bigint
);
create index if not exists ledger_disbursements_village on ledger.disbursements (village_code);
create index if not exists ledger_disbursements_allocation on ledger.disbursements (allocation_id);
create index if not exists ledger_disbursements_status on ledger.disbursements (status, district);
-- kind: appropriation | allocation | payment | reversal; amounts signed (an adjustment down is negative)
create table if not exists ledger.movements (
    event_id         uuid primary key,
    position         bigint not null,
    occurred_on      date not null,
    kind             text not null,
    line_id          text not null,
    source           text not null,
    allocation_id    text,
    village_code     text,
    district         text,
    disbursement_id  text,
    amount_fen       bigint not null
);
create index if not exists ledger_movements_line on ledger.movements (line_id, position);
create index if not exists ledger_movements_allocation on ledger.movements (allocation_id, position);
create index if not exists ledger_movements_date on ledger.movements (occurred_on);
create table if not exists ledger.policies (
    policy_id        text primary key,
    name             text not null,
    description      text not null,
    designated_only  boolean not null,
    village_types    text[] not null,
    districts        text[] not null,
    registered_on    date not null
);
create table if not exists ledger.policy_villages (
    policy_id     text not null,
    village_code  text not null,
    district      text not null,
    applied_on    date not null,
    primary key (policy_id, village_code)
);
create index if not exists ledger_policy_villages_village on ledger.policy_villages (village_code);

-- projection team_reach (schema_sql)

    create schema if not exists reach;
    create table if not exists reach.team_units (
        team_id  text not null,
        unit_id  text not null,
        primary key (team_id, unit_id)
    );
    create index if not exists team_units_unit on reach.team_units (unit_id);
    create table if not exists reach.team_villages (
        team_id       text not null,
        village_code  text not null,
        primary key (team_id, village_code)
    );
    