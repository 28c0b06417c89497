"""Personal data off the shared log, and erasable (issue 18, item 1).

After cadres are registered, insured and take leave through the real APIs, a plain Kafka
consumer reading every record of every topic of this session finds none of their names,
titles, policy numbers or reasons — while the owning service's API still shows them to the
roles allowed to see them. ``xingcun privacy erase`` then destroys one cadre's key: their data
reads as erased, the other cadre's does not, and the events on the topic, every statistic,
a rebuild from offset zero and the hash chain are all unchanged.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

import asyncpg

from shared.config import REPO_ROOT
from shared.db import create_pool
from shared.http.auth import Role
from shared.messaging.credentials import client_options
from shared.privacy.sealed import ERASED
from shared.projections import ProjectionRunner

from services.publicity.projections.statistics import StatisticsProjection
from services.registry.projections.activity import ActivityProjection

from tests.e2e.publicity.support import official
from tests.support.registry import uid
from tests.support.villages import village_body

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


def household_cover_ends(stack, official: dict) -> tuple[str, str]:
    """A low-income person (pseudonymous) whose medical cover ends, with a reason about them,
    through assessment's API; returns (their stream id, the reason)."""
    village = village_body(DISTRICT)
    assert httpx.post(f"{stack.url('registry')}/villages", json=village, headers=official, timeout=30).status_code == 201
    person, reason = uid("person"), f"外出务工不再参保{secrets.token_hex(4)}"
    assessment = stack.url("assessment")
    body = {"person_id": person, "household_id": uid("hh"), "village_code": village["code"],
            "eligible_for": ["medical_insurance"]}
    deadline = time.monotonic() + 90
    while (r := httpx.post(f"{assessment}/low-income/persons", json=body, headers=official, timeout=30)).status_code != 201:
        assert time.monotonic() < deadline, r.text  # until assessment's directory has the village
        time.sleep(0.3)
    r = httpx.post(f"{assessment}/low-income/persons/{person}/coverage", headers=official, timeout=30,
                   json={"cover": "medical_insurance", "covered_on": "2021-05-01"})
    assert r.status_code == 201, r.text
    r = httpx.post(f"{assessment}/low-income/persons/{person}/coverage/medical_insurance/end", headers=official,
                   timeout=30, json={"reason": reason, "ended_on": "2021-09-01"})
    assert r.status_code == 200, r.text
    return f"person-{person}", reason


async def topic_records(settings, keys: set[str]) -> tuple[list, int]:
    """Every record of every topic with this session's prefix, from offset zero to the end;
    and how many of them are keyed by one of ``keys`` (so the caller knows ours are there)."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        topics = sorted(t for t in await admin.list_topics() if t.startswith(settings.topic_prefix))
        partitions = [TopicPartition(d["topic"], p["partition"])
                      for d in await admin.describe_topics(topics) for p in d["partitions"]]
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False,
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
    return a, b, unit, household_cover_ends(stack, official)


def test_the_api_shows_personal_data_to_the_roles_allowed(stack, token, people):
    a, _, unit, _ = people
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
    a, b, _, (person, reason) = people
    streams = {f"cadre-{a.cadre_id}", f"cadre-{b.cadre_id}", person}
    # Each cadre: registered, insured, two leaves requested, one approved, one rejected; the
    # person: registered, eligible, covered, cover ended.
    deadline = time.monotonic() + 90
    while True:
        records, ours = await topic_records(settings, streams)
        if ours >= 16 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert ours >= 16, f"the relay published {ours} of our 16 events"
    assert found_in(records, [a.cadre_id, b.cadre_id, person]), "the scan must see what is on the topics"
    leaked = found_in(records, a.secrets + b.secrets + [reason])
    assert not leaked, f"personal data on the topics: {leaked[:10]}"
    print(f"\n{len(records)} records on {len({r.topic for r in records})} topics, none with personal data")


def cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "xingcun_cli.main", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def caught_up(stack) -> None:
    deadline = time.monotonic() + 90
    while not all(p["events_behind"] == 0
                  for p in httpx.get(f"{stack.url('publicity')}/stats/lag", timeout=10).json()["projections"]):
        assert time.monotonic() < deadline, "publicity's projections did not catch up"
        time.sleep(0.2)


async def read_models(settings) -> dict:
    """Every row of publicity's statistics and of the registry's activity model."""
    out = {}
    for service, projection in (("publicity", StatisticsProjection()), ("registry", ActivityProjection())):
        pool = await create_pool(settings.dsn(service), max_size=1)
        try:
            snap = await ProjectionRunner(pool, projection, {}).snapshot()
        finally:
            await pool.close()
        if "stats.changes" in snap:  # change numbers count up through a rebuild; what changed is equal
            snap["stats.changes"] = sorted(row[1:] for row in snap["stats.changes"])
        model = getattr(projection, "model_tables", projection.tables)  # not the bookkeeping of how far it read
        out.update({f"{service}:{table}": rows for table, rows in snap.items() if table in model})
    return out


def public_figures(stack) -> dict:
    pub = stack.url("publicity")
    # Without when it was asked and how far the log had come: the figures themselves.
    moment = {"as_of", "cutoff", "day", "log_positions"}
    # Exact figures, as the city office reads them (the public's counts of people are rounded).
    return {path: {k: v for k, v in httpx.get(pub + path, headers=official(), timeout=10).json().items()
                   if k not in moment}
            for path in ("/stats/cadres", "/stats/coverage", "/stats/headline")}


def values_of(records, stream: str) -> list[bytes]:
    return [r.value for r in sorted(records, key=lambda r: r.offset) if r.key and r.key.decode() == stream]


async def test_erasing_a_cadre_destroys_only_their_key(stack, settings, token, people):
    a, b, _, (person, _) = people
    stream_a, stream_b = f"cadre-{a.cadre_id}", f"cadre-{b.cadre_id}"
    registry = stack.url("registry")
    caught_up(stack)
    figures, models = public_figures(stack), await read_models(settings)
    before, _ = await topic_records(settings, {stream_a})

    out = cli("privacy", "erase", f"cadre:{a.cadre_id}")
    assert "已销毁" in out, out
    assert "此前已删除" in cli("privacy", "erase", f"cadre:{a.cadre_id}")  # again: nothing changes

    # The API shows the erased marker wherever it showed their data; the other cadre is untouched.
    record = httpx.get(f"{registry}/cadres/{a.cadre_id}", headers=token(), timeout=10).json()
    assert record["personal_data_erased"] is True
    assert (record["name"], record["title"]) == (ERASED, ERASED)
    assert [i["policy_no"] for i in record["insurance"]] == [ERASED]
    leaves = {l["leave_id"]: l for l in record["leaves"]}
    assert {k: (l["status"], l["days"], l["reason"]) for k, l in leaves.items()} == {
        "l1": ("approved", 3, ERASED), "l2": ("rejected", 2, ERASED)}
    assert leaves["l2"]["rejection_reason"] == ERASED and record["leave_used_days"] == {"2021": 3}
    other = httpx.get(f"{registry}/cadres/{b.cadre_id}", headers=token(), timeout=10).json()
    assert (other["name"], other["insurance"][0]["policy_no"]) == (b.name, b.policy_no)
    assert other["personal_data_erased"] is False

    conn = await asyncpg.connect(settings.dsn("registry"))
    try:
        live = dict(await conn.fetch("select subject, data_key is not null from privacy.data_keys "
                                     "where subject = any($1::text[])", [stream_a, stream_b]))
    finally:
        await conn.close()
    assert live == {stream_a: False, stream_b: True}

    # The topic: every earlier record of the cadre byte for byte as it was, then the erasure.
    deadline = time.monotonic() + 60
    while True:
        after, _ = await topic_records(settings, {stream_a})
        if len(values_of(after, stream_a)) > len(values_of(before, stream_a)) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    old, new = values_of(before, stream_a), values_of(after, stream_a)
    assert new[:len(old)] == old and len(new) == len(old) + 1 and b'"PersonalDataErased"' in new[-1]
    assert not found_in(after, a.secrets + b.secrets)

    # Every statistic as before; both read models rebuilt from offset zero come out the same;
    # the hash chain (over the ciphertext, which did not change) verifies.
    caught_up(stack)
    assert public_figures(stack) == figures
    assert await read_models(settings) == models
    cli("projections", "rebuild", "publicity", "statistics")
    cli("projections", "rebuild", "registry", "registry_activity")
    assert await read_models(settings) == models
    assert "events intact" in cli("audit", "verify", "registry", "--kafka")
    anchors = Path(tempfile.gettempdir()) / f"xingcun-anchors-{secrets.token_hex(4)}.json"
    try:  # a head kept outside the database, as another bureau would keep it
        assert "anchors written" in cli("audit", "anchor", "--out", str(anchors), "registry")
        assert "核对外部链头 1 个" in cli("audit", "verify", "registry", "--anchors", str(anchors))
    finally:
        anchors.unlink(missing_ok=True)

    # Nothing personal is recorded for them again (409, nothing written); what is not personal still is.
    r = httpx.post(f"{registry}/cadres/{a.cadre_id}/insurance", headers=token(), timeout=10,
                   json={"policy_no": "PICC-NEW", "valid_from": "2022-03-01", "valid_to": "2023-02-28"})
    assert r.status_code == 409, r.text
    r = httpx.post(f"{registry}/cadres/{a.cadre_id}/trainings", headers=token(), timeout=10,
                   json={"course": "第一书记集中培训", "completed_on": "2021-09-01"})
    assert r.status_code == 201, r.text
    record = httpx.get(f"{registry}/cadres/{a.cadre_id}", headers=token(), timeout=10).json()
    assert record["name"] == ERASED and len(record["insurance"]) == 1 and record["trained_on"] == "2021-09-01"

    # A low-income person's data (the reason their cover ended) is erased the same way, in assessment.
    assert "已销毁" in cli("privacy", "erase", person.replace("person-", "person:", 1))
    conn = await asyncpg.connect(settings.dsn("assessment"))
    try:
        assert await conn.fetchval("select data_key is null from privacy.data_keys where subject = $1", person)
        assert await conn.fetchval("select count(*) from es.events where stream_id = $1 and type = 'PersonalDataErased'",
                                   person) == 1
    finally:
        await conn.close()
