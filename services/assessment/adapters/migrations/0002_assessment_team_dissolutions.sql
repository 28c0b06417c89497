-- 工作队撤销 / a team's dissolution (registry's TeamDissolved): the day from which the team, its
-- members and their presence no longer count in a year's facts. A team id is never formed again.
create table af.team_dissolutions (
    team_id text primary key, on_day date not null, position bigint not null);
