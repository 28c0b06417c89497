"""Publicity follows funding's and assessment's undo events: a frozen allocation's remainder
released to the line, a cancelled project and milestone, a re-planned milestone, a rejected
income report — each figure as of before and after, on the real PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts import assessment as A
from shared.contracts import funding as F
from services.publicity.domain.asof import parse_as_of
from services.publicity.queries import figures, income, money, projects, story
from tests.integration.publicity.scenario import Scenario, Step, at
from tests.integration.publicity.support import fed


def on(day: str):
    return parse_as_of(day, now=None)  # type: ignore[arg-type]


def undo_steps(s: Scenario) -> list[Step]:
    common = dict(allocation_id=s.allocation, village_code=s.a)
    return [
        Step("funding", f"allocation-{s.allocation}", at("2022-03-02"), F.AllocationFrozen(
            line_id=s.line, district=s.district, unspent_fen=200_000_00, revocation_reason="graduated", **common)),
        Step("funding", f"disbursement-{s.waiting}", at("2022-03-03"), F.DisbursementRejected(
            disbursement_id=s.waiting, district=s.district, amount_fen=50_000_00, reason="撤销认定", **common)),
        Step("funding", f"allocation-{s.allocation}", at("2022-03-05"), F.FrozenRemainderReleased(
            line_id=s.line, released_fen=200_000_00, reason="余额退回", **common)),
        Step("assessment", f"project-{s.project}", at("2022-01-20"), A.MilestoneReplanned(
            project_id=s.project, milestone_id="m2", village_code=s.a, district=s.district, title="投产",
            due_on=date(2022, 5, 31), reason="设备延期")),
        Step("assessment", f"project-{s.project}", at("2022-06-10"), A.ProjectCancelled(
            project_id=s.project, village_code=s.a, district=s.district, task_no=1, cancelled_on=date(2022, 6, 10),
            cancelled_milestone_ids=["m2"], reason="终止")),
        Step("assessment", f"income-{s.a}", at("2022-02-10"), A.IncomeReportReviewed(
            village_code=s.a, district=s.district, year=2021, measure="collective", amount_fen=250_000_00,
            accepted=False, reason="无凭证", reviewed_on=date(2022, 2, 10))),
        Step("assessment", f"income-{s.d}", at("2022-02-10"), A.IncomeReportReviewed(
            village_code=s.d, district=s.d[:6], year=2021, measure="farmer", amount_fen=1_500_000,
            accepted=False, reason="口径不符", reviewed_on=date(2022, 2, 10))),
    ]


@pytest.fixture(scope="module")
async def world(settings):
    async with fed(settings, "pubundo", steps=lambda s: s.steps() + undo_steps(s)) as w, w.pool.acquire() as conn:
        yield w.scenario, conn


async def test_a_frozen_allocation_and_its_released_remainder(world):
    s, conn = world
    before = await money.money(conn, on("2022-03-01"))
    frozen = await figures.total(conn, "allocations_frozen", on("2022-03-04"))
    after = await money.money(conn, on("2022-03-06"))
    assert (before["city"]["allocated"], before["city"]["awaiting_approval"]) == ("300000.00", "50000.00")
    assert frozen == 200_000_00 and await figures.total(conn, "allocations_frozen", on("2022-03-01")) == 0
    assert await figures.total(conn, "allocations_frozen", on("2022-03-06")) == 0  # decided: no longer frozen
    assert (after["city"]["allocated"], after["city"]["disbursed"], after["city"]["awaiting_approval"]) == (
        "100000.00", "100000.00", "0.00")
    assert after["city"]["disbursement_rate_pct"] == "100.0"


async def test_a_replanned_milestone_and_a_cancelled_project(world):
    _, conn = world
    industry = lambda r: next(a for a in r["actions"] if a["code"] == "industry")  # noqa: E731
    april = await projects.projects(conn, on("2022-04-15"))  # m2 now due 2022-05-31: not overdue
    june = await projects.projects(conn, on("2022-06-05"))  # overdue since 2022-06-01
    july = await projects.projects(conn, on("2022-07-01"))  # cancelled on 2022-06-10
    assert (industry(april)["in_progress"], industry(april)["overdue_milestones"]) == (1, 0)
    assert (industry(june)["in_progress"], industry(june)["overdue_milestones"]) == (1, 1)
    assert (industry(july)["in_progress"], industry(july)["overdue_milestones"]) == (0, 0)
    assert await figures.total(conn, "projects_cancelled", on("2022-07-01")) == 1
    assert await figures.total(conn, "projects_cancelled", on("2022-06-05")) == 0


async def test_a_rejected_income_report_leaves_the_income_figures(world):
    _, conn = world
    before = await income.income(conn, on("2022-02-01"))
    after = await income.income(conn, on("2022-02-11"))
    assert (before["collective"][0]["city"]["weak_reported"], before["collective"][0]["city"]["weak_at_target"]) \
        == (2, 1)
    assert (after["collective"][0]["city"]["weak_reported"], after["collective"][0]["city"]["weak_at_target"]) \
        == (1, 0)
    growth = lambda r: next(g for g in r["farmers"] if g["year"] == 2021)  # noqa: E731
    assert growth(before)["weak_villages_compared"] == 2 and growth(after)["weak_villages_compared"] == 1
    # Only village a is left: 17,000 against 15,000 = 13.33 %, faster than the city's 10.6 %.
    assert (growth(after)["weak_growth_pct"], growth(after)["faster_than_city"]) == ("13.33", True)


async def test_the_village_story_leaves_out_a_rejected_income_report(world):
    s, conn = world
    async def collective(day: str) -> dict[int, str | None]:
        return {r["year"]: r["collective_yuan"] for r in (await story.story(conn, s.a, on(day)))["income"]}

    assert (await collective("2022-02-01")).get(2021) == "250000.00"
    assert (await collective("2022-02-11")).get(2021) is None
