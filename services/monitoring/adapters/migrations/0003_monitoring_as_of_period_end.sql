-- A month or quarter closed late is judged as it stood at the end of its last day.

-- cadre.presence_below_requirement: who was a member of a team when, not only who is now. A
-- month is judged on the members at the end of its last day, however late that day closes
-- (a calendar catching up, a bulk close-through): a member removed or a team dissolved since
-- still owed that month, one added since did not. One row per spell of membership: `until`
-- is the day the member left (removed, or the team dissolved), null while a member.
-- Rows of members already recorded start at -infinity (their day of joining was not kept),
-- and so do those the release before inserts (it names no day: the default stays, expand
-- then contract); members removed before this migration were deleted: `xingcun projections
-- rebuild` (the watch's tables are emptied and refilled from the topics) restores their spells.
alter table monitoring.team_members add column since date not null default '-infinity',
                                    add column until date;
alter table monitoring.team_members drop constraint team_members_pkey;
alter table monitoring.team_members add primary key (team_id, cadre_id, since);
create index team_members_cadre on monitoring.team_members (cadre_id);

-- The same for leave: it counts in a month approved by the end of the month's last day (an
-- approval may come after the leave's days). Leave approved before this migration, or by the
-- release before: -infinity.
alter table monitoring.leaves add column approved_on date not null default '-infinity';

-- district.spend_behind_plan likewise: a quarter closed late is judged on the plan and the
-- payments as they stood at its last day. Each allocation's amount from the day it counted
-- (made, adjusted, cancelled, its frozen remainder released), and a reversed payment kept
-- with the day it was reversed (it counted until then). Amounts recorded before this
-- migration count from the allocation's day (an allocation without a row here, made by the
-- release before, counts at its amount in monitoring.allocations); payments reversed before
-- it were deleted.
create table monitoring.allocation_amounts (
    allocation_id  text not null,
    from_day       date not null,
    amount_fen     bigint not null,
    event_id       uuid,
    position       bigint not null,
    primary key (allocation_id, position)
);
insert into monitoring.allocation_amounts select allocation_id, made_on, amount_fen, null, 0 from monitoring.allocations;
alter table monitoring.payments add column reversed_on date,
                                add column reversed_by uuid,
                                add column reversed_position bigint;
