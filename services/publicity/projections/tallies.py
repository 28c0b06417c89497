"""Running tallies (``stats.tallies``) of the kinds whose figures as of now sum many small facts:
check-ins (days of presence) and monthly allowances — at Tianjin's size a hundred thousand and
fifty thousand facts, most of the open-data file's cold time when summed from the facts.

A tally moves with ``stats.current``, each key's kept latest fact: a fact that becomes its key's
latest adds itself and takes away the one it replaces (an allowance computed again, a check-in
restated), so the tally is always the sum over the kept latest facts. It is written in the same
statement (or transaction) as the facts and before the kept latest moves: it reads the kept
latest as it was.
"""

from __future__ import annotations

# Per kind, what a fact (alias f) adds: district, village, team, month, amount, last day. The
# metrics that read a tally (queries/metrics.py, ``tallied``) group it as these columns say.
TALLIED: dict[str, tuple[str, str, str, str, str, str]] = {
    "presence": ("f.district", "f.village", "null::text", "substr(f.value->>'day', 1, 7)", "1::numeric",
                 "(f.value->>'day')::date"),
    "allowance": ("null::text", "null::text", "f.value->>'team_id'", "f.value->>'month'",
                  "(f.value->>'amount_fen')::numeric", "null::date"),
}


def _moves(relation: str, sign: int) -> str:
    return " union all ".join(
        f"""select '{kind}' as kind, {district} as district, {village} as village, {team} as team_id,
                   {month} as month, {sign} as n, {sign} * {amount} as amount, {last} as last_day
            from {relation} f where f.kind = '{kind}'"""
        for kind, (district, village, team, month, amount, last) in TALLIED.items())


def tally_sql(rows: str) -> str:
    """Moves the tallies by the facts ``rows`` (a relation with the facts' columns), against the
    kept latest as it stands before them (``projections/statistics.py: current_sql`` runs after,
    or in the same statement, which sees the table as it was)."""
    kinds = ", ".join(f"'{k}'" for k in TALLIED)
    return f"""with batch as (
        select distinct on (kind, key) * from {rows} where kind in ({kinds})
        order by kind, key, at desc, position desc, seq desc),
    newer as (
        select b.* from batch b left join stats.current c on c.kind = b.kind and c.key = b.key
        where c.key is null or (b.at, b.position, b.seq) > (c.at, c.position, c.seq)),
    replaced as (
        select c.* from newer b join stats.current c on c.kind = b.kind and c.key = b.key),
    moves as ({_moves("newer", 1)} union all {_moves("replaced", -1)})
    insert into stats.tallies (kind, district, village, team_id, month, rows, amount, last_day)
    select kind, district, village, team_id, month, sum(n), sum(amount), max(last_day) from moves
    group by kind, district, village, team_id, month
    on conflict (kind, district, village, team_id, month) do update
        set rows = stats.tallies.rows + excluded.rows, amount = stats.tallies.amount + excluded.amount,
            last_day = greatest(stats.tallies.last_day, excluded.last_day)"""
