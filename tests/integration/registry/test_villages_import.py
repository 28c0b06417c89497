"""Importing a district office's table: every bad row reported; all or nothing unless partial."""

from __future__ import annotations

import time

import pytest

from shared.eventstore.errors import DomainError, Forbidden

from services.registry import handlers
from services.registry.adapters.tables import read_table
from services.registry.domain.commands import CorrectIncome, RegisterVillage
from services.registry.domain.imports import parse_rows
from tests.integration.registry.conftest import CITY, count_events, official, run
from tests.support.registry import to_csv, to_xlsx, village_rows


def table(data: bytes, name: str = "villages.csv"):
    headers, rows = read_table(name, data)
    return parse_rows(headers, rows)


async def test_3520_rows_import_in_seconds_as_one_batch(store):
    rows = [r for d in ("120110", "120111", "120112", "120113", "120114", "120115", "120117", "120118")
            for r in village_rows(440, d)]
    assert len(rows) == 3520
    data = to_xlsx(rows)
    started = time.perf_counter()
    report = await run(store, handlers.import_villages, table(data, "villages.xlsx"), CITY, False)
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
    report = await run(store, handlers.import_villages, table(to_csv(rows, encoding="gb18030")), CITY, False)
    assert not report["written"] and report["imported"] == 0
    assert [(b["row"], b["field"]) for b in report["bad_rows"]] == [(3, "income_2019"), (4, "district"), (5, "code")]
    assert "重复" in report["bad_rows"][2]["reason"] and "repeats row 2" in report["bad_rows"][2]["reason"]
    assert await count_events(store) == 0


async def test_partial_writes_only_the_good_rows(store):
    rows = village_rows(4)
    rows[2]["village_type"] = "未知型"
    report = await run(store, handlers.import_villages, table(to_csv(rows)), CITY, True)
    assert report["written"] and report["imported"] == 3
    assert [(b["row"], b["field"]) for b in report["bad_rows"]] == [(4, "village_type")]
    assert await count_events(store, "VillageRegistered") == 3


async def test_already_registered_and_other_districts_are_bad_rows(store):
    rows = village_rows(2, "120119") + village_rows(1, "120114")
    await run(store, handlers.register_village, RegisterVillage.model_validate(rows[0]))
    report = await run(store, handlers.import_villages, table(to_csv(rows)), official("120119"), False)
    reasons = {b["row"]: b["field"] for b in report["bad_rows"]}
    assert reasons == {2: "code", 4: "district"} and not report["written"]
    assert await count_events(store) == 1


async def test_english_headers_are_accepted(store):
    headers = ["code", "name", "district", "town", "village_type", "income_2018", "income_2019", "income_2020"]
    report = await run(store, handlers.import_villages, table(to_csv(village_rows(3), headers)), CITY, False)
    assert report["imported"] == 3


async def test_correction_is_an_event_with_reason_and_actor(store):
    body = village_rows(1, "120114")[0]
    await run(store, handlers.register_village, RegisterVillage.model_validate(body))
    cmd = CorrectIncome(year="2019", income="88000.10", reason="审计更正 / audit")
    await run(store, handlers.correct_income, body["code"], cmd, official("120114"))
    [_, corrected] = await store.read_stream(None, f"village-{body['code']}")
    assert corrected.type == "VillageIncomeCorrected" and corrected.actor == "test:office"
    assert corrected.payload["income_fen"] == 8_800_010
    assert corrected.payload["previous_fen"] == int(body["income_2019"]) * 100
    assert corrected.payload["reason"] == "审计更正 / audit"
    with pytest.raises(DomainError):  # the same figure again is no correction
        await run(store, handlers.correct_income, body["code"], cmd, CITY)
    with pytest.raises(Forbidden):
        await run(store, handlers.correct_income, body["code"], cmd.model_copy(update={"income": 1}), official("120119"))
    assert await count_events(store, "VillageIncomeCorrected") == 1
