"""The conditions the worker watches (``monitoring.conditions``) and the facts it needs to
judge them (designated villages, which team serves which village, closed days).

A condition row is one episode of (rule, subject): opened by an event, cleared by another,
and raised as an alert at most once. Cleared rows are kept (with the day they cleared), so a
day's close judges "did it hold at the end of that day" whatever order the topics arrive in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class Where:
    district: str | None
    village_code: str | None = None
    team_id: str | None = None


async def open_condition(conn: asyncpg.Connection, rule_id: str, kind: str, subject_id: str, opened_by: UUID,
                         since: date, opened_on: date, where: Where, figures: dict, position: int) -> bool:
    """A new episode unless one is open already (one alert per condition, not per event)."""
    status = await conn.execute(
        """insert into monitoring.conditions (rule_id, subject_kind, subject_id, opened_by, since, opened_on,
                                              district, village_code, team_id, figures, position)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11) on conflict do nothing""",
        rule_id, kind, subject_id, opened_by, since, opened_on, where.district, where.village_code, where.team_id,
        figures, position)
    return status.endswith(" 1")


async def clear_conditions(conn: asyncpg.Connection, rule_ids: list[str], kind: str, subject_id: str, on: date,
                           cause: UUID, later_too: bool = False) -> list[asyncpg.Record]:
    """Clear the open episode(s), and end on ``on`` an episode that held that day but was
    cleared later: the facts that clear one come on streams, so partitions, of their own, and
    the later fact may have been read first. ``later_too``: the fact also means that no
    episode begun after ``on`` ever held (money asked for: never idle again). The rows that
    had raised an alert come back to be resolved."""
    return await conn.fetch(
        """update monitoring.conditions set cleared_on = $4, cleared_by = $5, settled = true
           where rule_id = any($1::text[]) and subject_kind = $2 and subject_id = $3
             and (cleared_on is null or (cleared_on > $4 and ($6 or since <= $4)))
           returning rule_id, alert_id""",
        rule_ids, kind, subject_id, on, cause, later_too)


async def episodes(conn: asyncpg.Connection, rule_id: str, kind: str, subject_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("""select * from monitoring.conditions where rule_id = $1 and subject_kind = $2
                                 and subject_id = $3 order by since, position""", rule_id, kind, subject_id)


async def add_episode(conn: asyncpg.Connection, rule_id: str, kind: str, subject_id: str, opened_by: UUID,
                      since: date, where: Where, figures: dict, position: int, cleared_on: date | None,
                      cleared_by: UUID | None) -> None:
    """An episode the facts show, from ``since`` (it held from then, whenever it was read),
    to ``cleared_on`` (None: it holds on)."""
    await conn.execute(
        """insert into monitoring.conditions (rule_id, subject_kind, subject_id, opened_by, since, opened_on,
                                              district, village_code, team_id, figures, position, cleared_on,
                                              cleared_by, settled)
           values ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $11::date is not null)""",
        rule_id, kind, subject_id, opened_by, since, where.district, where.village_code, where.team_id, figures,
        position, cleared_on, cleared_by)


async def set_episode_end(conn: asyncpg.Connection, row: asyncpg.Record, cleared_on: date | None,
                          cleared_by: UUID | None) -> None:
    """The episode ends on ``cleared_on`` (its own start: it never held), or holds on (None)."""
    await conn.execute(
        """update monitoring.conditions set cleared_on = $5, cleared_by = $6,
                                            settled = settled or $5::date is not null
           where rule_id = $1 and subject_kind = $2 and subject_id = $3 and opened_by = $4""",
        row["rule_id"], row["subject_kind"], row["subject_id"], row["opened_by"], cleared_on, cleared_by)


async def held_at(conn: asyncpg.Connection, rule_ids: list[str], day: date) -> list[asyncpg.Record]:
    """Episodes not raised yet that still held at the end of ``day``."""
    return await conn.fetch(
        """select * from (
               select * from monitoring.conditions where alert_id is null and cleared_on is null and since <= $2
               union all
               select * from monitoring.conditions where alert_id is null and cleared_on > $2 and since <= $2
           ) c where opened_on <= $2 and rule_id = any($1::text[])
           order by since, rule_id, subject_kind, subject_id""",
        rule_ids, day)


async def unraised(conn: asyncpg.Connection, rule_id: str, kind: str, subject_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """select * from monitoring.conditions where rule_id = $1 and subject_kind = $2 and subject_id = $3
             and cleared_on is null and alert_id is null""", rule_id, kind, subject_id)


async def mark_raised(conn: asyncpg.Connection, row: asyncpg.Record, alert_id: str, on: date) -> None:
    """Raised on ``on``: the first close after it looks at its escalation."""
    await conn.execute(
        """update monitoring.conditions set alert_id = $5, raised_on = $6, settled = cleared_on is not null,
                                            escalates_on = $6::date + 1
           where rule_id = $1 and subject_kind = $2 and subject_id = $3 and opened_by = $4""",
        row["rule_id"], row["subject_kind"], row["subject_id"], row["opened_by"], alert_id, on)


# Each of ``escalations_due``'s rows: its key, its alert, and the business days closed since it
# was raised, to ``day`` (the days close one after another: the count grows by one a day).
_UNSETTLED = """select c.rule_id, c.subject_kind, c.subject_id, c.opened_by, c.alert_id,
                       (select count(*) from monitoring.days d where d.day > c.raised_on and d.day <= $1) as open_days
                from monitoring.conditions c
                where c.alert_id is not null and not c.settled and c.raised_on < $1"""


async def escalations_due(conn: asyncpg.Connection, day: date, rule_ids: list[str]) -> list[asyncpg.Record]:
    """Raised before ``day``, not yet known to be acknowledged nor resolved, and to be looked
    at on it: due (``escalates_on``), not looked at yet (null), or of a rule in ``rule_ids``
    (a version taking effect on ``day``)."""
    rows = await conn.fetch(f"{_UNSETTLED} and c.escalates_on <= $1 union all {_UNSETTLED} and c.escalates_on is null",
                            day)
    if rule_ids:
        rows += await conn.fetch(f"{_UNSETTLED} and c.escalates_on > $1 and c.rule_id = any($2::text[])",
                                 day, rule_ids)
    return sorted(rows, key=lambda r: r["alert_id"])


async def set_escalations(conn: asyncpg.Connection, rows: list[asyncpg.Record], escalates_on: list[date],
                          settled: list[bool]) -> None:
    """Each row's next escalation day (``date.max``: none under its rule's version), and
    whether it is settled (acknowledged or resolved: never looked at again)."""
    if rows:
        await conn.execute(
            """update monitoring.conditions c set escalates_on = u.escalates_on, settled = c.settled or u.settled
               from unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::date[], $6::boolean[])
                    as u(rule_id, subject_kind, subject_id, opened_by, escalates_on, settled)
               where c.rule_id = u.rule_id and c.subject_kind = u.subject_kind and c.subject_id = u.subject_id
                 and c.opened_by = u.opened_by""",
            [r["rule_id"] for r in rows], [r["subject_kind"] for r in rows], [r["subject_id"] for r in rows],
            [r["opened_by"] for r in rows], escalates_on, settled)


async def close_day(conn: asyncpg.Connection, day: date) -> None:
    await conn.execute("insert into monitoring.days values ($1) on conflict do nothing", day)


# -- villages and teams ------------------------------------------------------------------

async def set_village(conn: asyncpg.Connection, code: str, district: str) -> None:
    # Whether it is designated is kept as spells (spells.begin_designation), not here.
    await conn.execute(
        """insert into monitoring.villages (code, district) values ($1, $2)
           on conflict (code) do update set district = excluded.district""", code, district)


async def serve(conn: asyncpg.Connection, team_id: str, code: str, serving: bool) -> None:
    if serving:
        await conn.execute("insert into monitoring.team_villages values ($1, $2) on conflict do nothing", team_id, code)
    else:
        await conn.execute("delete from monitoring.team_villages where team_id = $1 and village_code = $2",
                           team_id, code)


async def add_units(conn: asyncpg.Connection, team_id: str, units: list[str]) -> None:
    await conn.executemany("insert into monitoring.team_units values ($1, $2) on conflict do nothing",
                           [(team_id, u) for u in units])


async def latest(conn: asyncpg.Connection, rule_id: str, kind: str, subject_id: str) -> asyncpg.Record | None:
    """The subject's last episode of the rule, open or not."""
    return await conn.fetchrow(
        """select * from monitoring.conditions where rule_id = $1 and subject_kind = $2 and subject_id = $3
           order by position desc limit 1""", rule_id, kind, subject_id)


async def latest_open(conn: asyncpg.Connection, rule_id: str, kind: str, subject_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """select * from monitoring.conditions where rule_id = $1 and subject_kind = $2 and subject_id = $3
             and cleared_on is null""", rule_id, kind, subject_id)


async def first_request(conn: asyncpg.Connection, allocation_id: str) -> asyncpg.Record | None:
    """The earliest request on the allocation recorded so far (its day and event), from the
    awaiting-approval episodes, which name the allocation."""
    return await conn.fetchrow(
        """select since, opened_by from monitoring.conditions where rule_id = 'disbursement.awaiting_approval'
             and figures->>'allocation_id' = $1 order by since, position limit 1""", allocation_id)


async def set_eligible(conn: asyncpg.Connection, person_id: str, cover: str, eligible: bool) -> None:
    await conn.execute("""insert into monitoring.eligibility values ($1, $2, $3)
                          on conflict (person_id, cover) do update set eligible = excluded.eligible""",
                       person_id, cover, eligible)


async def eligible(conn: asyncpg.Connection, person_id: str, cover: str) -> bool:
    return bool(await conn.fetchval("select eligible from monitoring.eligibility where person_id = $1 and cover = $2",
                                    person_id, cover))


async def set_income(conn: asyncpg.Connection, code: str, year: int, income_fen: int | None) -> None:
    """The year's collective income as it counts now; None: no figure counts (a rejected report)."""
    if income_fen is None:
        await conn.execute("delete from monitoring.incomes where village_code = $1 and year = $2", code, year)
        return
    await conn.execute("""insert into monitoring.incomes values ($1, $2, $3)
                          on conflict (village_code, year) do update set income_fen = excluded.income_fen""",
                       code, year, income_fen)


async def income(conn: asyncpg.Connection, code: str, year: int) -> int | None:
    return await conn.fetchval("select income_fen from monitoring.incomes where village_code = $1 and year = $2",
                               code, year)


# -- cadres' presence ----------------------------------------------------------------------

async def set_team(conn: asyncpg.Connection, team_id: str, district: str | None, entered_on: date | None = None) -> None:
    await conn.execute(
        """insert into monitoring.teams values ($1, $2, $3) on conflict (team_id) do update
           set district = coalesce(excluded.district, monitoring.teams.district),
               entered_on = least(monitoring.teams.entered_on, excluded.entered_on)""",
        team_id, district, entered_on)  # least() passes over a null: the first entry stays


async def set_members(conn: asyncpg.Connection, team_id: str, added: list[str], removed: list[str], on: date) -> None:
    """Members joining or leaving the team on ``on``: a spell begins or ends (never deleted, so a
    month closed later is judged on who was a member then)."""
    if removed:
        await conn.execute("""update monitoring.team_members set until = $3
                              where team_id = $1 and cadre_id = any($2::text[]) and until is null""",
                           team_id, removed, on)
    await conn.executemany(
        """insert into monitoring.team_members (team_id, cadre_id, since)
           select $1, $2, $3 where not exists (select 1 from monitoring.team_members
                                               where team_id = $1 and cadre_id = $2 and until is null)
           on conflict do nothing""", [(team_id, c, on) for c in added])


async def log_presence(conn: asyncpg.Connection, cadre_id: str, day: date) -> None:
    await log_presence_many(conn, [(cadre_id, day)])


async def log_presence_many(conn: asyncpg.Connection, days: list[tuple[str, date]]) -> None:
    """(cadre, day) pairs."""
    await conn.executemany("insert into monitoring.presence values ($1, $2) on conflict do nothing", days)


async def set_leave(conn: asyncpg.Connection, leave_id: str, cadre_id: str, first: date | None, last: date | None,
                    approved_on: date | None = None) -> None:
    """Approved on ``approved_on``; None: cancelled (only ever before its first day, so it
    counted in no month: the row goes)."""
    if first is None or last is None:
        await conn.execute("delete from monitoring.leaves where leave_id = $1", leave_id)
    else:
        await conn.execute("""insert into monitoring.leaves (leave_id, cadre_id, first, last, approved_on)
                              values ($1, $2, $3, $4, $5) on conflict (leave_id)
                              do update set first = excluded.first, last = excluded.last""",
                           leave_id, cadre_id, first, last, approved_on)


MONTH_SQL = """
select m.cadre_id, m.team_id, t.district,
       (select count(*) from monitoring.presence p where p.cadre_id = m.cadre_id and p.day between $1 and $2) as present,
       (select coalesce(sum(least(l.last, $2) - greatest(l.first, $1) + 1), 0) from monitoring.leaves l
         where l.cadre_id = m.cadre_id and l.first <= $2 and l.last >= $1 and l.approved_on <= $2) as leave_days
from (select distinct team_id, cadre_id from monitoring.team_members
      where since <= $2 and (until is null or until > $2)) m
join monitoring.teams t using (team_id)
where t.entered_on is not null and t.entered_on < $1 and ($3::text is null or m.cadre_id = $3)
order by m.cadre_id, m.team_id
"""


async def month_presence(conn: asyncpg.Connection, first: date, last: date,
                         cadre_id: str | None = None) -> list[asyncpg.Record]:
    """Each member, at the end of the month's last day, of a team that had entered before the
    month: days present and days on leave in it (approved by then)."""
    return await conn.fetch(MONTH_SQL, first, last, cadre_id)


async def last_closed_before(conn: asyncpg.Connection, day: date) -> date | None:
    return await conn.fetchval("select max(day) from monitoring.days where day < $1", day)


async def is_closed(conn: asyncpg.Connection, day: date) -> bool:
    return await any_closed(conn, [day])


async def any_closed(conn: asyncpg.Connection, days: list[date]) -> bool:
    return bool(await conn.fetchval("select exists (select 1 from monitoring.days where day = any($1::date[]))", days))


# -- a district's spending against its plan -------------------------------------------------

async def set_allocation(conn: asyncpg.Connection, allocation_id: str, district: str, fiscal_year: int,
                         amount_fen: int, made_on: date, on: date, event_id: UUID, position: int) -> None:
    """The allocation counts ``amount_fen`` from ``on`` (made, or adjusted)."""
    await conn.execute("""insert into monitoring.allocations values ($1, $2, $3, $4, $5) on conflict (allocation_id)
                          do update set amount_fen = excluded.amount_fen""",
                       allocation_id, district, fiscal_year, amount_fen, made_on)
    await _amount_from(conn, allocation_id, amount_fen, on, event_id, position)


async def _amount_from(conn: asyncpg.Connection, allocation_id: str, amount_fen: int, on: date, event_id: UUID,
                       position: int) -> None:
    await conn.execute("insert into monitoring.allocation_amounts values ($1, $2, $3, $4, $5) on conflict do nothing",
                       allocation_id, on, amount_fen, event_id, position)


async def allocation(conn: asyncpg.Connection, allocation_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("select * from monitoring.allocations where allocation_id = $1", allocation_id)


async def reduce_allocation(conn: asyncpg.Connection, allocation_id: str, released_fen: int, on: date,
                            event_id: UUID, position: int) -> asyncpg.Record | None:
    """What was not disbursed went back to the line on ``on``: the allocation counts for the rest."""
    row = await conn.fetchrow("""update monitoring.allocations set amount_fen = greatest(0, amount_fen - $2)
                                 where allocation_id = $1 returning *""", allocation_id, released_fen)
    if row is not None:
        await _amount_from(conn, allocation_id, row["amount_fen"], on, event_id, position)
    return row


async def set_payment(conn: asyncpg.Connection, disbursement_id: str, allocation_id: str, amount_fen: int | None,
                      paid_on: date, event_id: UUID, position: int) -> None:
    """A payment made on ``paid_on`` (None: reversed on that day; it counted until then)."""
    if amount_fen is None:
        await conn.execute("""update monitoring.payments set reversed_on = $2, reversed_by = $3, reversed_position = $4
                              where disbursement_id = $1 and reversed_on is null""",
                           disbursement_id, paid_on, event_id, position)
    else:
        await conn.execute("""insert into monitoring.payments values ($1, $2, $3, $4, $5, $6) on conflict
                              (disbursement_id) do nothing""", disbursement_id, allocation_id, amount_fen, paid_on,
                           event_id, position)


SPEND_SQL = """
select a.district,
       coalesce(sum(coalesce((select h.amount_fen from monitoring.allocation_amounts h
                              where h.allocation_id = a.allocation_id and ($3::date is null or h.from_day <= $3)
                              order by h.from_day desc, h.position desc limit 1), a.amount_fen)), 0)::bigint
           as plan_fen,
       coalesce(sum((select sum(p.amount_fen) from monitoring.payments p
                     where p.allocation_id = a.allocation_id and ($3::date is null or p.paid_on <= $3)
                       and (p.reversed_on is null or p.reversed_on > $3))), 0)::bigint
           as spent_fen
from monitoring.allocations a
where a.fiscal_year = $1 and ($2::text is null or a.district = $2) and ($3::date is null or a.made_on <= $3)
group by a.district order by a.district
"""


async def spending(conn: asyncpg.Connection, fiscal_year: int, district: str | None = None,
                   through: date | None = None) -> list[asyncpg.Record]:
    """Per district, the fiscal year's plan (its allocations, each as it counted) and what was
    paid on them and not reversed, as of the end of ``through`` (None: all recorded)."""
    return await conn.fetch(SPEND_SQL, fiscal_year, district, through)


MOVES_SQL = """
select h.from_day as on_day, h.position, h.event_id, h.allocation_id, h.amount_fen as plan_to, 0::bigint as paid
  from monitoring.allocation_amounts h join monitoring.allocations a using (allocation_id)
 where a.fiscal_year = $1 and a.district = $2 and h.from_day > $3
union all
select p.paid_on, p.position, p.event_id, p.allocation_id, null, p.amount_fen
  from monitoring.payments p join monitoring.allocations a using (allocation_id)
 where a.fiscal_year = $1 and a.district = $2 and p.paid_on > $3
union all
select p.reversed_on, p.reversed_position, p.reversed_by, p.allocation_id, null, -p.amount_fen
  from monitoring.payments p join monitoring.allocations a using (allocation_id)
 where a.fiscal_year = $1 and a.district = $2 and p.reversed_on > $3
order by 1, 2
"""


async def spend_moves_after(conn: asyncpg.Connection, fiscal_year: int, district: str, day: date
                            ) -> list[asyncpg.Record]:
    """What moved the district's plan (an allocation's new amount, ``plan_to``) or its spending
    (``paid``: a payment, or a reversal as a negative) on days after ``day``, in the order it happened."""
    return await conn.fetch(MOVES_SQL, fiscal_year, district, day)


async def amounts_at(conn: asyncpg.Connection, fiscal_year: int, district: str, day: date) -> dict[str, int]:
    """Each of the district's allocations of the year as it counted at the end of ``day``."""
    rows = await conn.fetch(
        """select a.allocation_id,
                  coalesce((select h.amount_fen from monitoring.allocation_amounts h
                            where h.allocation_id = a.allocation_id and h.from_day <= $3
                            order by h.from_day desc, h.position desc limit 1), a.amount_fen) as amount_fen
           from monitoring.allocations a
           where a.fiscal_year = $1 and a.district = $2 and a.made_on <= $3""", fiscal_year, district, day)
    return {r["allocation_id"]: r["amount_fen"] for r in rows}


async def last_closed_in(conn: asyncpg.Connection, days: list[date]) -> date | None:
    return await conn.fetchval("select max(day) from monitoring.days where day = any($1::date[])", days)

