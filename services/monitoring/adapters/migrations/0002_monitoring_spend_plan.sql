-- district.spend_behind_plan: the district's plan and spending. Each allocation as it counts
-- now (adjusted; cancelled or released after a freeze: what it kept), and what was paid on it,
-- each with its business day, so a quarter is judged on what had happened by its end.
create table monitoring.allocations (
    allocation_id  text primary key,
    district       text not null,
    fiscal_year    integer not null,
    amount_fen     bigint not null,
    made_on        date not null
);
create index allocations_district on monitoring.allocations (district, fiscal_year);

create table monitoring.payments (
    disbursement_id  text primary key,
    allocation_id    text not null,
    amount_fen       bigint not null,
    paid_on          date not null,
    event_id         uuid not null,
    position         bigint not null
);
create index payments_allocation on monitoring.payments (allocation_id);
