-- Each key's latest fact (business time, then log position), kept by the statistics projection
-- in the same transaction as the facts: figures as of now read it instead of picking the latest
-- of every key's history again (the cold cost of the open-data file). Part of the projection's
-- read model: emptied by a rebuild, never dropped.
create table stats.current (
    kind        text not null,
    key         text not null,
    at          timestamptz not null,
    position    bigint not null,
    seq         integer not null,
    source      text not null,
    event_id    uuid not null,
    event_type  text not null,
    district    text,
    village     text,
    value       jsonb not null,
    primary key (kind, key)
);
-- The latest business time applied: figures read this table only for a cut-off after it.
create index current_at on stats.current (at);

insert into stats.current (kind, key, at, position, seq, source, event_id, event_type, district, village, value)
select distinct on (kind, key) kind, key, at, position, seq, source, event_id, event_type, district, village, value
from stats.facts
order by kind, key, at desc, position desc, seq desc;

-- Running tallies of the kinds whose figures are sums of many small facts (check-ins, monthly
-- allowances): per district, village, team and month, the rows and the amount of the kept latest
-- facts (projections/tallies.py says what each kind adds). The latest day tallied guards the
-- figures that count only days up to the cut-off's.
create table stats.tallies (
    kind      text not null,
    district  text,
    village   text,
    team_id   text,
    month     text,
    rows      bigint not null,
    amount    numeric not null,
    last_day  date,
    unique nulls not distinct (kind, district, village, team_id, month)
);

insert into stats.tallies (kind, district, village, team_id, month, rows, amount, last_day)
select kind, district, village, team_id, month, count(*), sum(amount), max(last_day)
from (select 'presence' as kind, c.district, c.village, null::text as team_id, substr(c.value->>'day', 1, 7) as month,
             1::numeric as amount, (c.value->>'day')::date as last_day
      from stats.current c where c.kind = 'presence'
      union all
      select 'allowance', null, null, c.value->>'team_id', c.value->>'month', (c.value->>'amount_fen')::numeric, null
      from stats.current c where c.kind = 'allowance') t
group by kind, district, village, team_id, month;
