"""GET /alerts' reads on the real read model: filters, date range, pages, each role's scope,
an alert's history with its sealed note opened, and the exports."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from services.monitoring.domain.access import AlertScope
from services.monitoring.domain.alert import Acknowledge
from services.monitoring.handlers.alerts import acknowledge
from services.monitoring.queries import export
from services.monitoring.queries.alerts import AlertFilter, alert_detail, export_rows, list_alerts
from tests.integration.monitoring.conftest import CITY


async def test_filters_pages_scope_history_and_exports(monitoring):
    m = monitoring
    jizhou = [await m.village(date(2022, 1, 1), "120119") for _ in range(3)]
    wuqing = await m.village(date(2022, 1, 20), "120114")
    await m.deliver("registry", "WorkTeamFormed", {
        "team_id": "t-9", "lead_unit_id": "u-9", "partner_unit_ids": ["u-10"], "member_ids": ["c1"],
        "first_secretary_id": "c1", "district": "120119"}, "team-t-9", date(2022, 1, 2))
    await m.close_through(date(2022, 1, 1), date(2022, 2, 20))  # Jizhou's three on 1 Feb, Wuqing's on 20 Feb
    # The unit's team takes over one Jizhou village: that alert clears, and is the unit's to see.
    await m.deliver("registry", "TeamAssigned", {"team_id": "t-9", "lead_unit_id": "u-9", "village_code": jizhou[0],
                                                 "district": "120119", "reason": "r"}, "team-t-9", date(2022, 2, 21))

    async with m.pool.acquire() as conn:
        everything = await list_alerts(conn, CITY, AlertFilter(), limit=100)
        assert everything["total"] == 4 and everything["next_before"] is None
        first = await list_alerts(conn, CITY, AlertFilter(), limit=3)
        rest = await list_alerts(conn, CITY, AlertFilter(), limit=3, before=first["next_before"])
        assert [a["alert_id"] for a in first["items"] + rest["items"]] == [a["alert_id"] for a in everything["items"]]
        assert everything["items"][0]["village_code"] == wuqing  # newest first

        assert (await list_alerts(conn, CITY, AlertFilter(district="120114"), limit=100))["total"] == 1
        assert (await list_alerts(conn, CITY, AlertFilter(state="resolved"), limit=100))["total"] == 1
        assert (await list_alerts(conn, CITY, AlertFilter(severity="info"), limit=100))["total"] == 0
        assert (await list_alerts(conn, CITY, AlertFilter(rule_id="village.without_team", raised_from=date(2022, 2, 2),
                                                          raised_to=date(2022, 2, 28)), limit=100))["total"] == 1

        district = AlertScope("o", "district_official:o", district="120119", may_resolve=True)
        assert {a["village_code"] for a in (await list_alerts(conn, district, AlertFilter(), limit=100))["items"]} == \
            set(jizhou)
        unit = AlertScope("u", "unit:u-10", villages=(jizhou[0],), teams=("t-9",))
        assert [a["village_code"] for a in (await list_alerts(conn, unit, AlertFilter(), limit=100))["items"]] == [
            jizhou[0]]
        wuqing_alert = everything["items"][0]["alert_id"]
        assert await alert_detail(conn, district, wuqing_alert) is None

    await m.run(lambda uow: acknowledge(uow, Acknowledge(note="村书记已联系 / the village was called"),
                                        CITY, alert_id=wuqing_alert), on=date(2022, 2, 22))
    async with m.pool.acquire() as conn:
        detail = await alert_detail(conn, CITY, wuqing_alert)
        assert [h["type"] for h in detail["history"]] == ["AlertRaised", "AlertAcknowledged"]
        assert detail["history"][1]["note"] == "村书记已联系 / the village was called"
        assert detail["state"] == "acknowledged" and detail["acknowledged_by"] == "city"
        rows = await export_rows(conn, CITY, AlertFilter(), 100)
    table = list(csv.reader(io.StringIO(export.to_csv(rows).lstrip("\ufeff"))))
    assert table[0][:3] == ["预警编号 alert id", "发现日 raised on", "规则 rule"] and len(table) == 5
    sheet = load_workbook(io.BytesIO(export.to_xlsx(rows))).active
    assert [c.value for c in sheet[1]][:2] == ["预警编号 alert id", "发现日 raised on"] and sheet.max_row == 5
