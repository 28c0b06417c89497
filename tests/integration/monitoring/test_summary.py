"""GET /alerts/summary's read on the real read model: unresolved alerts by rule and district,
ages in closed business days, who acknowledged what (the sealed note opened), each scope."""

from __future__ import annotations

from datetime import date

from services.monitoring.domain.access import AlertScope
from services.monitoring.domain.alert import Acknowledge
from services.monitoring.handlers.alerts import acknowledge
from services.monitoring.queries.alerts import AlertFilter
from services.monitoring.queries.summary import summary
from tests.integration.monitoring.conftest import CITY


def ages(s: dict) -> dict[str, int]:
    return {b["label_en"]: b["count"] for b in s["ageing"] if b["count"]}


async def test_by_rule_district_age_and_acknowledgements_in_scope(monitoring):
    m = monitoring
    jizhou = [await m.village(date(2022, 1, 1), "120119") for _ in range(2)]
    wuqing = await m.village(date(2022, 1, 20), "120114")
    async with m.pool.acquire() as conn:
        nothing = await summary(conn, CITY, AlertFilter())
    assert nothing["unresolved"] == 0 and nothing["as_of_day"] is None and nothing["acknowledgements"] == []
    await m.close_through(date(2022, 1, 1), date(2022, 3, 5))  # Jizhou's raised 1 Feb (32 days), Wuqing's 20 Feb (13)
    # One Jizhou village gets its team: resolved, no longer counted.
    await m.deliver("registry", "WorkTeamFormed", {
        "team_id": "t-5", "lead_unit_id": "u-5", "partner_unit_ids": [], "member_ids": ["c1"],
        "first_secretary_id": "c1", "district": "120119"}, "team-t-5", date(2022, 3, 6))
    await m.deliver("registry", "TeamAssigned", {"team_id": "t-5", "lead_unit_id": "u-5", "village_code": jizhou[0],
                                                 "district": "120119", "reason": "r"}, "team-t-5", date(2022, 3, 6))
    async with m.pool.acquire() as conn:
        rows = await m.alerts("village.without_team")
        wuqing_alert = next(a["alert_id"] for a in rows if a["village_code"] == wuqing)
    await m.run(lambda uow: acknowledge(uow, Acknowledge(note="已联系区组织部 / district called"), CITY,
                                        alert_id=wuqing_alert), actor="district_official:o", on=date(2022, 3, 6))

    async with m.pool.acquire() as conn:
        city = await summary(conn, CITY, AlertFilter())
        district = await summary(conn, AlertScope("o", "district_official:o", district="120119"), AlertFilter())
        filtered = await summary(conn, CITY, AlertFilter(district="120114"))
    assert city["as_of_day"] == date(2022, 3, 5) and city["unresolved"] == 2
    assert [(r["rule_id"], r["open"], r["acknowledged"]) for r in city["by_rule"]] == [("village.without_team", 1, 1)]
    assert city["by_rule"][0]["title_zh"] and city["by_rule"][0]["title_en"]
    assert [(d["district"], d["name"], d["open"], d["acknowledged"]) for d in city["by_district"]] == [
        ("120114", "武清区", 0, 1), ("120119", "蓟州区", 1, 0)]
    assert ages(city) == {"8–14 days": 1, "31–90 days": 1}
    [ack] = city["acknowledgements"]
    assert (ack["alert_id"], ack["acknowledged_by"], ack["acknowledged_on"], ack["note"]) == (
        wuqing_alert, "city", date(2022, 3, 6), "已联系区组织部 / district called")

    assert district["unresolved"] == 1 and [d["district"] for d in district["by_district"]] == ["120119"]
    assert ages(district) == {"31–90 days": 1} and district["acknowledgements"] == []
    assert filtered["unresolved"] == 1 and len(filtered["acknowledgements"]) == 1
