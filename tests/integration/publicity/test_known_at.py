"""As known at: a back-dated correction changes "as of D", yet an answer given before it is
reproduced byte for byte from the log positions it stated (``known_at``)."""

from __future__ import annotations

import re

import pytest

from shared.contracts import funding as F
from shared.contracts import registry as R

from tests.integration.publicity.scenario import Step, at
from tests.integration.publicity.support import fed, statistics_client

AS_OF = "2021-07-01"
PATHS = ["/open-data/statistics.json", "/open-data/statistics.csv", "/stats/headline", "/stats/money",
         "/stats/designation", "/stats/coverage", "/stats/figures/disbursed", "/stats/explain/villages_designated"]


@pytest.fixture(scope="module")
async def published(settings):
    """``(scenario, client, first answers)``: the answers given before a back-dated correction, then the correction."""
    async with fed(settings, "pubknown", max_size=3) as w, statistics_client(w.pool) as (_, client):
        s, feeder = w.scenario, w.feeder
        first = {p: await client.get(p, params={"as_of": AS_OF}) for p in [*PATHS, f"/stats/villages/{s.a}"]}
        first["iati"] = await client.get("/open-data/iati-activities.xml", params={"as_of": AS_OF})
        common = dict(allocation_id=s.allocation, village_code=s.a, district=s.district)
        # Recorded later, dated before the answers' date: the payment was reversed on 2021-06-25
        # and village d's designation revoked on 2021-06-30.
        await feeder.feed([
            Step("funding", f"disbursement-{s.paid}", at("2021-06-25"), F.DisbursementReversed(
                disbursement_id=s.paid, line_id=s.line, source="city_special", amount_fen=100_000_00,
                reason="冲销", **common)),
            Step("registry", f"village-{s.d}", at("2021-06-30"), R.DesignationRevoked(
                code=s.d, district=s.d[:6], run_id=None, reason="复核撤销")),
        ])
        yield s, client, first


def _iati_without_generation_time(body: bytes) -> bytes:
    return re.sub(rb'generated-datetime="[^"]*"', b"", body)


async def test_a_back_dated_correction_changes_as_of_but_not_as_known_at(published):
    s, client, first = published
    positions = first["/open-data/statistics.json"].json()["log_positions"]
    known_at = " ".join(f"{k}:{v}" for k, v in sorted(positions.items()))
    assert first["/stats/headline"].json()["headline"]["disbursed_yuan"] == "100000.00"
    now = (await client.get("/stats/headline", params={"as_of": AS_OF})).json()["headline"]
    assert (now["disbursed_yuan"], now["villages_designated"]) == ("0.00", 1)
    for path in [*PATHS, f"/stats/villages/{s.a}"]:
        again = await client.get(path, params={"as_of": AS_OF, "known_at": known_at})
        assert again.status_code == 200, again.text
        assert again.content == first[path].content, path
        assert again.headers.get("X-Log-Positions") == first[path].headers.get("X-Log-Positions")
    iati = await client.get("/open-data/iati-activities.xml", params={"as_of": AS_OF, "known_at": known_at})
    assert _iati_without_generation_time(iati.content) == _iati_without_generation_time(first["iati"].content)
    assert _iati_without_generation_time(
        (await client.get("/open-data/iati-activities.xml", params={"as_of": AS_OF})).content
    ) != _iati_without_generation_time(first["iati"].content)


async def test_known_at_of_one_source_leaves_the_others_whole(published):
    s, client, first = published
    funding = first["/stats/money"].json()["log_positions"]["funding"]
    found = (await client.get("/stats/headline", params={"as_of": AS_OF, "known_at": f"funding:{funding}"})).json()
    assert (found["headline"]["disbursed_yuan"], found["headline"]["villages_designated"]) == ("100000.00", 1)


@pytest.mark.parametrize("bad", ["funding", "ledger:3", "funding:-1", "funding:1 funding:2", "funding:x"])
async def test_a_bad_known_at_is_a_422_on_the_field(published, bad):
    _, client, _ = published
    answer = await client.get("/stats/headline", params={"known_at": bad})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "known_at"]
