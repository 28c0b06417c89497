"""公示期异议 against PostgreSQL: a run's window opened, objections lodged (sealed) and answered,
the list confirmed — or, an objection upheld, changed by a new run that supersedes it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.eventstore import CommandMeta
from shared.eventstore.errors import Conflict
from shared.privacy import keys
from shared.privacy.sealed import ERASED

from services.registry import handlers
from services.registry.domain.objections import AnswerObjection, ConfirmDesignation, LodgeObjection, OpenObjectionWindow
from services.registry.domain.screening import RunScreening
from services.registry.handlers.objections import objector_subject
from services.registry.queries.objections import objections
from tests.integration.registry.conftest import CITY, count_events, official, run
from tests.integration.registry.network import designated_villages, run_in_force
from tests.support.registry import uid


def on(day: str) -> CommandMeta:
    return CommandMeta(actor="test", occurred_at=datetime.fromisoformat(day + "T09:00:00").replace(tzinfo=UTC))


async def test_objections_in_the_window_are_sealed_answered_and_the_list_confirmed(store):
    a, b = await designated_villages(store, 2)
    run_id = await run_in_force(store)
    window = await run(store, handlers.open_objection_window, OpenObjectionWindow(opens_on=date(2021, 3, 2)), 7,
                       run_id=run_id)
    assert (window["opens_on"], window["closes_on"]) == (date(2021, 3, 2), date(2021, 3, 8))
    clerk = official("120119")
    await run(store, handlers.lodge_objection, LodgeObjection(
        objection_id="o1", village_code=a, objector="王保密", grounds="该村另有集体收入未计入"), clerk, run_id=run_id,
        meta=on("2021-03-05"))
    before = await count_events(store)
    with pytest.raises(Conflict, match="not on 2021-03-09"):
        await run(store, handlers.lodge_objection, LodgeObjection(
            objection_id="o2", village_code=b, objector="李某", grounds="迟到的异议"), clerk, run_id=run_id,
            meta=on("2021-03-09"))
    with pytest.raises(Conflict, match="runs to 2021-03-08"):  # and not confirmed while it runs
        await run(store, handlers.confirm_designation, ConfirmDesignation(), run_id=run_id, meta=on("2021-03-08"))
    assert await count_events(store) == before

    await run(store, handlers.answer_objection, AnswerObjection(outcome="dismissed", reason="经核实已计入"), CITY,
              run_id=run_id, objection_id="o1", meta=on("2021-03-09"))
    confirmed = await run(store, handlers.confirm_designation, ConfirmDesignation(), run_id=run_id,
                          meta=on("2021-03-10"))
    assert (confirmed["confirmed_on"], confirmed["objections"], confirmed["designated"]) == (date(2021, 3, 10), 1, 2)

    # On the topic: sealed. Through the registry's read: opened, for the district's officials too.
    async with store.pool.acquire() as conn:
        payloads = [r["payload"] for r in await conn.fetch(
            "select payload::text as payload from es.events where stream_id = $1", f"objections-{run_id}")]
    assert payloads and not any("王保密" in p or "未计入" in p or "已计入" in p for p in payloads)
    shown = await run(store, objections, run_id)
    assert [(o["objector"], o["grounds"], o["outcome"], o["reason"]) for o in shown["objections"]] == [
        ("王保密", "该村另有集体收入未计入", "dismissed", "经核实已计入")]
    assert shown["confirmed_on"] == date(2021, 3, 10)
    assert (await run(store, objections, run_id, "120114"))["objections"] == []  # another district's officials
    async with store.pool.acquire() as conn:
        await keys.erase(conn, objector_subject(run_id, "o1"))
    assert (await run(store, objections, run_id))["objections"][0]["objector"] == ERASED


async def test_an_upheld_objection_changes_the_list_by_a_new_run_not_a_confirmation(store):
    a, _ = await designated_villages(store, 2)
    run_id = await run_in_force(store)
    await run(store, handlers.open_objection_window, OpenObjectionWindow(opens_on=date(2021, 3, 2)), 7, run_id=run_id)
    await run(store, handlers.lodge_objection, LodgeObjection(
        objection_id="o1", village_code=a, objector="王某", grounds="收入统计有误"), official("120119"), run_id=run_id,
        meta=on("2021-03-03"))
    await run(store, handlers.answer_objection, AnswerObjection(outcome="upheld", reason="属实，重新筛选"), CITY,
              run_id=run_id, objection_id="o1", meta=on("2021-03-04"))
    with pytest.raises(Conflict, match="new screening run"):
        await run(store, handlers.confirm_designation, ConfirmDesignation(), run_id=run_id, meta=on("2021-03-10"))

    new_run = uid("run")
    await run(store, handlers.run_screening, RunScreening(run_id=new_run, quota=1_000_000, supersedes=run_id), 800)
    before = await count_events(store)
    with pytest.raises(Conflict, match=f"superseded by {new_run}"):  # within its window, but no longer in force
        await run(store, handlers.lodge_objection, LodgeObjection(
            objection_id="o2", village_code=a, objector="李某", grounds="另一异议"), official("120119"), run_id=run_id,
            meta=on("2021-03-05"))
    assert await count_events(store) == before
    # The new run has a window of its own.
    opened = await run(store, handlers.open_objection_window, OpenObjectionWindow(opens_on=date(2021, 4, 1)), 5,
                       run_id=new_run)
    assert opened["closes_on"] == date(2021, 4, 5)
