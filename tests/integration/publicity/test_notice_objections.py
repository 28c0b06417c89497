"""公示 follows registry's objection window: a notice of a run shows the window, how many objections
are open, upheld or dismissed, and the list's confirmation — counts only, never a person."""

from __future__ import annotations

from datetime import date

import httpx
from fastapi import FastAPI

from shared.contracts import registry as R
from shared.eventstore import CommandMeta, EventStore, UnitOfWork
from shared.http.errors import install_error_handlers
from shared.privacy.cipher import new_data_key, seal

from services.publicity import handlers
from services.publicity.domain.commands import PublishNotice
from services.publicity.entrypoints.routes import notices
from tests.integration.publicity.scenario import Step, at
from tests.integration.publicity.support import fed

OBJECTOR = "赵保密"


def _objection(s, objection_id: str, code: str, day: str) -> Step:
    key = new_data_key()
    subject = f"objection-{s.run}-{objection_id}"
    return Step("registry", f"objections-{s.run}", at(day), R.ObjectionLodged(
        run_id=s.run, objection_id=objection_id, village_code=code, district=code[:6], listed=True,
        objector=seal(key, subject, OBJECTOR), grounds=seal(key, subject, "理由"), lodged_on=date.fromisoformat(day),
        lodged_by="official"))


def _answer(s, objection_id: str, code: str, outcome: str, day: str) -> Step:
    return Step("registry", f"objections-{s.run}", at(day), R.ObjectionAnswered(
        run_id=s.run, objection_id=objection_id, village_code=code, district=code[:6], outcome=outcome,
        reason=seal(new_data_key(), "x", "答复"), answered_on=date.fromisoformat(day)))


async def test_a_notice_shows_its_runs_objection_window_and_counts_and_no_person(settings):
    async with fed(settings, "pubobj", max_size=3) as w:
        s, feeder, pool = w.scenario, w.feeder, w.pool
        async with pool.acquire() as conn, conn.transaction():
            await handlers.publish_notice(UnitOfWork(conn, EventStore(pool, "publicity"), CommandMeta(actor="t")),
                                          PublishNotice(notice_id=f"n-{s.tag}", title="公示", run_id=s.run,
                                                        window_from=date(2021, 3, 2), window_to=date(2021, 3, 8)))
        store = EventStore(pool, "publicity")
        async with pool.acquire() as conn:
            published = await store.read_stream(conn, f"notice-n-{s.tag}")
        await feeder.feed([Step("publicity", f"notice-n-{s.tag}", e.occurred_at, e.decode()) for e in published])

        app = FastAPI()
        install_error_handlers(app)
        app.include_router(notices.router)
        app.state.store = type("Store", (), {"pool": pool})()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://publicity") as client:
            async def shown() -> tuple[dict | None, dict | None]:
                listed = (await client.get("/notices")).json()["items"]
                detail = (await client.get(f"/notices/n-{s.tag}")).json()
                [mine] = [n for n in listed if n["notice_id"] == f"n-{s.tag}"]
                assert mine["objections"] == detail["objections"]
                return mine["objections"], detail

            assert (await shown())[0] is None  # no window opened in registry yet
            await feeder.feed([
                Step("registry", f"objections-{s.run}", at("2021-03-02"), R.ObjectionWindowOpened(
                    run_id=s.run, opens_on=date(2021, 3, 2), closes_on=date(2021, 3, 8), days=7, designated_count=2)),
                _objection(s, "o1", s.a, "2021-03-03"), _objection(s, "o2", s.d, "2021-03-04"),
                _objection(s, "o3", s.d, "2021-03-05"),
                _answer(s, "o1", s.a, "dismissed", "2021-03-06"), _answer(s, "o2", s.d, "upheld", "2021-03-07"),
            ])
            counts, detail = await shown()
            assert counts == {"window_from": "2021-03-02", "window_to": "2021-03-08", "state": "closed", "lodged": 3,
                              "open": 1, "upheld": 1, "dismissed": 1, "confirmed_on": None}
            assert OBJECTOR not in str(detail)
            await feeder.feed([_answer(s, "o3", s.d, "dismissed", "2021-03-09")])
            counts, _ = await shown()
            # One upheld: the list is not confirmed — a new run will change it.
            assert (counts["open"], counts["upheld"], counts["dismissed"], counts["confirmed_on"]) == (0, 1, 2, None)
