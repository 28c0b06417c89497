"""Check-ins delivered many to a batch, as the worker takes them under load: logged together
while their months are open, and one by one when a late day falls in a closed month, with the
alerts exactly as one at a time leaves them (test_presence.py)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.integration.monitoring.conftest import noon


async def present_together(m, cadre: str, days: list[date], team: str, village: str) -> None:
    """One batch of check-ins, as one Kafka fetch brings a cadre's uploaded month."""
    deliveries = []
    for day in days:
        event, delivery = m.record("registry", "CadrePresenceLogged", {
            "cadre_id": cadre, "team_id": team, "village_code": village, "day": day.isoformat(),
            "togethers": ["live", "work"]}, f"cadre-{cadre}", noon(day))
        m.delivered.append(delivery)
        deliveries.append(delivery)
    for runner in m.runners.values():
        if "registry" in runner.projection.sources:
            await runner.apply_batch(deliveries)
    await m.sync()


async def test_check_ins_in_one_batch_judge_the_months_as_one_at_a_time(monitoring):
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    team = await m.team_in(village, ["c-full", "c-short"])
    march = [date(2022, 3, 1) + timedelta(days=n) for n in range(31)]
    await present_together(m, "c-full", march[:20], team, village)
    await present_together(m, "c-short", march[:18], team, village)
    await m.close_through(date(2022, 1, 20), date(2022, 3, 31))
    states = {a["subject_id"]: a["state"] for a in await m.alerts("cadre.presence_below_requirement")}
    assert states == {"c-full:2022-02": "open", "c-short:2022-02": "open", "c-short:2022-03": "open"}

    # Late days of the closed March in a batch with April's: each goes alone, and the day that
    # makes up the month (the 31st, not the 30th) is the one that clears it.
    april = [date(2022, 4, 1) + timedelta(days=n) for n in range(3)]
    await present_together(m, "c-short", [date(2022, 3, 30), *april], team, village)
    assert {a["subject_id"]: a["state"] for a in await m.alerts("cadre.presence_below_requirement")} == states
    await present_together(m, "c-short", [date(2022, 3, 31), date(2022, 4, 4)], team, village)
    cleared = {a["subject_id"]: a for a in await m.alerts("cadre.presence_below_requirement")}
    assert cleared["c-short:2022-03"]["state"] == "resolved" and cleared["c-short:2022-02"]["state"] == "open"
    assert await m.fetchval("select count(*) from monitoring.presence") == 20 + 18 + 4 + 2

    # Rebuilt one record at a time, the same alerts.
    before = await m.fetch("select alert_id, state, raised_on from monitoring.alerts order by alert_id")
    await m.rebuild()
    assert await m.fetch("select alert_id, state, raised_on from monitoring.alerts order by alert_id") == before
