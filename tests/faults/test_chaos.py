"""Chaos under the whole programme (issue 17 item 6).

The small Tianjin scenario — every service, every command type the driver knows, the
milestone saga — runs through the APIs against a stack with two workers per service, while
``tests/faults/chaos.py`` kills and freezes processes, PostgreSQL and the broker from a seed.
Afterwards:

- history: every command the driver saw acknowledged is recorded once under its key in its
  service's log (a retry with the key is answered from that record, never doubled), every
  event is sequenced and published, and a second drive of the whole plan adds nothing;
- figures: ``scenario check`` finds no difference; tranches released == milestones verified;
  funding's balance rows equal its ledger, which is built from the events alone;
- per-stream order on every service's topic, read back with a plain consumer;
- every projection (reactors aside: a rebuild would react again) equals its rebuild.

`make test` runs a short version (a fixed seed, a quarter of the small programme, each kind
of fault once); `make chaos` the long one: the small programme, a random seed it prints
(XINGCUN_CHAOS_SEED), up to 40 faults (XINGCUN_CHAOS_FAULTS).
Figures go to test-artifacts/faults.json under "chaos" and into docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import os
import time

import asyncpg
import pytest
from rich.console import Console

from shared.config import SERVICES
from shared.projections.reactor import Reactor
from scenario.alerts import STAGE
from scenario.check import Checker
from scenario.drive.client import Api
from scenario.drive.run import drive
from scenario.generate import generate
from scenario.size import ScenarioSize
from tests.faults.chaos import KINDS, Chaos
from tests.faults.checks import assert_rebuild_equals_live, assert_topic_order
from tests.faults.conftest import FIGURES
from tests.support.programme import settled_programme_events, wait_all_published, wait_projections_caught_up
from tests.support.stack import ServiceStack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]

SEED = int(os.environ.get("XINGCUN_CHAOS_SEED", "20261203"))
LONG = "XINGCUN_CHAOS_FAULTS" in os.environ  # make chaos
FAULTS = int(os.environ.get("XINGCUN_CHAOS_FAULTS", str(len(KINDS))))  # the short run: each kind once
# The short run: a quarter of the small programme, faults packed into its first minutes.
SIZE = ScenarioSize.small() if LONG else ScenarioSize.small().scaled(
    villages=48, designated=12, units=10, cadres=24, teams=8, projects_per_village=1.0, low_income_per_village=1.0)
BETWEEN = (4.0, 9.0) if LONG else (1.0, 3.0)
WORKERS = 2


class RecordingApi(Api):
    """The driver, keeping every (service, key) it saw acknowledged."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.acknowledged: set[tuple[str, str]] = set()

    async def command(self, stage, service, path, body, *, key, **kwargs):
        answer = await super().command(stage, service, path, body, key=key, **kwargs)
        if answer is not None:
            self.acknowledged.add((service, key))
        return answer


@pytest.fixture(scope="module")
def chaos_stack(private, tmp_path_factory):
    stack = ServiceStack(private, tmp_path_factory.mktemp("chaos-stack"), namespace="chaos")
    try:
        for service in SERVICES:
            for replica in range(WORKERS):
                stack.start_worker(service, replica)
        for service in SERVICES:
            stack.start_api(service)
        yield stack
    finally:
        stack.stop_all()


def stack_settings(private, stack: ServiceStack):
    return private.model_copy(update={"db_prefix": stack.db_prefix, "topic_prefix": stack.topic_prefix})


async def drive_plan(plan, settings, urls) -> RecordingApi:
    async with RecordingApi(settings, urls, plan.seed, concurrency=8, eventual_timeout=300) as api:
        # Monitoring's business days are left out: the chaos check compares the figures, not the
        # alerts (closing the programme's 1,200 days is the scenario e2e's, make test-long).
        api.summary = await drive(plan, api, Console(quiet=True), settle_ceiling=600, without=frozenset({STAGE}))
        return api


async def money_differences(settings) -> list[str]:
    """Funding's balance rows (the write side) against its ledger (built from events) and
    assessment's verified milestones."""
    funding = await asyncpg.connect(settings.dsn("funding"))
    assessment = await asyncpg.connect(settings.dsn("assessment"))
    try:
        verified = {r["m"] for r in await assessment.fetch(
            "select payload->>'milestone_id' as m from es.events where type = 'MilestoneVerified'")}
        problems = [f"tranche {r['allocation_id']}/{r['tranche_no']}: released={r['released']} but milestone "
                    f"{r['milestone_id']} verified={r['milestone_id'] in verified}"
                    for r in await funding.fetch("select * from funding.tranche_balances where milestone_id is not null")
                    if r["released"] != (r["milestone_id"] in verified)]
        problems += [f"allocation {r['allocation_id']}: balance {r['amount_fen']}/{r['paid_fen']} fen, events say "
                     f"{r['ledger_amount']}/{r['ledger_paid']}"
                     for r in await funding.fetch(
                         """select b.allocation_id, b.amount_fen, b.paid_fen, l.amount_fen as ledger_amount,
                                   coalesce((select sum(d.amount_fen) from ledger.disbursements d
                                             where d.allocation_id = b.allocation_id and d.status = 'paid'), 0)
                                       as ledger_paid
                            from funding.allocation_balances b
                            left join ledger.allocations l using (allocation_id)""")
                     if (r["amount_fen"], r["paid_fen"]) != (r["ledger_amount"], r["ledger_paid"])]
        return problems
    finally:
        await funding.close()
        await assessment.close()


async def test_the_programme_survives_chaos(private, chaos_stack):
    settings = stack_settings(private, chaos_stack)
    urls = {s: chaos_stack.url(s) for s in SERVICES}
    plan = generate(SEED, SIZE)
    chaos = Chaos(SEED, chaos_stack, private, between=BETWEEN, limit=FAULTS)
    stop = asyncio.Event()
    started = time.monotonic()
    monkey = asyncio.create_task(chaos.run(stop))
    try:
        api = await drive_plan(plan, settings, urls)
    finally:
        stop.set()
        log = await monkey
    drove_s = time.monotonic() - started
    record = FIGURES["chaos"] = log.as_dict() | {"drive_s": round(drove_s, 1)}
    print(f"\nchaos seed {SEED}: {log.counts()} in {drove_s:.0f} s")

    assert api.tally.failures == [], api.tally.failures[:5]
    assert api.summary.not_settled == [], api.summary.not_settled
    assert set(log.counts()) == set(KINDS) or FAULTS < len(KINDS), log.counts()
    for name, proc in chaos_stack.procs.items():
        assert proc.poll() is None, f"{name} exited ({proc.returncode})"

    states = await wait_all_published(settings)
    acknowledged = {s: {k for svc, k in api.acknowledged if svc == s} for s in SERVICES}
    for service in SERVICES:  # every acknowledged command is recorded under its key
        missing = acknowledged[service] - states[service]["keys"]
        assert not missing, f"{service}: {len(missing)} acknowledged commands left no record: {sorted(missing)[:3]}"
    record["commands_acknowledged"] = len(api.acknowledged)
    record["events"] = {s: st["domain_events"] for s, st in states.items()}

    report = await Checker(plan, urls["publicity"], assessment=urls["assessment"], settings=settings).run()
    assert report.differences == [], report.differences[:10]
    assert await money_differences(settings) == []

    record["topic_records_checked"] = sum([await assert_topic_order(settings, s) for s in SERVICES])
    await wait_projections_caught_up(settings)
    record["events_replayed_in_rebuilds"] = await assert_rebuild_equals_live(
        settings, SERVICES, skip=lambda p: isinstance(p, Reactor))

    # Retries never doubled anything: the whole plan again, same keys, adds no event. Counted
    # once every reactor has caught up (monitoring's alerts follow the other services' events).
    before = await settled_programme_events(settings)
    again = await drive_plan(plan, settings, urls)
    assert again.tally.failures == []
    assert await settled_programme_events(settings) == before
    print(f"chaos figures: {record | {'log': '…'}}")
