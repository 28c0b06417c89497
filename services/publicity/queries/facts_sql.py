"""SQL building blocks over ``stats.facts``: the latest fact per key as of a cut-off.

Every query takes ``$1`` = the cut-off (facts strictly before it count) and ``$2`` = the
cut-off's calendar day (for due dates, validity periods and days of presence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import asyncpg

from services.publicity.domain.asof import SOURCES, AsOf

# As known at given log positions (``known_at``): every read of the facts carries this mark, which
# a connection from ``as_known_at`` turns into a limit on positions. Otherwise it stays ``true``,
# which the planner drops: the usual answer costs nothing for it (a limit written into every
# query changed the planner's estimates and plans).
KNOWN = "true /* known_at */"


def known_clause(known: tuple[tuple[str, int], ...]) -> str:
    limits = " ".join(f"when '{s}' then {int(p)}" for s, p in known if s in SOURCES)
    return f"position <= case source {limits} else 9223372036854775807 end" if limits else "true"


class AsKnownAt:
    """A connection whose statements count only the facts up to the given log positions."""

    def __init__(self, conn: asyncpg.Connection, known: tuple[tuple[str, int], ...]):
        self._conn, self._clause = conn, known_clause(known)

    def _sql(self, sql: str) -> str:
        return sql.replace(KNOWN, self._clause)

    async def fetch(self, sql: str, *args, **kw):
        return await self._conn.fetch(self._sql(sql), *args, **kw)

    async def fetchrow(self, sql: str, *args, **kw):
        return await self._conn.fetchrow(self._sql(sql), *args, **kw)

    async def fetchval(self, sql: str, *args, **kw):
        return await self._conn.fetchval(self._sql(sql), *args, **kw)

    async def execute(self, sql: str, *args, **kw):
        return await self._conn.execute(self._sql(sql), *args, **kw)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def as_known_at(conn: asyncpg.Connection, known: tuple[tuple[str, int], ...] | None) -> asyncpg.Connection:
    """``conn`` itself, or, with ``known``, a connection whose answers are as known at those positions."""
    return conn if known is None else AsKnownAt(conn, known)  # type: ignore[return-value]


# An income report stands unless its review rejected it (IncomeReportReviewed restates it).
STANDS = "not coalesce((value->>'rejected')::boolean, false)"


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


_PICKED = re.compile(r"select distinct on \(key\) key, district, village, value, source, position, event_id, "
                     r"event_type, at\s+from stats\.facts where kind = '(\w+)' and at < \$1 and "
                     + re.escape(KNOWN) + r"\s+order by key, at desc, position desc")


def from_current(sql: str) -> str:
    """``sql`` with each ``latest()`` read from ``stats.current``, each key's latest fact as the
    projection keeps it. The same answer only when every fact lies before the cut-off (no fact
    dated at or after it) and no ``known_at`` limit is asked: ``kept_for``."""
    return _PICKED.sub(lambda m: f"""select key, district, village, value, source, position, event_id, event_type, at
               from stats.current where kind = '{m[1]}'""", sql)


@dataclass(frozen=True)
class Kept:
    """Which of what the statistics projection keeps hold the answer as of a cut-off (``kept_for``)."""

    latest: bool  # stats.current, each key's latest fact
    tallies: bool  # stats.tallies, the running sums over those


async def kept_for(conn: asyncpg.Connection, asof: AsOf) -> Kept:
    """``stats.current`` holds the latest fact of every key as of the cut-off when every applied
    fact lies before it (a fact dated later — ``X-Occurred-At`` in the future — is the latest of
    its key but not as of the cut-off) and the answer counts every fact known (``known_at``
    limits the positions; the kept latest may lie beyond them). The tallies hold it when, also,
    every check-in tallied is for a day up to the cut-off's (figures count days up to it)."""
    if isinstance(conn, AsKnownAt):
        return Kept(False, False)
    row = await conn.fetchrow(
        """select coalesce((select max(at) from stats.current) < $1, true) as latest,
                  coalesce((select max(last_day) from stats.tallies) <= $2, true) as tallies""",
        asof.cutoff, asof.day)
    return Kept(row["latest"], row["latest"] and row["tallies"])


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
