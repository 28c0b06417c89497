"""The webhook rules without IO: the signature, the replay window, the backoff, filters."""

from __future__ import annotations

import hashlib
import hmac
import random
from datetime import UTC, datetime

from services.monitoring.adapters.webhooks import cloud_event
from services.monitoring.domain.access import AlertScope
from services.monitoring.domain.webhooks import (Backoff, Filters, Subscriber, districts_outside, fingerprint,
                                                 signature, verify)


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    body = b'{"alert_id": "a1"}'
    expected = hmac.new(b"k" * 20, b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature("k" * 20, 1700000000, body) == f"sha256={expected}"


def test_verify_refuses_a_changed_body_another_timestamp_and_an_old_one():
    body, secret, ts = b"{}", "k" * 20, 1_700_000_000
    good = signature(secret, ts, body)
    assert verify(secret, ts, body, good, now=ts + 10)
    assert not verify(secret, ts, b"{ }", good, now=ts)
    assert not verify(secret, ts + 1, body, good, now=ts)  # the timestamp is signed too
    assert not verify(secret, ts, body, good, now=ts + 301)  # a replay after the window
    assert not verify(secret, ts, body, None, now=ts)


def test_backoff_grows_exponentially_under_a_cap_with_jitter():
    backoff, rand = Backoff(base=1, cap=60), random.Random(7)
    for failures in range(1, 12):
        ceiling = min(60, 2 ** (failures - 1))
        delays = [backoff.delay(failures, rand) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8 and len(set(delays)) > 100  # spread: receivers don't retry together


def test_filters_and_scope_together_decide_what_a_subscription_wants():
    district = AlertScope("o", "district_official:o", district="120111")
    entry = {"district": "120111", "village_code": None, "team_id": None, "rule_id": "r.a", "severity": "warning"}
    assert Subscriber(Filters(), district).wants(entry)
    assert not Subscriber(Filters(severities=("critical",)), district).wants(entry)
    assert not Subscriber(Filters(rules=("r.b",)), district).wants(entry)
    assert not Subscriber(Filters(), district).wants(entry | {"district": "120222"})
    assert not Subscriber(Filters(), district).wants(entry | {"district": None})  # city-wide: the city's
    assert Subscriber(Filters(), AlertScope("c", "city_office:c")).wants(entry | {"district": None})
    assert districts_outside(district, ("120111", "120222")) == ["120222"]
    assert districts_outside(AlertScope("c", "city_office:c"), ("120222",)) == []
    unit = AlertScope("u", "unit:u", villages=("120111000001",), teams=("T1",))
    assert districts_outside(unit, ("120111", "120222")) == ["120222"]  # was [] (any district for a unit)


def test_the_fingerprint_does_not_reveal_the_secret():
    assert fingerprint("k" * 20) != fingerprint("k" * 21)
    assert "k" * 20 not in fingerprint("k" * 20) and len(fingerprint("k" * 20)) == len("sha256:") + 16


def test_the_cloudevent_is_binary_mode_with_the_event_id():
    entry = {"position": 12, "event_id": "7b1c4d0e-0000-4000-8000-000000000001", "type": "AlertRaised",
             "schema_version": 1, "recorded_at": datetime(2026, 12, 3, 5, 0, tzinfo=UTC), "alert_id": "a1",
             "rule_id": "r.a", "severity": "warning", "district": "120111", "village_code": None, "team_id": None,
             "audience": ["district_official"], "payload": {"alert_id": "a1"}}
    headers, body = cloud_event(entry)
    assert headers["ce-id"] == entry["event_id"] and headers["ce-specversion"] == "1.0"
    assert headers["ce-type"] == "cn.xingcun.monitoring.AlertRaised.v1" and headers["ce-subject"] == "a1"
    assert headers["ce-sequence"] == "12" and headers["ce-time"].startswith("2026-12-03T05:00:00")
    assert headers["content-type"] == "application/json" and b'"position": 12' in body
