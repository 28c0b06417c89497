"""Reading an office's table: Chinese or English headers, CSV (UTF-8/GBK) or XLSX, bad rows by number."""

from __future__ import annotations

import pytest

from shared.contracts.registry import VillageRegistered

from services.registry.adapters.tables import UnreadableTable, read_table
from services.registry.domain.commands import RegisterVillage
from services.registry.domain.imports import HeaderError, Tally, judge, normalise_header, parse_rows, read_rows
from services.registry.domain.village import Village, registration, registration_json
from tests.support.registry import CHINESE_HEADERS, to_csv, to_xlsx, village_rows


@pytest.mark.parametrize(("header", "field"), [
    ("村代码", "code"), ("村名", "name"), ("区", "district"), ("镇/街", "town"), ("镇（街）", "town"),
    ("村类型", "village_type"), ("2018年村集体经营性收入(元)", "income_2018"),
    ("2019年村集体经营性收入（元）", "income_2019"), ("2020 年 收入", "income_2020"), ("income_2019", "income_2019"),
    ("Code", "code"), ("扶持需求", "needs"), ("备注", None), ("2018年人口", None),
])
def test_headers(header, field):
    assert normalise_header(header) == field


def test_missing_columns_are_named():
    with pytest.raises(HeaderError, match="income_2020"):
        parse_rows(CHINESE_HEADERS[:-1], [])


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_the_encodings_offices_use(encoding):
    rows = village_rows(3)
    headers, numbered = read_table("村表.csv", to_csv(rows, encoding=encoding))
    table = parse_rows(headers, numbered)
    assert [cmd.code for _, cmd in table.good] == [r["code"] for r in rows] and table.bad == []
    assert table.good[0][1].name == "导入0村"


def test_xlsx_with_numeric_codes_and_amounts():
    rows = village_rows(2)
    rows[1]["income_2019"] = "1234.5"
    headers, numbered = read_table("村表.xlsx", to_xlsx(rows))
    table = parse_rows(headers, numbered)
    assert [n for n, _ in table.good] == [2, 3]
    assert table.good[1][1].income_fen()["2019"] == 123_450


def test_every_bad_row_has_its_number_field_and_reason_and_blank_rows_are_skipped():
    rows = village_rows(4)
    rows[0]["income_2018"] = "1.234"
    rows[1] = {}
    rows[2]["code"] = "120114000001"  # not within 蓟州区 (120119)
    rows[3]["village_type"] = "其他"
    table = parse_rows(*read_table("t.csv", to_csv(rows)))
    assert [(b.row, b.field) for b in table.bad] == [(2, "income_2018"), (4, "code"), (5, "village_type")]
    assert table.rows == 3 and "村代码应以所属区代码" in table.bad[1].reason


def test_unreadable_files():
    with pytest.raises(UnreadableTable):
        read_table("x.xlsx", b"PK\x03\x04 not a workbook")
    with pytest.raises(UnreadableTable):
        read_table("x.pdf", b"%PDF")
    with pytest.raises(UnreadableTable):
        read_table("x.csv", b"")


def test_import_payload_text_is_the_validated_events():
    rows = village_rows(2, "120114")
    rows[0].update(name='引号"\\😀\u2028村', needs="农业、金融")
    for row in rows:
        cmd = RegisterVillage.model_validate(row)
        village = Village(cmd.code)
        village.register(cmd)
        assert registration_json(cmd) == village.pending[0].model_dump_json()
    assert set(registration(cmd)) == set(VillageRegistered.model_fields)


def test_verdicts_come_a_chunk_at_a_time_and_name_every_bad_row():
    rows = village_rows(5) + village_rows(1, "120114")
    rows[1]["income_2018"] = "1.234"
    rows[4]["code"] = rows[0]["code"]  # seen two chunks before
    asked: list[str] = []

    def refusal(district: str) -> str | None:
        asked.append(district)
        return "不在辖区 / not yours" if district == "120114" else None

    table = read_rows(*read_table("t.csv", to_csv(rows)))
    verdicts = list(judge(table, 2, refusal, registered={rows[2]["code"]}))
    assert [[cmd.code for cmd in v.good] for v in verdicts] == [[rows[0]["code"]], [rows[3]["code"]], []]
    tally = Tally.of(verdicts)
    assert tally.good == 2 and not tally.storable(partial=False) and tally.storable(partial=True)
    assert [(b["row"], b["field"]) for b in tally.bad_rows()] == [(3, "income_2018"), (4, "code"), (6, "code"),
                                                                   (7, "district")]
    assert asked == ["120119", "120114"]  # once per district


def test_a_table_without_good_rows_is_not_stored_even_in_part():
    assert not Tally().storable(partial=True) and not Tally().storable(partial=False)
