"""Reading the facts of a year as of a day, under a cut-off, into ``scoring.YearFacts``.

Every query keeps to ``position <= cutoff[source]`` (see ``projections.facts``) and to
business days on or before the assessment date, so the same cut-off and date always
read the same rows, whatever arrived later.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import asyncpg

from shared.eventstore.errors import DomainError

from services.assessment.domain.scoring import TeamYear, VillageYear, YearFacts

SOURCES = ("assessment", "registry", "funding")


class FactsBehind(DomainError):
    """The facts have not yet reached a cut-off (a rebuild or a restore under way, a worker
    lagging): rows at or below it may still be missing, so reading now would see part of it."""

    status_code = 503

    def __init__(self, message: str, **kw: object):
        super().__init__(message, retry_after=5, **kw)


async def watermarks(conn: asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch("select source, upto from af.watermarks")
    found = {r["source"]: r["upto"] for r in rows}
    return {s: found.get(s, 0) for s in SOURCES}


def lagging(current: dict[str, int], target: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The sources whose watermark is below the target: source → (reached, needed)."""
    return {s: (current.get(s, 0), need) for s, need in sorted(target.items()) if current.get(s, 0) < need}


async def wait_until(conn: asyncpg.Connection, target: dict[str, int], seconds: float) -> bool:
    """Wait (at most ``seconds``) until every source's watermark reaches ``target``."""
    deadline = time.monotonic() + seconds
    while lagging(await watermarks(conn), target):
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def ensure_caught_up(conn: asyncpg.Connection, cutoff: dict[str, int]) -> None:
    """Refuse to read under ``cutoff`` before every source's facts have reached it."""
    refuse_behind(await watermarks(conn), cutoff)


def refuse_behind(current: dict[str, int], cutoff: dict[str, int]) -> None:
    behind = lagging(current, cutoff)
    if behind:
        shown = ", ".join(f"{s} {have} < {need}" for s, (have, need) in behind.items())
        raise FactsBehind(f"考核事实尚未追上该次计算的截止点（{shown}），请稍后重试 / the facts have not yet caught up "
                          f"with the computation's cut-off ({shown}); retry shortly", field="as_of",
                          behind={s: need - have for s, (have, need) in behind.items()})


def _served(rows: list[asyncpg.Record], start: date, end: date) -> bool:
    """Was the team assigned to the village at any time in [start, end]? Rows in business-day
    order (a back-dated assignment or unassignment takes its place by its day, not its position)."""
    before = [r for r in rows if r["on_day"] < start]
    if before and before[-1]["assigned"]:
        return True
    return any(r["assigned"] and start <= r["on_day"] <= end for r in rows)


async def load_year(conn: asyncpg.Connection, year: int, as_of: date, cutoff: dict[str, int]) -> YearFacts:
    a, r, f = (cutoff.get(s, 0) for s in SOURCES)
    start, end = date(year, 1, 1), min(as_of, date(year, 12, 31))

    districts = {row["village_code"]: row["district"] for row in await conn.fetch(
        "select distinct village_code, district from af.baselines where position <= $1", r)}

    designated: dict[str, bool] = {}
    for row in await conn.fetch(
            """select village_code, district, designated from af.designations
               where position <= $1 and on_day <= $2 order by position""", r, as_of):
        designated[row["village_code"]] = row["designated"]
        districts.setdefault(row["village_code"], row["district"])

    teams_rows = await conn.fetch(
        "select team_id, lead_unit_id, district, formed_on from af.teams where position <= $1 and formed_on <= $2",
        r, end)
    # A dissolved team's year ends the day before its dissolution (known by the day).
    last_day = {team: end for team in (t["team_id"] for t in teams_rows)}
    for row in await conn.fetch("select team_id, on_day from af.team_dissolutions where position <= $1 and on_day <= $2",
                                r, as_of):
        if row["team_id"] in last_day:
            last_day[row["team_id"]] = min(end, row["on_day"] - timedelta(days=1))
    # Members as the team's year ended (or as of the day, if earlier): who joined afterwards owes
    # no presence this year.
    members: dict[str, dict[str, bool]] = defaultdict(dict)
    for row in await conn.fetch(
            """select team_id, cadre_id, member, on_day from af.team_members
               where position <= $1 and on_day <= $2 order by on_day, position""", r, end):
        if row["on_day"] <= last_day.get(row["team_id"], end):
            members[row["team_id"]][row["cadre_id"]] = row["member"]
    assignment_rows: dict[tuple[str, str], list] = defaultdict(list)
    for row in await conn.fetch(
            """select team_id, village_code, district, assigned, on_day from af.assignments
               where position <= $1 and on_day <= $2 order by on_day, position""", r, end):
        assignment_rows[(row["team_id"], row["village_code"])].append(row)
        districts.setdefault(row["village_code"], row["district"])
    # A day in the village counts for the team only while the cadre was its member that day: a
    # removal or the team's dissolution ends it, whatever order the log brought them in.
    presence = {row["team_id"]: row["days"] for row in await conn.fetch(
        """select p.team_id, count(distinct (p.cadre_id, p.day)) as days from af.presence p
           where p.position <= $1 and p.day between $2 and $3
             and coalesce((select m.member from af.team_members m
                           where m.team_id = p.team_id and m.cadre_id = p.cadre_id and m.position <= $1
                             and m.on_day <= p.day
                           order by m.on_day desc, m.position desc limit 1), false)
           group by p.team_id""", r, start, end)}

    finding_rows = await conn.fetch(
        """select fi.target_kind, fi.target_id, fi.deadline,
                  (select min(s.on_day) from af.finding_steps s
                   where s.inspection_id = fi.inspection_id and s.finding_id = fi.finding_id
                     and s.step = 'accepted' and s.position <= $1 and s.on_day <= $4) as accepted_on
           from af.findings fi
           where fi.position <= $1 and fi.deadline between $2 and $3 and fi.inspected_on <= $4
           order by fi.inspection_id, fi.finding_id""", a, start, end, as_of)
    findings: dict[tuple[str, str], list] = defaultdict(list)
    for row in finding_rows:
        findings[(row["target_kind"], row["target_id"])].append((row["deadline"], row["accepted_on"]))

    teams: dict[str, TeamYear] = {}
    for t in teams_rows:
        until = last_day[t["team_id"]]
        if until < start:
            continue  # dissolved before the year began
        villages = tuple(sorted(v for (team, v), rows in assignment_rows.items()
                                if team == t["team_id"] and _served(rows, start, until)))
        district = t["district"] or next((districts.get(v) for v in villages if districts.get(v)), None)
        active_from = max(t["formed_on"], start)
        teams[t["team_id"]] = TeamYear(
            team_id=t["team_id"], lead_unit_id=t["lead_unit_id"], district=district, villages=villages,
            members=sum(1 for m in members[t["team_id"]].values() if m),
            active_days=max((until - active_from).days + 1, 0), presence_days=presence.get(t["team_id"], 0),
            findings=tuple(findings.get(("team", t["team_id"]), ())),
        )

    by_district: dict[str, list[str]] = defaultdict(list)
    for code, flag in sorted(designated.items()):
        if flag:
            by_district[districts[code]].append(code)
    scope = sorted({c for t in teams.values() for c in t.villages} | {c for cs in by_district.values() for c in cs})

    incomes = await _incomes(conn, a, year, as_of, scope)
    milestones = await _milestones(conn, a, start, end, as_of, scope)
    allocated, paid = await _money(conn, f, year, as_of, end, scope)
    eligible, covered = await _coverage(conn, a, as_of, scope)
    city = await conn.fetchval(
        """select growth_pct from af.city_incomes where position <= $1 and year = $2 and on_day <= $3
           order by position desc limit 1""", a, year, as_of)

    villages = {
        code: VillageYear(
            code=code, district=districts.get(code, code[:6]),
            collective_fen=incomes.get(("collective", year, code)),
            farmer_fen=incomes.get(("farmer", year, code)), farmer_prev_fen=incomes.get(("farmer", year - 1, code)),
            milestones=tuple(milestones.get(code, ())), allocated_fen=allocated.get(code, 0), paid_fen=paid.get(code, 0),
            eligible=eligible.get(code, 0), covered=covered.get(code, 0),
            findings=tuple(findings.get(("village", code), ())),
        )
        for code in scope
    }
    return YearFacts(year=year, as_of=as_of, city_growth_pct=Decimal(city) if city is not None else None,
                     villages=villages, teams=teams,
                     designated={d: tuple(cs) for d, cs in sorted(by_district.items())})


async def _incomes(conn, a: int, year: int, as_of: date, scope: list[str]) -> dict[tuple[str, int, str], int]:
    rows = await conn.fetch(
        """select distinct on (measure, year, village_code) measure, year, village_code, fen, rejected
           from af.incomes
           where position <= $1 and year in ($2, $2 - 1) and on_day <= $3 and village_code = any($4::text[])
           order by measure, year, village_code, position desc""", a, year, as_of, scope)
    # A rejected report (the latest row says so) counts as no report.
    return {(row["measure"], row["year"], row["village_code"]): row["fen"] for row in rows if not row["rejected"]}


async def _milestones(conn, a: int, start: date, end: date, as_of: date, scope: list[str]) -> dict[str, list]:
    """Milestones due in the period (as re-planned by the day), of projects planned (by business
    day) on or before the day, less those cancelled by then."""
    rows = await conn.fetch(
        """select * from (
               select m.project_id, m.milestone_id, m.village_code,
                  coalesce((select c.due_on from af.milestone_changes c
                            where c.project_id = m.project_id and c.milestone_id = m.milestone_id
                              and c.change = 'replanned' and c.position <= $1 and c.on_day <= $4
                            order by c.position desc limit 1), m.due_on) as due_on,
                  (select min(s.on_day) from af.milestone_steps s
                   where s.project_id = m.project_id and s.milestone_id = m.milestone_id and s.step = 'verified'
                     and s.position <= $1 and s.on_day <= $4) as verified_on
               from af.milestones m join af.projects p using (project_id)
               where m.position <= $1 and p.on_day <= $4 and m.village_code = any($5::text[])
                 -- a milestone cancelled (alone or with its project) by the day is no longer expected
                 and not exists (select 1 from af.milestone_changes c
                                 where c.project_id = m.project_id and c.milestone_id = m.milestone_id
                                   and c.change = 'cancelled' and c.position <= $1 and c.on_day <= $4)) x
           where due_on between $2 and $3
           order by project_id, milestone_id""", a, start, end, as_of, scope)
    out: dict[str, list] = defaultdict(list)
    for row in rows:
        out[row["village_code"]].append((row["due_on"], row["verified_on"]))
    return out


async def _money(conn, f: int, year: int, as_of: date, end_of_year: date, scope: list[str]):
    """Allocations of the fiscal year (their amount as of the day) and what was paid on them
    within the year (net of reversals)."""
    amounts: dict[str, int] = {}
    villages: dict[str, str] = {}
    for row in await conn.fetch(
            """select al.allocation_id, al.village_code, am.kind, am.amount_fen
               from af.allocations al join af.allocation_amounts am using (allocation_id)
               where al.position <= $1 and am.position <= $1 and al.fiscal_year = $2 and am.on_day <= $3
                 and al.village_code = any($4::text[])
               order by am.position""", f, year, as_of, scope):
        villages[row["allocation_id"]] = row["village_code"]
        if row["kind"] == "set":
            amounts[row["allocation_id"]] = row["amount_fen"]
        else:
            amounts[row["allocation_id"]] = amounts.get(row["allocation_id"], 0) - row["amount_fen"]
    allocated: dict[str, int] = defaultdict(int)
    for allocation_id, amount in amounts.items():
        allocated[villages[allocation_id]] += amount
    paid: dict[str, int] = defaultdict(int)
    for row in await conn.fetch(
            """select allocation_id, sum(amount_fen) as fen from af.payments
               where position <= $1 and on_day <= $2 and allocation_id = any($3::text[]) group by allocation_id""",
            f, min(as_of, end_of_year), list(amounts)):
        paid[villages[row["allocation_id"]]] += int(row["fen"])
    return allocated, paid


async def _coverage(conn, a: int, as_of: date, scope: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    state: dict[tuple[str, str], list] = {}
    village: dict[tuple[str, str], str] = {}
    for row in await conn.fetch(
            """select person_id, village_code, cover, step from af.cover_steps
               where position <= $1 and on_day <= $2 and village_code = any($3::text[]) order by position""",
            a, as_of, scope):
        key = (row["person_id"], row["cover"])
        village[key] = row["village_code"]
        flags = state.setdefault(key, [False, False])
        if row["step"] in ("eligible", "ineligible"):
            flags[0] = row["step"] == "eligible"
        else:
            flags[1] = row["step"] == "covered"
    eligible: dict[str, int] = defaultdict(int)
    covered: dict[str, int] = defaultdict(int)
    for key, (is_eligible, is_covered) in state.items():
        if is_eligible:
            eligible[village[key]] += 1
            covered[village[key]] += is_covered
    return eligible, covered


class PgYearFacts:
    """The facts over one command's connection, as a handler reaches them:
    ``uow.adapter(PgYearFacts)`` (``adapters/memory.py`` has its in-memory twin)."""

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def watermarks(self) -> dict[str, int]:
        return await watermarks(self.conn)

    async def ensure_caught_up(self, cutoff: dict[str, int]) -> None:
        await ensure_caught_up(self.conn, cutoff)

    async def load_year(self, year: int, as_of: date, cutoff: dict[str, int]) -> YearFacts:
        return await load_year(self.conn, year, as_of, cutoff)
