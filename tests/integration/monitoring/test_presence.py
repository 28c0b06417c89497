"""A cadre present fewer days than the month requires (less approved leave) is raised when
the month's last day closes; a day recorded late that makes up the month clears it."""

from __future__ import annotations

from datetime import date, timedelta


async def present(m, cadre: str, team: str, village: str, days: list[date]) -> None:
    for day in days:
        await m.deliver("registry", "CadrePresenceLogged", {
            "cadre_id": cadre, "team_id": team, "village_code": village, "day": day.isoformat(),
            "togethers": ["live", "work"]}, f"cadre-{cadre}", day)


async def test_presence_below_the_months_requirement(monitoring):
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    team = m.uid("t")
    await m.deliver("registry", "WorkTeamFormed", {
        "team_id": team, "lead_unit_id": "u-1", "partner_unit_ids": [], "member_ids": ["c-full", "c-short", "c-leave"],
        "first_secretary_id": "c-full", "district": village[:6]}, f"team-{team}", date(2022, 1, 5))
    await m.deliver("registry", "TeamAssigned", {"team_id": team, "lead_unit_id": "u-1", "village_code": village,
                                                 "district": village[:6], "reason": "r"}, f"team-{team}",
                    date(2022, 1, 6))
    await m.deliver("registry", "TeamEnteredVillage", {"team_id": team, "village_code": village,
                                                       "entered_on": "2022-01-20"}, f"team-{team}", date(2022, 1, 20))
    march = [date(2022, 3, 1) + timedelta(days=n) for n in range(31)]
    await present(m, "c-full", team, village, march[:20])
    await present(m, "c-short", team, village, march[:18])
    await m.deliver("registry", "LeaveApproved", {
        "leave_id": "l-1", "cadre_id": "c-leave", "team_id": team, "start": "2022-03-21", "end": "2022-03-25",
        "days": 5, "quota_days": 10}, "cadre-c-leave", date(2022, 3, 10))
    await present(m, "c-leave", team, village, march[:15])  # 20 − 5 days' leave: enough
    await m.close_through(date(2022, 1, 20), date(2022, 3, 31))  # February: none logged, but entered in January
    alerts = {a["subject_id"]: a for a in await m.alerts("cadre.presence_below_requirement")}
    assert set(alerts) == {"c-full:2022-02", "c-short:2022-02", "c-leave:2022-02", "c-short:2022-03"}
    short = alerts["c-short:2022-03"]
    assert (short["raised_on"], short["team_id"], short["district"]) == (date(2022, 3, 31), team, village[:6])
    assert (short["figures"]["present_days"], short["figures"]["required_days"]) == (18, 20)
    await present(m, "c-short", team, village, [date(2022, 3, 30)])  # 19: still short
    assert (await m.alerts("cadre.presence_below_requirement"))[-1]["state"] == "open"
    await present(m, "c-short", team, village, [date(2022, 3, 31)])  # recorded late: 20
    states = {a["subject_id"]: a["state"] for a in await m.alerts("cadre.presence_below_requirement")}
    assert states["c-short:2022-03"] == "resolved" and states["c-short:2022-02"] == "open"


async def test_a_month_closed_late_judges_the_members_of_that_month(monitoring):
    """The days close after the team changed (a calendar catching up, the scenario's bulk
    close): each month is judged on who was a member at the end of its last day — a member
    removed or a team dissolved since still owed that month, one added since did not."""
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    kept = await m.team_in(village, ["c-stays", "c-removed"])
    dissolved = await m.team_in(village, ["c-dissolved"])
    await m.deliver("registry", "TeamMembersChanged", {
        "team_id": kept, "added": ["c-added"], "removed": ["c-removed"], "first_secretary_id": "c-stays"},
        f"team-{kept}", date(2022, 3, 10))
    await m.deliver("registry", "TeamDissolved", {
        "team_id": dissolved, "district": village[:6], "lead_unit_id": "u-1", "partner_unit_ids": [],
        "member_ids": ["c-dissolved"], "first_secretary_id": "c-dissolved", "villages": [],
        "dissolved_on": "2022-03-10", "reason": "r"}, f"team-{dissolved}", date(2022, 3, 10))
    await m.close_through(date(2022, 1, 20), date(2022, 3, 31))  # nobody checked in, ever
    judged = {a["subject_id"] for a in await m.alerts("cadre.presence_below_requirement")}
    assert judged == {"c-stays:2022-02", "c-removed:2022-02", "c-dissolved:2022-02",
                      "c-stays:2022-03", "c-added:2022-03"}


async def test_leave_approved_after_the_month_does_not_count_in_it_when_the_month_closes_late(monitoring):
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    team = await m.team_in(village, ["c-early", "c-late"])
    march = [date(2022, 3, 1) + timedelta(days=n) for n in range(31)]
    for cadre, approved in (("c-early", date(2022, 3, 10)), ("c-late", date(2022, 4, 5))):
        await present(m, cadre, team, village, march[:15])  # 20 − 5 days' leave, if it counts
        await m.deliver("registry", "LeaveApproved", {
            "leave_id": f"l-{cadre}", "cadre_id": cadre, "team_id": team, "start": "2022-03-21", "end": "2022-03-25",
            "days": 5, "quota_days": 10}, f"cadre-{cadre}", approved)
    await m.close_through(date(2022, 1, 20), date(2022, 4, 5))  # closed after both approvals
    march_alerts = {a["subject_id"] for a in await m.alerts("cadre.presence_below_requirement")
                    if a["subject_id"].endswith("2022-03")}
    assert march_alerts == {"c-late:2022-03"}  # at March's end, c-late had no leave approved
