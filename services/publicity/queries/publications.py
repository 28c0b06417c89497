"""公示、报道与图片 / notices, reports and report images as the routes read them (the handlers' look-ups
are ``adapters/directory.py`` and ``adapters/images.py``)."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from shared.money import yuan
from shared.reference.places import DISTRICTS

from services.publicity.domain.commands import CHANNEL_NAMES
from services.publicity.domain.asof import drawn_at
from services.publicity.queries.facts_sql import as_known_at, latest
from services.publicity.queries.positions import log_positions


def _window_state(row, today: date) -> str:
    if today < row["window_from"]:
        return "upcoming"
    return "open" if today <= row["window_to"] else "closed"


def _notice(row, today: date, objections: dict | None = None) -> dict:
    return {"notice_id": row["notice_id"], "kind": row["kind"], "title": row["title"], "run_id": row["run_id"],
            "window_from": row["window_from"].isoformat(), "window_to": row["window_to"].isoformat(),
            "state": _window_state(row, today), "villages": len(row["village_codes"]),
            "published_at": row["published_at"].isoformat(), "objections": objections}


async def objection_windows(conn: asyncpg.Connection, run_ids: list[str], at: datetime, today: date) -> dict[str, dict]:
    """Per run with a 公示 objection window in registry: the window, how many objections are open,
    upheld or dismissed, and when the list was confirmed — counts only, no person."""
    rows = await conn.fetch(
        f"""select w.key as run_id, w.value as win, c.value as confirmed, count(o.key) as lodged,
                   count(o.key) filter (where o.value->>'status' = 'open') as open,
                   count(o.key) filter (where o.value->>'status' = 'upheld') as upheld,
                   count(o.key) filter (where o.value->>'status' = 'dismissed') as dismissed
            from {latest('objection_window')} w
            left join {latest('designation_confirmed')} c on c.key = w.key
            left join {latest('objection')} o on o.value->>'run_id' = w.key
            where w.key = any($2::text[])
            group by w.key, w.value, c.value""", at, run_ids)
    found = {}
    for r in rows:
        window = {"window_from": date.fromisoformat(r["win"]["opens_on"]),
                  "window_to": date.fromisoformat(r["win"]["closes_on"])}
        found[r["run_id"]] = {
            "window_from": r["win"]["opens_on"], "window_to": r["win"]["closes_on"],
            "state": _window_state(window, today), "lodged": r["lodged"], "open": r["open"], "upheld": r["upheld"],
            "dismissed": r["dismissed"], "confirmed_on": r["confirmed"]["confirmed_on"] if r["confirmed"] else None}
    return found


async def notices(conn: asyncpg.Connection, today: date, now: datetime) -> list[dict]:
    rows = await conn.fetch("select * from pub.notices order by published_at desc, notice_id")
    windows = await objection_windows(conn, sorted({r["run_id"] for r in rows if r["run_id"]}), now, today)
    return [_notice(r, today, windows.get(r["run_id"])) for r in rows]


async def notice(conn: asyncpg.Connection, notice_id: str, today: date, now: datetime) -> dict | None:
    """A notice with its village list, in the order published; None if there is none.

    The list's details (name, district, town; rank and average in its run, or as designated) are
    as of the instant it was published and as known at the log positions then, so a correction
    back-dated before it leaves the notice as it was published."""
    row = await conn.fetchrow("select * from pub.notices where notice_id = $1", notice_id)
    if row is None:
        return None
    asof = drawn_at(row["drawn_as_of"], row["known_at"], now)
    villages = await as_known_at(conn, asof.known).fetch(
        f"""select c.code, v.value->>'name' as name, v.district,
                   coalesce(va.value->>'town', v.value->>'town') as town,
                   coalesce(r.rank, (d.value->>'rank')::int) as rank,
                   coalesce(r.average_fen, (d.value->>'average_fen')::bigint) as average_fen
           from jsonb_array_elements_text($2::jsonb) with ordinality c(code, n)
           left join {latest('village')} v on v.key = c.code
           left join {latest('village_attributes')} va on va.key = c.code
           left join stats.ranked r on r.run_id = $3 and r.code = c.code
           left join {latest('designation')} d on $3::text is null and d.key = c.code
           order by c.n""",
        asof.cutoff, row["village_codes"], row["run_id"],
    )
    windows = await objection_windows(conn, [row["run_id"]], now, today) if row["run_id"] else {}
    return _notice(row, today, windows.get(row["run_id"])) | {
        "as_of": asof.text, "log_positions": await log_positions(conn, asof.known),
        "list": [{"code": v["code"], "name": v["name"], "district": v["district"],
                  "district_name": DISTRICTS.get(v["district"]), "town": v["town"], "rank": v["rank"],
                  "average_yuan": yuan(v["average_fen"]) if v["average_fen"] is not None else None}
                 for v in villages]}


def public_report(row) -> dict:
    return {"report_id": row["report_id"], "village_code": row["village_code"], "title": row["title"],
            "channels": [{"code": c, "name": CHANNEL_NAMES.get(c, c)} for c in row["channels"]],
            "published_on": row["published_on"].isoformat() if row["published_on"] else None}


async def published_reports(conn: asyncpg.Connection) -> list[dict]:
    rows = await conn.fetch("""select * from pub.reports where status = 'published'
                               order by published_on desc, report_id""")
    return [public_report(r) for r in rows]


async def editorial_reports(conn: asyncpg.Connection, author: str | None = None,
                            district: str | None = None) -> list[dict]:
    """Reports being edited: every one (``author`` None: the city office), else those ``author``
    drafted and, for a district official, those about a village of their ``district``. The
    author is the one ``ReportDrafted`` names (the read model does not keep it)."""
    rows = await conn.fetch(
        """select r.report_id, r.village_code, r.title, r.status, r.return_reason, r.updated_at
           from pub.reports r where r.status <> 'published'
             and ($1::text is null or substr(r.village_code, 1, 6) = $2
                  or exists (select 1 from es.events e where e.stream_id = 'report-' || r.report_id
                             and e.type = 'ReportDrafted' and e.payload->>'author' = $1))
           order by r.updated_at desc""", author, district)
    return [dict(r) | {"updated_at": r["updated_at"].isoformat()} for r in rows]


async def published_report(conn: asyncpg.Connection, report_id: str):
    return await conn.fetchrow("select * from pub.reports where report_id = $1 and status = 'published'", report_id)


async def published_image(conn: asyncpg.Connection, sha256: str):
    """An image's type and bytes, if a published report shows it."""
    return await conn.fetchrow(
        """select i.content_type, i.content from media.images i
           where i.sha256 = $1 and exists (select 1 from pub.reports r
               where r.status = 'published' and r.images ? $1)""", sha256)

