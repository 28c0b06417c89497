"""Personal data off the shared log (issue 18, item 1): after cadres are registered, insured and
take leave through the real APIs, a plain Kafka consumer reading every record of every topic of
this session finds none of their names, titles, policy numbers or reasons — while the owning
service's API still shows them to the roles allowed to see them."""

from __future__ import annotations

import asyncio
import secrets
import time

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.http.auth import Role

from tests.support.registry import uid

pytestmark = pytest.mark.e2e
DISTRICT = "120115"  # 宝坻区


class Person:
    """A cadre with personal data unique to this run, so a match on the topics can only be ours."""

    def __init__(self) -> None:
        tag = secrets.token_hex(4)
        self.cadre_id = uid("cadre")
        self.name = f"隐私{tag}"
        self.title = f"副处长{tag}"
        self.policy_no = f"PICC-PRIV-{tag}"
        self.leave_reason = f"家中老人住院{tag}"
        self.rejection = f"村里正忙秋收{tag}"

    @property
    def secrets(self) -> list[str]:
        return [self.name, self.title, self.policy_no, self.leave_reason, self.rejection]


async def topic_records(settings, keys: set[str]) -> tuple[list, int]:
    """Every record of every topic with this session's prefix, from offset zero to the end;
    and how many of them are keyed by one of ``keys`` (so the caller knows ours are there)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        topics = sorted(t for t in await admin.list_topics() if t.startswith(settings.topic_prefix))
        partitions = [TopicPartition(d["topic"], p["partition"])
                      for d in await admin.describe_topics(topics) for p in d["partitions"]]
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                                group_id=None, auto_offset_reset="earliest")
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        records = []
        while any([await consumer.position(tp) < end[tp] for tp in partitions]):
            for batch in (await consumer.getmany(timeout_ms=1000, max_records=5000)).values():
                records.extend(batch)
        ours = sum(1 for r in records if r.key is not None and r.key.decode() in keys)
        return records, ours
    finally:
        await consumer.stop()


def found_in(records, needles: list[str]) -> list[tuple[str, str, int]]:
    """(needle, topic, offset) for every needle found in a record's key, value or headers."""
    hits = []
    for r in records:
        parts = [r.key or b"", r.value or b"", *(v for _, v in r.headers or ())]
        text = b"\n".join(parts).decode("utf-8", errors="replace")
        hits += [(n, r.topic, r.offset) for n in needles if n in text]
    return hits


@pytest.fixture(scope="module")
def people(stack, token):
    """Two cadres of a district unit: registered, insured, one leave approved and one rejected."""
    official = token(Role.district_official, district=DISTRICT)
    a, b = Person(), Person()
    with httpx.Client(base_url=stack.url("registry"), headers=official, timeout=30) as api:
        unit = {"unit_id": uid("unit"), "name": "区民政局", "level": "district", "district": "宝坻区",
                "strengths": "农业、科技"}
        assert api.post("/units", json=unit).status_code == 201
        for p in (a, b):
            r = api.post("/cadres", json={"cadre_id": p.cadre_id, "unit_id": unit["unit_id"], "name": p.name,
                                          "title": p.title})
            assert r.status_code == 201, r.text
            r = api.post(f"/cadres/{p.cadre_id}/insurance",
                         json={"policy_no": p.policy_no, "valid_from": "2021-03-01", "valid_to": "2022-02-28"})
            assert r.status_code == 201, r.text
            for leave_id, start, end in (("l1", "2021-07-01", "2021-07-03"), ("l2", "2021-08-01", "2021-08-02")):
                r = api.post(f"/cadres/{p.cadre_id}/leaves",
                             json={"leave_id": leave_id, "start": start, "end": end, "reason": p.leave_reason})
                assert r.status_code == 201, r.text
            assert api.post(f"/cadres/{p.cadre_id}/leaves/l1/decision", json={"approve": True}).status_code == 200
            r = api.post(f"/cadres/{p.cadre_id}/leaves/l2/decision", json={"approve": False, "reason": p.rejection})
            assert r.status_code == 200, r.text
    return a, b, unit


def test_the_api_shows_personal_data_to_the_roles_allowed(stack, token, people):
    a, _, unit = people
    for role, scope in ((Role.city_office, {}), (Role.district_official, {"district": DISTRICT}),
                        (Role.unit, {"unit": unit["unit_id"]})):
        r = httpx.get(f"{stack.url('registry')}/cadres/{a.cadre_id}", headers=token(role, **scope), timeout=10)
        assert r.status_code == 200, r.text
        record = r.json()
        assert (record["name"], record["title"]) == (a.name, a.title)
        assert [i["policy_no"] for i in record["insurance"]] == [a.policy_no]
        leaves = {l["leave_id"]: l for l in record["leaves"]}
        assert leaves["l1"]["status"] == "approved" and leaves["l1"]["reason"] == a.leave_reason
        assert leaves["l2"]["status"] == "rejected" and leaves["l2"]["rejection_reason"] == a.rejection
    for role, scope in ((Role.public, {}), (Role.unit, {"unit": "another-unit"})):
        r = httpx.get(f"{stack.url('registry')}/cadres/{a.cadre_id}", headers=token(role, **scope), timeout=10)
        assert r.status_code == 403, r.text


async def test_no_topic_carries_personal_data(stack, settings, people):
    a, b, _ = people
    streams = {f"cadre-{a.cadre_id}", f"cadre-{b.cadre_id}"}
    # Each cadre: registered, insured, two leaves requested, one approved, one rejected.
    deadline = time.monotonic() + 90
    while True:
        records, ours = await topic_records(settings, streams)
        if ours >= 12 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert ours >= 12, f"the relay published {ours} of our 12 events"
    assert found_in(records, [a.cadre_id, b.cadre_id]), "the scan must see what is on the topics"
    leaked = found_in(records, a.secrets + b.secrets)
    assert not leaked, f"personal data on the topics: {leaked[:10]}"
    print(f"\n{len(records)} records on {len({r.topic for r in records})} topics, none with personal data")
