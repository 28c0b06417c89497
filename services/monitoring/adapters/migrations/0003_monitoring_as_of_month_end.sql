-- A month closed late is judged as it stood at the end of its last day (presence rule).

-- cadre.presence_below_requirement: who was a member of a team when, not only who is now. A
-- month is judged on the members at the end of its last day, however late that day closes
-- (a calendar catching up, a bulk close-through): a member removed or a team dissolved since
-- still owed that month, one added since did not. One row per spell of membership: `until`
-- is the day the member left (removed, or the team dissolved), null while a member.
-- Rows of members already recorded start at -infinity (their day of joining was not kept);
-- members removed before this migration were deleted: `xingcun projections rebuild` (the
-- watch's tables are emptied and refilled from the topics) restores their spells.
alter table monitoring.team_members add column since date not null default '-infinity',
                                    add column until date;
alter table monitoring.team_members alter column since drop default;
alter table monitoring.team_members drop constraint team_members_pkey;
alter table monitoring.team_members add primary key (team_id, cadre_id, since);
create index team_members_cadre on monitoring.team_members (cadre_id);

-- The same for leave: it counts in a month approved by the end of the month's last day (an
-- approval may come after the leave's days). Leave approved before this migration: -infinity.
alter table monitoring.leaves add column approved_on date not null default '-infinity';
alter table monitoring.leaves alter column approved_on drop default;
