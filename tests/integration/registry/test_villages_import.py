"""Importing a district office's table: every bad row reported; all or nothing unless partial."""

from __future__ import annotations

import csv
import io
import time

import pytest

import shared.eventstore.bulk as bulk
from shared.eventstore import EventStore
from shared.eventstore.errors import DomainError, Forbidden

from services.registry.adapters.schema import CHAIN
from services.registry import handlers
from services.registry.adapters.tables import read_table
from services.registry.domain.commands import CorrectIncome, RegisterVillage
from services.registry.domain.imports import read_rows
from services.registry.handlers import villages
from tests.integration.registry.conftest import CITY, count_events, importing, official, run
from tests.support.db import dispose, fresh_store_pool
from tests.support.registry import CHINESE_HEADERS, FIELDS, to_csv, to_xlsx, village_rows


def table(data: bytes, name: str = "villages.csv"):
    headers, rows = read_table(name, data)
    return read_rows(headers, rows)


async def test_3520_rows_import_in_seconds_as_one_batch(store):
    rows = [r for d in ("120110", "120111", "120112", "120113", "120114", "120115", "120117", "120118")
            for r in village_rows(440, d)]
    assert len(rows) == 3520
    data = to_xlsx(rows)
    started = time.perf_counter()
    report = await run(store, handlers.import_villages, importing(False), table(data, "villages.xlsx"), CITY)
    elapsed = time.perf_counter() - started
    print(f"\n3,520 行 XLSX 导入 / 3,520-row XLSX import: {elapsed:.2f} s")
    assert report["written"] and report["imported"] == 3520 and report["bad_rows"] == []
    assert await count_events(store, "VillageRegistered") == 3520
    assert elapsed < 10


async def test_bad_rows_are_each_reported_and_nothing_is_written(store):
    rows = village_rows(5)
    rows[1]["income_2019"] = "-3"
    rows[2]["district"] = "和平区"
    rows[3]["code"] = rows[0]["code"]
    report = await run(store, handlers.import_villages, importing(False), table(to_csv(rows, encoding="gb18030")),
                       CITY)
    assert not report["written"] and report["imported"] == 0
    assert [(b["row"], b["field"]) for b in report["bad_rows"]] == [(3, "income_2019"), (4, "district"), (5, "code")]
    assert "重复" in report["bad_rows"][2]["reason"] and "repeats row 2" in report["bad_rows"][2]["reason"]
    assert await count_events(store) == 0


async def test_partial_writes_only_the_good_rows(store):
    rows = village_rows(4)
    rows[2]["village_type"] = "未知型"
    report = await run(store, handlers.import_villages, importing(True), table(to_csv(rows)), CITY)
    assert report["written"] and report["imported"] == 3
    assert [(b["row"], b["field"]) for b in report["bad_rows"]] == [(4, "village_type")]
    assert await count_events(store, "VillageRegistered") == 3


async def test_already_registered_and_other_districts_are_bad_rows(store):
    rows = village_rows(2, "120119") + village_rows(1, "120114")
    await run(store, handlers.register_village, RegisterVillage.model_validate(rows[0]), CITY)
    report = await run(store, handlers.import_villages, importing(False), table(to_csv(rows)), official("120119"))
    reasons = {b["row"]: b["field"] for b in report["bad_rows"]}
    assert reasons == {2: "code", 4: "district"} and not report["written"]
    assert await count_events(store) == 1


async def test_a_code_already_registered_after_a_bad_row_is_reported_too(store):
    rows = village_rows(3, "120119")
    rows[0]["village_type"] = "其他"
    await run(store, handlers.register_village, RegisterVillage.model_validate(rows[2]), CITY)
    report = await run(store, handlers.import_villages, importing(False), table(to_csv(rows)), CITY)
    assert [(b["row"], b["field"]) for b in report["bad_rows"]] == [(2, "village_type"), (4, "code")]
    assert not report["written"] and report["imported"] == 0 and report["good_rows"] == 1
    assert await count_events(store) == 1


async def test_english_headers_are_accepted(store):
    headers = ["code", "name", "district", "town", "village_type", "income_2018", "income_2019", "income_2020"]
    report = await run(store, handlers.import_villages, importing(False), table(to_csv(village_rows(3), headers)),
                       CITY)
    assert report["imported"] == 3


async def test_correction_is_an_event_with_reason_and_actor(store):
    body = village_rows(1, "120114")[0]
    await run(store, handlers.register_village, RegisterVillage.model_validate(body), CITY)
    cmd = CorrectIncome(year="2019", income="88000.10", reason="审计更正 / audit")
    await run(store, handlers.correct_income, cmd, official("120114"), code=body["code"])
    [_, corrected] = await store.read_stream(None, f"village-{body['code']}")
    assert corrected.type == "VillageIncomeCorrected" and corrected.actor == "test:office"
    assert corrected.payload["income_fen"] == 8_800_010
    assert corrected.payload["previous_fen"] == int(body["income_2019"]) * 100
    assert corrected.payload["reason"] == "审计更正 / audit"
    with pytest.raises(DomainError):  # the same figure again is no correction
        await run(store, handlers.correct_income, cmd, CITY, code=body["code"])
    with pytest.raises(Forbidden):
        await run(store, handlers.correct_income, cmd.model_copy(update={"income": 1}), official("120119"),
                  code=body["code"])
    assert await count_events(store, "VillageIncomeCorrected") == 1


async def test_imported_events_equal_the_one_by_one_registrations(store, settings):
    """The import builds each payload from the validated row without validating it again as an
    event: what it stores must be exactly what registering the village alone stores."""
    rows = village_rows(6, "120114")
    names = ['引号"村', "反斜杠\\村", "表情😀村", "行\u2028分隔村", "  空格 村 ", "Tab\t村"]
    for row, name, amount in zip(rows, names, ["0", "0.5", "1234.56", "100000000000", "7.10", "99"], strict=True):
        row.update(name=name, income_2019=amount)
    headers = [*CHINESE_HEADERS, "扶持需求"]
    needs = ["农业、金融", "", "education", "卫生健康,交通", "", "agriculture"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([*(row[f] for f in FIELDS), need] for row, need in zip(rows, needs, strict=True))
    report = await run(store, handlers.import_villages, importing(False), table(out.getvalue().encode()), CITY)
    assert report["imported"] == 6
    name, pool = await fresh_store_pool(settings, "reg1", chain=CHAIN)
    try:
        alone = EventStore(pool, "registry")
        for row, need in zip(rows, needs, strict=True):
            await run(alone, handlers.register_village,
                      RegisterVillage.model_validate(row | ({"needs": need} if need else {})), CITY)
        stored = {}
        for each in (store, alone):
            async with each.pool.acquire() as conn:
                stored[each] = await conn.fetch("select stream_id, stream_version, type, schema_version, payload::text"
                                                " from es.events order by stream_id")
        assert stored[store] == stored[alone] and len(stored[store]) == 6
        assert any("😀" in r["payload"] for r in stored[store])
    finally:
        await dispose(settings, name, pool)


async def test_a_bad_row_after_stored_chunks_rolls_them_back(store, monkeypatch):
    monkeypatch.setattr(villages, "VALIDATED_AT_ONCE", 3)
    monkeypatch.setattr(bulk, "CHUNK", 3)  # several chunks stored before the bad row is read
    rows = village_rows(12)
    rows[10]["income_2020"] = "1.234"
    report = await run(store, handlers.import_villages, importing(False), table(to_csv(rows)), CITY, key="late-bad")
    assert not report["written"] and report["imported"] == 0 and report["good_rows"] == 11
    assert [(b["row"], b["field"]) for b in report["bad_rows"]] == [(12, "income_2020")]
    assert await count_events(store) == 0
    rows[10]["income_2020"] = "1.23"
    report = await run(store, handlers.import_villages, importing(False), table(to_csv(rows)), CITY, key="fixed")
    assert report["written"] and report["imported"] == 12
    again = await run(store, handlers.import_villages, importing(False), table(to_csv(rows)), CITY, key="fixed")
    assert again == report and await count_events(store, "VillageRegistered") == 12


async def test_partial_writes_around_already_registered_codes(store):
    rows = village_rows(3, "120119")
    await run(store, handlers.register_village, RegisterVillage.model_validate(rows[1]), CITY)
    report = await run(store, handlers.import_villages, importing(True), table(to_csv(rows)), CITY)
    assert report["written"] and report["imported"] == 2 and report["good_rows"] == 2
    assert [(b["row"], b["field"]) for b in report["bad_rows"]] == [(3, "code")]
    assert await count_events(store, "VillageRegistered") == 3
