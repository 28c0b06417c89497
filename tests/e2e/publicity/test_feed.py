"""The live feed: changed figures pushed as they change; a reconnecting client misses nothing."""

from __future__ import annotations

import contextlib
import random

import pytest

from shared.contracts import funding as F

from tests.e2e.publicity.sse import FeedReader
from tests.e2e.publicity.support import append, get, wait_until
from tests.integration.publicity.scenario import Step, at

pytestmark = pytest.mark.e2e


def lines(n: int, tag: str) -> list[Step]:
    return [Step("funding", f"line-{tag}-{i}", at("2023-03-01"), F.BudgetAppropriated(
        line_id=f"{tag}-{i}", source="district", fiscal_year=2023, scope="120110", title="区级配套",
        amount_fen=10_000_00)) for i in range(n)]


async def test_live_push_and_resume_after_disconnect(stack, settings):
    url = stack.url("publicity") + "/stats/feed"
    tag = f"feed{random.randrange(10**6)}"
    first = FeedReader(url)
    hello = first.next()
    assert hello["event"] == "figures" and hello["data"]["changes"] == []
    assert hello["data"]["headline"] == get(stack, "/stats/headline")["headline"]
    assert hello["id"] == hello["data"]["seq"]

    await append(settings, lines(1, tag + "a"))
    pushed = first.until(lambda seen: any(c["type"] == "BudgetAppropriated" for m in seen
                                          for c in m["data"]["changes"]))
    resume_from = pushed[-1]["id"]
    first.close()

    # While nobody listens, three more changes happen.
    await append(settings, lines(3, tag + "b"))
    again = FeedReader(url, last_event_id=resume_from)
    got = again.until(lambda seen: sum(c["type"] == "BudgetAppropriated" for m in seen
                                       for c in m["data"]["changes"]) >= 3)
    again.close()
    seqs = [c["seq"] for m in got for c in m["data"]["changes"]]
    # Every change after the resume point, in order, none skipped.
    assert seqs[0] == resume_from + 1 and seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert all(m["id"] == m["data"]["changes"][-1]["seq"] for m in got)
    assert got[-1]["data"]["log_positions"]["funding"] > 0


def test_metrics_report_projection_lag_in_prometheus_format(stack):
    import httpx

    def caught_up():
        text = httpx.get(stack.url("publicity") + "/metrics", timeout=10).text
        lagging = [line for line in text.splitlines()
                   if line.startswith("xingcun_projection_lag_events{") and not line.endswith(" 0.0")]
        return (not lagging) and text
    text = wait_until(caught_up, timeout=30, what="no projection lag")
    assert 'xingcun_projection_lag_seconds{projection="statistics",service="publicity"} 0.0' in text
    assert "xingcun_projection_applied_position" in text and "# TYPE xingcun_projection_lag_events gauge" in text


def test_feed_connections_are_capped_per_client(stack):
    """The ninth open feed from one address is refused (429, the usual error shape); a slot
    given back is free again. ``wait`` is bounded by the schema (≤ 60 s)."""
    import httpx

    url = stack.url("publicity") + "/stats/feed"
    with httpx.Client(timeout=30) as client, contextlib.ExitStack() as open_streams:
        streams = [open_streams.enter_context(client.stream("GET", url)) for _ in range(8)]
        assert all(s.status_code == 200 for s in streams)
        with client.stream("GET", url) as ninth:
            ninth.read()
            assert ninth.status_code == 429 and ninth.json()["detail"][0]["type"] == "too_many_connections"
            assert ninth.headers["Retry-After"]
        streams[0].close()

        def admitted() -> bool:
            with client.stream("GET", url) as again:
                return again.status_code == 200

        wait_until(admitted, timeout=10, what="a freed slot")
    assert httpx.get(url, params={"wait": 3600}, timeout=10).status_code == 422
