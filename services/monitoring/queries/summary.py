"""预警概览 / the officials' dashboard's aggregate: the unresolved alerts in the caller's scope by
rule and by district, their age in business days (to the last closed day), and who
acknowledged what, newest first.

Age counts closed business days, like every time-based rule: an alert raised on D is 0 days
old until D closes; the wall clock plays no part, so a replay shows the same ages.
"""

from __future__ import annotations

import asyncpg

from shared.privacy import keys
from shared.privacy.sealed import Sealed
from shared.reference.places import DISTRICTS

from services.monitoring.domain.access import AlertScope
from services.monitoring.domain.rules import CATALOGUE
from services.monitoring.queries.alerts import AlertFilter, scoped_where
from services.monitoring.queries.days import last_closed

# (label zh, label en, fewest days, most days or None): the ageing table's rows, in order.
AGE_BUCKETS = (("7天以内", "up to 7 days", 0, 7), ("8–14天", "8–14 days", 8, 14), ("15–30天", "15–30 days", 15, 30),
               ("31–90天", "31–90 days", 31, 90), ("90天以上", "over 90 days", 91, None))
ACKNOWLEDGEMENTS_SHOWN = 100


async def summary(conn: asyncpg.Connection, scope: AlertScope, f: AlertFilter) -> dict:
    where, args = scoped_where(scope, f)
    unresolved = (where + " and " if where else " where ") + "state <> 'resolved'"
    as_of = await last_closed(conn)
    by_rule = await conn.fetch(f"""select rule_id, count(*) filter (where state = 'open') as open,
                                          count(*) filter (where state = 'acknowledged') as acknowledged
                                   from monitoring.alerts{unresolved} group by rule_id order by rule_id""", *args)
    by_district = await conn.fetch(f"""select district, count(*) filter (where state = 'open') as open,
                                              count(*) filter (where state = 'acknowledged') as acknowledged
                                       from monitoring.alerts{unresolved} group by district
                                       order by district nulls last""", *args)
    n = len(args) + 1
    ages = await conn.fetch(f"""select greatest(0, coalesce(${n}::date, raised_on) - raised_on) as age, count(*) as n
                                from monitoring.alerts{unresolved} group by 1""", *args, as_of)
    acknowledged = (where + " and " if where else " where ") + "acknowledged_by is not null"
    acks = await conn.fetch(f"""select a.alert_id, a.rule_id, a.district, a.village_code, a.title, a.state,
                                       a.acknowledged_by, a.acknowledged_on, l.note
                                from (select * from monitoring.alerts{acknowledged}
                                      order by acknowledged_on desc, position desc limit ${n}) a
                                left join lateral (select payload->'note' as note from monitoring.alert_log l
                                                   where l.alert_id = a.alert_id and l.type = 'AlertAcknowledged'
                                                   order by l.position desc limit 1) l on true
                                order by a.acknowledged_on desc, a.position desc""", *args, ACKNOWLEDGEMENTS_SHOWN)
    opener = await keys.opener(conn, [f"alert-{r['alert_id']}" for r in acks if r["note"]])
    return {
        "as_of_day": as_of,
        "unresolved": sum(r["open"] + r["acknowledged"] for r in by_rule),
        "by_rule": [{"rule_id": r["rule_id"], "title_zh": _rule(r["rule_id"])[0], "title_en": _rule(r["rule_id"])[1],
                     "open": r["open"], "acknowledged": r["acknowledged"]} for r in by_rule],
        "by_district": [{"district": r["district"], "name": DISTRICTS.get(r["district"]) if r["district"] else None,
                         "open": r["open"], "acknowledged": r["acknowledged"]} for r in by_district],
        "ageing": _buckets({r["age"]: r["n"] for r in ages}),
        "acknowledgements": [{k: r[k] for k in ("alert_id", "rule_id", "district", "village_code", "title", "state",
                                                "acknowledged_by", "acknowledged_on")}
                             | {"district_name": DISTRICTS.get(r["district"]) if r["district"] else None, "note": opener(Sealed.model_validate(r["note"])) if r["note"] else None}
                             for r in acks],
    }


def _rule(rule_id: str) -> tuple[str, str]:
    d = CATALOGUE.get(rule_id)
    return (d.title_zh, d.title_en) if d else (rule_id, rule_id)


def _buckets(counts: dict[int, int]) -> list[dict]:
    return [{"label_zh": zh, "label_en": en, "min_days": low, "max_days": high,
             "count": sum(n for age, n in counts.items() if age >= low and (high is None or age <= high))}
            for zh, en, low, high in AGE_BUCKETS]

