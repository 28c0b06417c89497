"""Milestone overdue, a designated village left without a team, a flagged income report:
events in → alert → the undoing event → resolved; and a rebuild says nothing twice."""

from __future__ import annotations

from datetime import date

from tests.integration.monitoring.conftest import MonitoringHarness


async def plan(m: MonitoringHarness, village: str, due: dict[str, str], on: date) -> str:
    project = m.uid("p")
    await m.deliver("assessment", "ProjectPlanned", {
        "project_id": project, "village_code": village, "district": village[:6], "action_code": "industry",
        "task_no": 1, "title": "合作社", "planned_start": "2022-01-01", "planned_end": "2022-12-31",
        "milestones": [{"milestone_id": mid, "title": mid, "due_on": d} for mid, d in due.items()]},
        f"project-{project}", on)
    return project


async def test_a_milestone_not_verified_by_its_day_is_overdue_until_verified(monitoring):
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    project = await plan(m, village, {"m1": "2022-03-31", "m2": "2022-03-31", "m3": "2022-06-30"}, date(2022, 1, 5))
    await m.deliver("assessment", "MilestoneVerified", {
        "project_id": project, "milestone_id": "m2", "village_code": village, "district": village[:6], "task_no": 1,
        "verified_on": "2022-03-30"}, f"project-{project}", date(2022, 3, 30))
    await m.close_through(date(2022, 3, 30), date(2022, 4, 2))
    [alert] = await m.alerts("milestone.overdue")
    assert (alert["subject_id"], alert["raised_on"], alert["subject_kind"]) == (f"{project}:m1", date(2022, 4, 1),
                                                                                 "milestone")
    verified = await m.deliver("assessment", "MilestoneVerified", {
        "project_id": project, "milestone_id": "m1", "village_code": village, "district": village[:6], "task_no": 1,
        "verified_on": "2022-04-03"}, f"project-{project}", date(2022, 4, 3))
    [alert] = await m.alerts("milestone.overdue")
    assert alert["state"] == "resolved" and alert["cleared_by_event"] == verified.event_id


async def test_a_replanned_milestone_ends_the_episode_and_a_cancelled_project_clears_its_milestones(monitoring):
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    project = await plan(m, village, {"m1": "2022-03-31", "m2": "2022-03-31"}, date(2022, 1, 5))
    await m.close_through(date(2022, 4, 1), date(2022, 4, 1))
    assert len(await m.alerts("milestone.overdue")) == 2
    await m.deliver("assessment", "MilestoneReplanned", {
        "project_id": project, "milestone_id": "m1", "village_code": village, "district": village[:6],
        "title": "m1", "due_on": "2022-04-10", "reason": "雨季"}, f"project-{project}", date(2022, 4, 2))
    await m.deliver("assessment", "ProjectCancelled", {
        "project_id": project, "village_code": village, "district": village[:6], "task_no": 1,
        "cancelled_on": "2022-04-05", "cancelled_milestone_ids": ["m2"], "reason": "撤项"}, f"project-{project}",
        date(2022, 4, 5))
    assert {a["state"] for a in await m.alerts("milestone.overdue")} == {"resolved"}
    await m.close_through(date(2022, 4, 2), date(2022, 4, 11))
    alerts = await m.alerts("milestone.overdue")
    assert [(a["subject_id"], a["state"], a["raised_on"]) for a in alerts][-1] == (
        f"{project}:m1", "open", date(2022, 4, 11))
    assert len(alerts) == 3


def team_event(event_type: str, team: str, village: str, **extra) -> tuple[str, dict, str]:
    return (event_type, {"team_id": team, "village_code": village, "district": village[:6], "reason": "r", **extra},
            f"team-{team}")


async def test_a_designated_village_without_a_team_is_raised_after_n_days_and_cleared_by_a_team(monitoring):
    m = monitoring
    village = await m.village(date(2022, 1, 1))  # designated, no team since 1 January
    served = await m.village(date(2022, 1, 1))
    await m.deliver("registry", *team_event("TeamAssigned", "t-1", served, lead_unit_id="u-1"), on=date(2022, 1, 5))
    await m.close_through(date(2022, 1, 1), date(2022, 2, 1))  # more than 30 days on 1 February
    [alert] = await m.alerts("village.without_team")
    assert (alert["subject_id"], alert["raised_on"], alert["severity"]) == (village, date(2022, 2, 1), "critical")
    assigned = await m.deliver("registry", *team_event("TeamAssigned", "t-2", village, lead_unit_id="u-2"),
                               on=date(2022, 2, 2))
    [alert] = await m.alerts("village.without_team")
    assert alert["state"] == "resolved" and alert["cleared_by_event"] == assigned.event_id
    # The team leaves: a new episode, a new alert when it lasts; a revocation ends it.
    await m.deliver("registry", *team_event("TeamUnassigned", "t-2", village), on=date(2022, 3, 1))
    await m.close_through(date(2022, 2, 2), date(2022, 4, 1))
    alerts = await m.alerts("village.without_team")
    assert [(a["state"], a["raised_on"]) for a in alerts] == [("resolved", date(2022, 2, 1)),
                                                               ("open", date(2022, 4, 1))]
    assert alerts[0]["alert_id"] != alerts[1]["alert_id"]
    await m.deliver("registry", "DesignationRevoked", {"code": village, "district": village[:6], "run_id": None,
                                                       "reason": "达标出列", "reason_code": "graduated"},
                    f"village-{village}", date(2022, 4, 2))
    assert [a["state"] for a in await m.alerts("village.without_team")] == ["resolved", "resolved"]


async def test_a_flagged_income_report_is_raised_at_once_and_its_review_clears_it(monitoring):
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    report = {"village_code": village, "district": village[:6], "year": 2022, "income_fen": 30_000_000,
              "flagged": True, "flag_reason": "较上年增长 300%"}
    await m.deliver("assessment", "CollectiveIncomeReported", report, f"income-{village}", date(2023, 1, 10))
    await m.deliver("assessment", "CollectiveIncomeReported", report, f"income-{village}", date(2023, 1, 11))
    [alert] = await m.alerts("income.report_flagged")  # one alert per condition, not per event
    assert (alert["raised_on"], alert["figures"]["year"] if isinstance(alert["figures"], dict) else None) in {
        (date(2023, 1, 10), 2022), (date(2023, 1, 10), None)}
    await m.deliver("assessment", "IncomeReportReviewed", {
        "village_code": village, "district": village[:6], "year": 2022, "measure": "collective",
        "amount_fen": 30_000_000, "accepted": True, "reason": "核实", "reviewed_on": "2023-01-12"},
        f"income-{village}", date(2023, 1, 12))
    assert [a["state"] for a in await m.alerts("income.report_flagged")] == ["resolved"]


async def test_a_rebuild_of_the_reactor_and_the_board_gives_the_same_alerts_and_says_nothing_twice(monitoring):
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    await plan(m, village, {"m1": "2022-01-20"}, date(2022, 1, 5))
    await m.deliver("funding", "DisbursementRequested", {
        "disbursement_id": "d-r", "allocation_id": "a-r", "line_id": "l-1", "source": "city_special",
        "village_code": village, "district": village[:6], "amount_fen": 100}, "disbursement-d-r", date(2022, 1, 3))
    await m.close_through(date(2022, 1, 1), date(2022, 2, 10))
    await m.deliver("funding", "DisbursementApproved", {
        "disbursement_id": "d-r", "allocation_id": "a-r", "village_code": village, "district": village[:6],
        "amount_fen": 100}, "disbursement-d-r", date(2022, 2, 11))
    before_events = await m.alert_events()
    before = await m.alerts()
    assert {a["rule_id"] for a in before} == {"milestone.overdue", "disbursement.awaiting_approval",
                                              "village.without_team"}
    await m.rebuild()
    assert await m.alert_events() == before_events
    after = await m.alerts()
    assert [{k: a[k] for k in a if k != "position"} for a in after] == [
        {k: a[k] for k in a if k != "position"} for a in before]
