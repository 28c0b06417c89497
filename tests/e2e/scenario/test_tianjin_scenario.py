"""The small Tianjin scenario end to end: driven through the four services' HTTP APIs,
its statistics served by publicity exactly as the plan says, and a re-run adds nothing.

The scenario gets a stack of its own (its own databases and topics on the session's
PostgreSQL and Kafka): a screening ranks every registered village city-wide, so the
villages other tests register in the shared stack would take places in its bottom N.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from rich.console import Console

from shared.config import REPO_ROOT, SERVICES
from scenario.check import Checker
from scenario.drive.client import Api
from scenario.drive.run import drive
from scenario.generate import generate
from scenario.size import ScenarioSize
from tests.support.programme import settled_programme_events
from tests.support.stack import ServiceStack, running

# A few minutes on a busy two-core machine: 20 teams, 30 villages, three years, ~6,000 events.
# `make test-long`: `make test` drives a quarter of this programme under chaos instead
# (tests/faults/test_chaos.py: the same drive, check and second drive, faults injected).
pytestmark = [pytest.mark.e2e, pytest.mark.long, pytest.mark.timeout(1200)]
SEED = 7


@pytest.fixture(scope="module")
def own_stack(settings, tmp_path_factory):
    with running(ServiceStack(settings, tmp_path_factory.mktemp("scenario-stack"), namespace="scn")) as stack:
        yield stack


@pytest.fixture(scope="module")
def plan():
    return generate(SEED, ScenarioSize.small())


@pytest.fixture(scope="module")
def urls(own_stack):
    return {s: own_stack.url(s) for s in SERVICES}


async def run(plan, settings, urls):
    async with Api(settings, urls, plan.seed, concurrency=12, eventual_timeout=120) as api:
        summary = await drive(plan, api, Console(quiet=True), settle_ceiling=180)
        return summary, api.tally


@pytest.fixture(scope="module")
async def first_run(plan, settings, urls):
    return await run(plan, settings, urls)


async def test_every_command_succeeds_and_everything_is_applied(first_run, plan):
    summary, tally = first_run
    assert tally.failures == [], tally.failures[:5]
    assert summary.not_settled == []
    planned = {name: n for name, n, _, _ in summary.rows}
    assert planned["registry.villages"] == 9 and planned["funding.disbursements"] > 100
    assert all(t.get("created", 0) + t.get("ok", 0) == n for _, n, t, _ in summary.rows)
    assert summary.events["registry"] > len(plan.villages) + len(plan.check_ins)


async def test_the_statistics_say_what_the_plan_did(first_run, plan, urls, settings):
    report = await Checker(plan, urls["publicity"], assessment=urls["assessment"], settings=settings).run()
    assert report.not_served == set()
    assert report.compared > 250
    assert report.differences == [], report.differences[:10]


async def test_the_check_sees_a_plan_that_was_not_driven(first_run, urls, settings):
    other = generate(SEED, ScenarioSize.small().scaled(presence_days_per_month=2))
    report = await Checker(other, urls["publicity"], assessment=urls["assessment"], settings=settings).run()
    figures = {d.what for d in report.differences if not d.what.startswith("assessment ")}
    assert figures == {"presence_days by district", "allowances by month"}
    # The alert comparison fails too: that plan implies other presence alerts than were raised.
    async with Api(settings, urls, other.seed) as api:
        alerts = await Checker(other, urls["publicity"], monitoring=api).run(dates=())
    assert "alert cadre.presence_below_requirement" in {d.what for d in alerts.differences}


async def test_running_again_adds_nothing(first_run, plan, settings, urls, own_stack):
    # Counted once every reaction has played out: the drive's last command closes the
    # programme's 1,200 business days, and monitoring's watch escalates alerts on each of them
    # well after the command was answered.
    stack_settings = settings.model_copy(update={"db_prefix": own_stack.db_prefix,
                                                 "topic_prefix": own_stack.topic_prefix})
    before = await settled_programme_events(stack_settings)
    summary, tally = await run(plan, settings, urls)
    assert tally.failures == []
    assert sum(t.get("created", 0) for _, _, t, _ in summary.rows) == 0
    assert await settled_programme_events(stack_settings) == before


def test_the_check_command_exits_1_on_a_difference_and_0_without(first_run, own_stack):
    env = own_stack.env("cli")

    def check(seed: int) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "xingcun_cli.main", "scenario", "check", "--preset", "small",
                               "--seed", str(seed), "--as-of", "2021-04-30", "--as-of", "2023-12-31"],
                              cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)

    same = check(SEED)
    assert same.returncode == 0, same.stdout + same.stderr
    other = check(SEED + 1)  # another seed: other villages, other everything
    assert other.returncode == 1 and "不符" in other.stdout, other.stdout + other.stderr



async def test_the_alerts_say_what_the_plan_implies(first_run, plan, settings, urls):
    """Monitoring's alerts, after the drive closed every business day, against the plan's
    (scenario/alerts.py): late approvals, unpaid approvals, overdue milestones, absences…"""
    async with Api(settings, urls, plan.seed) as api:
        report = await Checker(plan, urls["publicity"], monitoring=api).run(dates=())
    assert report.compared >= 8
    assert report.differences == [], "\n".join(map(str, report.differences))
