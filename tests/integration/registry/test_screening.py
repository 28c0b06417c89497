"""Screening runs against the real event store: designation, explicit supersession, re-derivation."""

from __future__ import annotations

import pytest

from shared.contracts.registry import ScreeningCompleted, ScreeningRankedPage
from shared.eventstore.errors import MAX_EVENT_BYTES, Conflict, DomainError
from shared.reference.places import DISTRICTS

from services.registry import handlers
from services.registry.domain.commands import CorrectIncome, RegisterVillage
from services.registry.domain.screening import RunScreening, rederive, whole
from services.registry.queries import screenings
from services.registry.adapters.tables import read_table
from services.registry.domain.imports import read_rows
from tests.integration.registry.conftest import CITY, count_events, importing, run
from tests.support.registry import to_csv, uid, village_rows
from tests.support.villages import village_body


async def register(store, n: int, start: int = 10_000) -> list[str]:
    codes = []
    for i in range(n):
        body = village_body("120117", income_2018=str(start + 10 * i), income_2019=str(start + 10 * i),
                            income_2020=str(start + 10 * i))
        await run(store, handlers.register_village, RegisterVillage.model_validate(body), CITY)
        codes.append(body["code"])
    return codes


async def test_bottom_n_designated_with_events_and_a_rederivable_record(store):
    codes = await register(store, 6)
    run_id = uid("run")
    result = await run(store, handlers.run_screening, RunScreening(run_id=run_id, quota=4), 800)
    assert result["designated"] == 4 and result["added"] == sorted(codes[:4]) and result["removed"] == []
    assert await count_events(store, "VillageDesignated") == 4
    *pages, summary = await store.read_stream(None, f"screening-{run_id}")
    assert [e.type for e in pages] == ["ScreeningRankedPage"] and summary.type == "ScreeningCompleted"
    assert ScreeningCompleted.model_validate(summary.payload).ranked == []  # the list is in the page
    recorded = whole(ScreeningCompleted.model_validate(summary.payload),
                     [ScreeningRankedPage.model_validate(e.payload) for e in pages])
    assert [r.code for r in recorded.ranked] == codes and recorded.cutoff_average_fen == recorded.ranked[3].average_fen
    assert rederive(recorded).matches
    verified = await run(store, screenings.verify, run_id)
    assert verified["matches"] and verified["inputs_match_register"]


async def test_a_correction_after_a_run_changes_nothing_until_a_new_run_supersedes_it(store):
    codes = await register(store, 5)
    first = uid("run")
    await run(store, handlers.run_screening, RunScreening(run_id=first, quota=2), 800)
    # The poorest village's income was understated: corrected, it is no longer among the bottom 2.
    await run(store, handlers.correct_income, CorrectIncome(year="2020", income="900000", reason="漏报"), CITY,
              code=codes[0])
    designated_before = await count_events(store, "VillageDesignated")
    assert (await run(store, screenings.verify, first))["matches"]  # still re-derives: inputs as of the run

    with pytest.raises(Conflict) as missing:
        await run(store, handlers.run_screening, RunScreening(run_id=uid("run"), quota=2), 800)
    assert missing.value.field == "supersedes"
    assert await count_events(store, "VillageDesignated") == designated_before

    second = uid("run")
    result = await run(store, handlers.run_screening, RunScreening(run_id=second, quota=2, supersedes=first), 800)
    assert result["added"] == [codes[2]] and result["removed"] == [codes[0]]
    [revoked] = [e for e in await store.read_stream(None, f"village-{codes[0]}") if e.type == "DesignationRevoked"]
    assert revoked.payload["run_id"] == second
    verified = await run(store, screenings.verify, second)
    assert verified["matches"], verified


async def test_supersedes_must_name_the_run_in_force(store):
    await register(store, 2)
    with pytest.raises(DomainError):
        await run(store, handlers.run_screening, RunScreening(run_id=uid("run"), quota=1, supersedes="nothing"), 800)
    first = uid("run")
    await run(store, handlers.run_screening, RunScreening(run_id=first, quota=1), 800)
    with pytest.raises(Conflict):
        await run(store, handlers.run_screening, RunScreening(run_id=uid("run"), quota=1, supersedes="older"), 800)
    with pytest.raises(Conflict):  # a run id is used once
        await run(store, handlers.run_screening, RunScreening(run_id=first, quota=1, supersedes=first), 800)


async def test_verification_catches_a_record_that_does_not_match_the_register(store):
    await register(store, 3)
    run_id = uid("run")
    await run(store, handlers.run_screening, RunScreening(run_id=run_id, quota=1), 800)
    async with store.pool.acquire() as conn:  # tamper with the stored inputs (never done by the code)
        await conn.execute(
            """update es.events set payload = jsonb_set(payload, '{ranked,0,income_fen,2018}', '1')
               where stream_id = $1""", f"screening-{run_id}")
    verified = await run(store, screenings.verify, run_id)
    assert not verified["matches"] and not verified["inputs_match_register"]


async def test_default_quota_and_no_villages(store):
    with pytest.raises(DomainError):
        await run(store, handlers.run_screening, RunScreening(run_id=uid("run")), 800)
    await register(store, 3)
    result = await run(store, handlers.run_screening, RunScreening(run_id=uid("run")), 2)
    assert result["quota"] == 2 and result["designated"] == 2


async def test_tianjin_scale_3520_villages_800_designated_and_verified(store):
    import time

    import orjson

    from services.registry.adapters.tables import read_table
    from services.registry.domain.imports import read_rows
    from tests.integration.registry.conftest import CITY
    from tests.support.registry import to_csv, village_rows

    rows = [r for i, d in enumerate(("120110", "120111", "120112", "120113", "120114", "120115", "120117", "120118"))
            for r in village_rows(440, d, base=10_000 + 37 * i)]
    await run(store, handlers.import_villages, importing(False), read_rows(*read_table("t.csv", to_csv(rows))), CITY)
    started = time.perf_counter()
    result = await run(store, handlers.run_screening, RunScreening(run_id=uid("run")), 800)
    ran = time.perf_counter() - started
    started = time.perf_counter()
    verified = await run(store, screenings.verify, result["run_id"])
    checked = time.perf_counter() - started
    events = await store.read_stream(None, f"screening-{result['run_id']}")
    size = max(len(orjson.dumps(e.model_dump(mode="json"))) for e in events)
    print(f"\n筛选 3,520 村 / screening 3,520 villages: run {ran:.2f} s, verify {checked:.2f} s, "
          f"{len(events)} events, the largest {size / 1024:.0f} KiB")
    assert result["designated"] == 800 and result["villages_ranked"] == 3520 and verified["matches"]
    assert await count_events(store, "VillageDesignated") == 800
    assert size <= MAX_EVENT_BYTES and len(events) == 9  # 8 pages of ≤ 500 villages and the summary


async def test_a_run_over_8100_villages_is_recorded_in_pages_below_the_event_limit(store):
    rows = [r for d in DISTRICTS for r in village_rows(900, d)]
    headers, table = read_table("villages.csv", to_csv(rows))
    assert (await run(store, handlers.import_villages, importing(False), read_rows(headers, table), CITY))["imported"] == 8100
    run_id = uid("run")
    result = await run(store, handlers.run_screening, RunScreening(run_id=run_id, quota=800), 800)
    assert result["villages_ranked"] == 8100 and result["designated"] == 800
    async with store.pool.acquire() as conn:
        largest = await conn.fetchrow(
            "select type, octet_length(payload::text) as size from es.events order by 2 desc limit 1")
        pages = await conn.fetchval("select count(*) from es.events where type = 'ScreeningRankedPage'")
    assert largest["size"] <= MAX_EVENT_BYTES, dict(largest)
    assert pages == 17  # 8,100 villages, 500 a page
    verified = await run(store, screenings.verify, run_id)
    assert verified["matches"] and verified["inputs_match_register"] and verified["designated"] == 800
    listed = (await run(store, screenings.runs))["items"]
    assert [(r["run_id"], r["villages_ranked"]) for r in listed] == [(run_id, 8100)]
