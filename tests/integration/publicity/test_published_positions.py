"""A published notice or report keeps the log positions its figures were drawn at: after a
correction back-dated before the publication, it reads the same, byte for byte. The timeline
and the overview, asked as known at the positions an earlier answer stated, answer as then."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from fastapi import FastAPI

from shared.contracts import funding as F
from shared.contracts import registry as R
from shared.eventstore import CommandMeta, EventStore, UnitOfWork
from shared.http.errors import install_error_handlers

from services.publicity import handlers
from services.publicity.domain.commands import DraftReport, PublishNotice, PublishReport, SubmitReport
from services.publicity.entrypoints.routes import figures, notices, reports, stats
from tests.integration.publicity.scenario import Step, at
from tests.integration.publicity.support import fed

REPORT_FIGURES = ["villages_designated", "disbursed", "allocated", "weak_without_team"]


async def _run(pool, handler, cmd, *args, **ids) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await handler(UnitOfWork(conn, EventStore(pool, "publicity"), CommandMeta(actor="test")), cmd, *args, **ids)


async def _publicity_steps(pool, *streams: str) -> list[Step]:
    """What the commands recorded, as the publications projection receives it from publicity.events."""
    store = EventStore(pool, "publicity")
    async with pool.acquire() as conn:
        return [Step("publicity", stream, e.occurred_at, e.decode())
                for stream in streams for e in await store.read_stream(conn, stream)]


@pytest.fixture(scope="module")
async def published(settings):
    """``(scenario, client, answers before the correction)``, the correction then applied."""
    async with fed(settings, "pubpos", max_size=3) as w:
        s, feeder, pool = w.scenario, w.feeder, w.pool
        notice_id, report_id = f"notice-{s.tag}", f"report-{s.tag}"
        await _run(pool, handlers.publish_notice, PublishNotice(
            notice_id=notice_id, title="经济薄弱村名单公示", window_from=date(2021, 3, 2), window_to=date(2021, 3, 8)))
        await _run(pool, handlers.draft_report, DraftReport(
            report_id=report_id, title="全市薄弱村帮扶进展", body="数字见下。", figures=REPORT_FIGURES), "author")
        await _run(pool, handlers.submit_report, SubmitReport(), "author", report_id=report_id)
        await _run(pool, handlers.publish_report, PublishReport(channels=["internet"], published_on=date(2022, 1, 5)),
                   report_id=report_id)
        await feeder.feed(await _publicity_steps(pool, f"notice-{notice_id}", f"report-{report_id}"))

        app = FastAPI()
        install_error_handlers(app)
        for module in (stats, figures, notices, reports):
            app.include_router(module.router)
        app.state.store = type("Store", (), {"pool": pool})()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://publicity") as client:
            first = {path: await client.get(path) for path in (
                f"/notices/{notice_id}", f"/reports/{report_id}", "/stats/timeline/villages_designated?to=2021-12-31",
                "/stats/timeline/disbursed?to=2021-12-31", "/stats/overview?as_of=2021-12-31",
                "/stats/headline?as_of=2021-12-31")}
            # Recorded later, dated before the publications: village d's designation revoked, the
            # payment reversed, village a moved to another town, a village registered in 2021.
            late = f"{s.district}{999_000 + int(s.tag[1:]) % 1000:06d}"
            await feeder.feed([
                Step("registry", f"village-{s.d}", at("2021-06-30"), R.DesignationRevoked(
                    code=s.d, district=s.d[:6], run_id=None, reason="复核撤销")),
                Step("funding", f"disbursement-{s.paid}", at("2021-06-25"), F.DisbursementReversed(
                    disbursement_id=s.paid, line_id=s.line, source="city_special", amount_fen=100_000_00,
                    reason="冲销", allocation_id=s.allocation, village_code=s.a, district=s.district)),
                Step("registry", f"village-{s.a}", at("2021-02-01"), R.VillageAttributesChanged(
                    code=s.a, district=s.district, town="新镇", village_type="agriculture", needs=[],
                    changed=["town"], previous=R.VillageAttributes(town="测试镇", village_type="agriculture",
                                                                   needs=[]), reason="区划调整")),
                Step("registry", f"village-{late}", at("2021-01-10"), R.VillageRegistered(
                    code=late, name="补录村", district=s.district, town="测试镇", village_type="agriculture",
                    income_fen={"2018": 1, "2019": 1, "2020": 1})),
            ])
            yield s, client, first, (notice_id, report_id)


def _known_at(answer: httpx.Response) -> str:
    return " ".join(f"{k}:{v}" for k, v in sorted(answer.json()["log_positions"].items()))


async def test_a_published_notice_reads_the_same_after_a_back_dated_correction(published):
    s, client, first, (notice_id, _) = published
    before = first[f"/notices/{notice_id}"]
    assert before.status_code == 200, before.text
    shown = before.json()
    # Today's designated villages, by code; rank and average as designated.
    assert [(v["code"], v["town"], v["rank"], v["average_yuan"]) for v in shown["list"]] == sorted(
        [(s.a, "测试镇", 1, "50000.00"), (s.d, "测试镇", 2, "60000.00")])
    again = await client.get(f"/notices/{notice_id}")
    assert again.content == before.content
    assert shown["log_positions"] == first[f"/reports/{published[3][1]}"].json()["log_positions"]


async def test_a_published_report_keeps_its_figures_after_a_back_dated_correction(published):
    s, client, first, (_, report_id) = published
    before = first[f"/reports/{report_id}"]
    assert before.status_code == 200, before.text
    figures_then = {f["metric"]: f["value"] for f in before.json()["figures"]}
    assert figures_then == {"villages_designated": 2, "disbursed": "100000.00", "allocated": "300000.00",
                            "weak_without_team": 1}
    again = await client.get(f"/reports/{report_id}")
    assert again.content == before.content
    # Live, the same figures are now different: the positions are what keeps them.
    live = (await client.get("/stats/headline")).json()["headline"]
    assert (live["villages_designated"], live["disbursed_yuan"]) == (1, "0.00")


async def test_the_timeline_and_the_overview_as_known_at_answer_as_before(published):
    _, client, first, _ = published
    known_at = _known_at(first["/stats/headline?as_of=2021-12-31"])
    for path in ("/stats/timeline/villages_designated?to=2021-12-31", "/stats/timeline/disbursed?to=2021-12-31",
                 "/stats/overview?as_of=2021-12-31"):
        assert first[path].status_code == 200, first[path].text
        now = await client.get(path)
        assert now.content != first[path].content, f"{path}: the back-dated correction changes it"
        then = await client.get(f"{path}&known_at={known_at}")
        assert then.status_code == 200 and then.content == first[path].content, path
    bad = await client.get("/stats/timeline/disbursed", params={"known_at": "ledger:3"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "known_at"]
    bad = await client.get("/stats/overview", params={"known_at": "registry:x"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "known_at"]
