"""SQL building blocks over ``stats.facts``: the latest fact per key as of a cut-off.

Every query takes ``$1`` = the cut-off (facts strictly before it count) and ``$2`` = the
cut-off's calendar day (for due dates, validity periods and days of presence).
"""

from __future__ import annotations

import asyncpg

from services.publicity.domain.asof import SOURCES

_ALL = 9223372036854775807
# As known at given log positions (``known_at``): ``know_only`` sets these for the transaction;
# unset, every applied fact counts. Uncorrelated subqueries: evaluated once per statement.
KNOWN = "position <= case source " + " ".join(
    f"when '{s}' then (select coalesce(nullif(current_setting('xingcun.known_{s}', true), '')::bigint, {_ALL}))"
    for s in SOURCES) + " end"


async def know_only(conn: asyncpg.Connection, known: tuple[tuple[str, int], ...] | None) -> None:
    """Within the current transaction, count only facts up to these log positions."""
    if known is None:
        return
    positions = dict(known)
    await conn.execute(
        "select " + ", ".join(f"set_config('xingcun.known_{s}', ${i + 1}, true)" for i, s in enumerate(SOURCES)),
        *(str(positions[s]) if s in positions else "" for s in SOURCES),
    )


def latest(kind: str, where: str = "") -> str:
    """For each key of ``kind``, its latest fact before the cut-off (ties: the later log position),
    kept only if ``where`` holds of that latest fact.

    The latest is picked first and filtered after: a later "no" (a designation revoked, a team
    unassigned, eligibility withdrawn, a payment reversed) overrides an earlier "yes". Filtering
    first would let the earlier "yes" through as if the "no" had never happened.
    """
    picked = f"""select distinct on (key) key, district, village, value, source, position, event_id, event_type, at
               from stats.facts where kind = '{kind}' and at < $1 and {KNOWN}
               order by key, at desc, position desc"""
    return f"(select * from ({picked}) latest where {where})" if where else f"({picked})"


def history(kind: str, where: str) -> str:
    """Every fact of ``kind`` before the cut-off for which ``where`` holds, not only each key's latest:
    for flows that happened (a payment, then its reversal), never for a state a later fact replaces."""
    return f"""(select key, district, village, value, source, position, event_id, event_type, at
               from stats.facts where kind = '{kind}' and at < $1 and {KNOWN} and ({where}))"""


def current(kind: str, key: str) -> str:
    """The value of ``kind``'s newest fact for the key ``key`` (an SQL expression), with no cut-off."""
    return f"""(select f.value from stats.facts f where f.kind = '{kind}' and f.key = {key} and {KNOWN}
               order by f.at desc, f.position desc limit 1)"""


def ref(alias: str) -> str:
    """One event a figure was computed from: [source, position, event_id, type, occurred_at]."""
    return f"jsonb_build_array({alias}.source, {alias}.position, {alias}.event_id, {alias}.event_type, {alias}.at)"


def refs(*aliases: str) -> str:
    """The events of the joined facts that exist (an outer join may leave some out)."""
    parts = [f"case when {a}.key is null then '[]'::jsonb else jsonb_build_array({ref(a)}) end" for a in aliases]
    return " || ".join(parts)


DESIGNATED = latest("designation", "(value->>'designated')::boolean")
ACTIVE_ASSIGNMENTS = latest("assignment", "(value->>'active')::boolean")

# A team's district: as formed, or else where its (first) village is.
TEAM_DISTRICT = f"""(select t.key as team_id, coalesce(t.district, min(a.district)) as district
    from {latest("team")} t left join {ACTIVE_ASSIGNMENTS} a on a.value->>'team_id' = t.key
    group by t.key, t.district)"""
