"""The ledger and reconciliation: every yuan traced, by period, source, district and village;
breaks flagged; CSV and XLSX; the ledger comes out the same whatever order partitions arrive in."""

from __future__ import annotations

import csv
import io
import zlib
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from shared.contracts.funding import (
    BudgetAppropriated,
    DisbursementApproved,
    DisbursementPaid,
    DisbursementRequested,
    FundsAllocated,
    Tranche,
)
from shared.eventstore import CommandMeta
from shared.messaging.kafka import encode
from shared.projections import Delivery

from services.funding.domain.commands import ReverseDisbursement
from services.funding.handlers import disbursements
from services.funding.queries import export
from services.funding.queries.reconciliation import reconcile
from tests.integration.funding import steps
from tests.integration.funding.conftest import CITY

YEAR = (date(2022, 1, 1), date(2022, 12, 31))


def on(month: int, day: int) -> datetime:
    return datetime(2022, month, day, 10, tzinfo=UTC)


async def story(h) -> dict:
    """Two lines, three allocations, a payment, a reversed payment and a pending request."""
    jizhou, wuqing = await h.village("120119"), await h.village("120114")
    h.at = on(1, 10)
    city = await steps.line(h, "10000.00", source="city_special")
    district = await steps.line(h, "5000.00", source="district", scope="120114")
    h.at = on(3, 1)
    a1 = await steps.allocate(h, city, jizhou, "4000.00")
    h.at = on(4, 1)
    a2 = await steps.allocate(h, district, wuqing, "3000.00")
    a3 = await steps.allocate(h, city, wuqing, "1000.00")
    h.at = on(5, 10)
    await steps.paid(h, a1, "1500.00")
    h.at = on(6, 10)
    reversed_ = await steps.paid(h, a2, "1000.00")
    h.at = on(6, 20)
    await h.run(lambda uow: disbursements.reverse(uow, ReverseDisbursement(reason="账户错误"), CITY, disbursement_id=reversed_))
    await steps.request(h, a3, "500.00")
    h.at = None
    await h.sync_ledger()
    return {"city": city, "district": district, "a1": a1, "a2": a2, "a3": a3, "jizhou": jizhou, "wuqing": wuqing}


async def report(h, start: date, end: date, **kw) -> dict:
    async with h.pool.acquire() as conn:
        return await reconcile(conn, start, end, **kw)


async def test_every_yuan_traced_by_source_district_and_village(funding):
    s = await story(funding)
    r = await report(funding, *YEAR)
    assert r["totals"] == {"appropriated": "15000.00", "allocated": "8000.00", "paid": "1500.00",
                           "appropriated_in_period": "15000.00", "allocated_in_period": "8000.00",
                           "paid_in_period": "1500.00"}
    by_source = {g["source"]: (g["appropriated"], g["allocated"], g["paid"]) for g in r["by_source"]}
    assert by_source == {"city_special": ("10000.00", "5000.00", "1500.00"), "district": ("5000.00", "3000.00", "0.00")}
    by_district = {g["district"]: (g["allocated"], g["paid"]) for g in r["by_district"]}
    assert by_district == {"120119": ("4000.00", "1500.00"), "120114": ("4000.00", "0.00")}
    rows = {a["allocation_id"]: (a["village_code"], a["allocated"], a["paid"], a["pending"]) for a in r["allocations"]}
    assert rows == {s["a1"]: (s["jizhou"], "4000.00", "1500.00", "0.00"),
                    s["a2"]: (s["wuqing"], "3000.00", "0.00", "0.00"),
                    s["a3"]: (s["wuqing"], "1000.00", "0.00", "500.00")}
    assert len(r["payments"]) == 2 and r["breaks"] == [] and r["traced"]["balanced"]


async def test_periods_and_as_of_dates(funding):
    s = await story(funding)
    may = await report(funding, date(2022, 5, 1), date(2022, 5, 31))
    assert may["totals"]["paid_in_period"] == "1500.00" and may["totals"]["allocated_in_period"] == "0.00"
    assert may["totals"]["allocated"] == "8000.00"  # cumulative as of the end
    march = await report(funding, date(2022, 1, 1), date(2022, 3, 15))
    assert [a["allocation_id"] for a in march["allocations"]] == [s["a1"]]
    june = await report(funding, date(2022, 6, 1), date(2022, 6, 15))  # paid, not yet reversed
    assert june["totals"]["paid_in_period"] == "1000.00"
    wuqing = await report(funding, *YEAR, district="120114")
    assert [line["line_id"] for line in wuqing["lines"]] == [s["district"]]
    assert {a["allocation_id"] for a in wuqing["allocations"]} == {s["a2"], s["a3"]}


async def test_breaks_are_flagged_when_the_log_holds_them(funding):
    """Events written past the handlers (as an import or a tampered source might) are caught."""
    await story(funding)
    village = await funding.village()
    meta = CommandMeta(actor="import:legacy", occurred_at=on(8, 1))
    common = {"line_id": "L-bad", "source": "other", "village_code": village, "district": village[:6]}
    streams = {
        "line-L-bad": [BudgetAppropriated(line_id="L-bad", source="other", fiscal_year=2022, scope="city",
                                          title="旧账", amount_fen=10000)],
        "allocation-A-bad": [FundsAllocated(allocation_id="A-bad", fiscal_year=2022, amount_fen=20000,
                                            project_id="P-bad", tranches=[Tranche(tranche_no=1, amount_fen=20000,
                                                                                  milestone_id="M-bad")], **common)],
        "disbursement-D-noapproval": [
            DisbursementRequested(disbursement_id="D-noapproval", allocation_id="A-bad", amount_fen=100,
                                  requested_by="x", **common),
            DisbursementPaid(disbursement_id="D-noapproval", allocation_id="A-bad", amount_fen=100,
                             paid_on=date(2022, 8, 1), voucher_no="V", **common)],
        "disbursement-D-self": [
            DisbursementRequested(disbursement_id="D-self", allocation_id="A-bad", amount_fen=100, tranche_no=1,
                                  requested_by="x", **common),
            DisbursementApproved(disbursement_id="D-self", allocation_id="A-bad", village_code=village,
                                 district=village[:6], amount_fen=100, approved_by="x"),
            DisbursementPaid(disbursement_id="D-self", allocation_id="A-bad", amount_fen=100,
                             paid_on=date(2022, 8, 2), voucher_no="V2", **common)],
    }
    async with funding.pool.acquire() as conn, conn.transaction():
        for stream, events in streams.items():
            await funding.store.append(conn, stream, 0, events, meta)
    await funding.sync_ledger()
    r = await report(funding, *YEAR)
    kinds = {(b["kind"], b["disbursement_id"] or b["allocation_id"]) for b in r["breaks"]}
    assert kinds == {("allocation_above_line", "A-bad"), ("payment_without_approval", "D-noapproval"),
                     ("approved_by_requester", "D-self"), ("tranche_paid_before_milestone", "D-self")}
    flagged = next(a for a in r["allocations"] if a["allocation_id"] == "A-bad")["flags"]
    assert flagged == ["allocation_above_line", "approved_by_requester", "payment_without_approval",
                       "tranche_paid_before_milestone"]
    clean = await report(funding, date(2022, 1, 1), date(2022, 7, 31))  # before the bad events
    assert clean["breaks"] == []


async def test_exports_carry_the_same_figures(funding):
    s = await story(funding)
    r = await report(funding, *YEAR)
    rows = list(csv.DictReader(io.StringIO(export.to_csv(r, "allocations").lstrip("\ufeff"))))
    assert {row["分配 allocation"]: row["已支付 paid"] for row in rows}[s["a1"]] == "1500.00"
    book = load_workbook(io.BytesIO(export.to_xlsx(r)))
    assert book.sheetnames == ["汇总 Summary", "预算线 Lines", "分配 Allocations", "拨付 Payments", "异常 Breaks"]
    lines = list(book["预算线 Lines"].iter_rows(min_row=2, values_only=True))
    assert sum(row[5] for row in lines) == 15000  # appropriated, as numbers a spreadsheet can sum


async def test_ledger_is_the_same_whatever_order_the_partitions_arrive_in(funding):
    await story(funding)
    ledger = funding.runners["ledger"]
    live = await ledger.snapshot()
    async with funding.pool.acquire() as conn:
        for table in ledger.projection.tables:
            await conn.execute(f"truncate {table}")
        await conn.execute("delete from proj.positions where projection = 'ledger'")
    # Keyed by stream as the relay publishes; then partitions consumed one after another.
    partitions: dict[int, list] = {}
    for event in await funding.store.read_all(limit=100_000):
        partitions.setdefault(zlib.crc32(event.stream_id.encode()) % 3, []).append(event)
    for p in sorted(partitions, reverse=True):
        await ledger.apply_batch([Delivery("funding.events", p, i, encode(e), {}) for i, e in enumerate(partitions[p])])
    assert await ledger.snapshot() == live



async def test_cli_prints_and_writes_the_reconciliation(funding, tmp_path, monkeypatch):
    """The command officials run: the same report, printed and written as XLSX."""
    import asyncio

    from typer.testing import CliRunner

    from services.funding.entrypoints import cli

    await story(funding)

    class Here:  # the harness's own database instead of the configured one
        def dsn(self, service: str) -> str:
            return funding.dsn

    monkeypatch.setattr(cli, "get_settings", Here)
    out = tmp_path / "recon.xlsx"
    result = await asyncio.to_thread(CliRunner().invoke, cli.app, [
        "--from", "2022-01-01", "--to", "2022-12-31", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "city_special" in result.output and "10000.00" in result.output and "breaks: 0" in result.output
    assert load_workbook(out).sheetnames[0] == "汇总 Summary"
    bad = await asyncio.to_thread(CliRunner().invoke, cli.app, ["--from", "2022-13-01", "--to", "2022-12-31"])
    assert bad.exit_code != 0
