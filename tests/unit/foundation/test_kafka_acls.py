"""The one ACL table (shared/messaging/acls.py): what it grants, that the workers' projections
need no more and no less, and that the Strimzi KafkaUsers are this table."""

from __future__ import annotations

import importlib

import pytest

from shared.config import REPO_ROOT, SERVICES
from shared.messaging.acls import BUREAU, WORKER_SOURCES, acl_table, app_id
from xingcun_cli.kafka import render_strimzi

PREFIXES = ("", "t1a2b3c.")


@pytest.mark.parametrize("service", SERVICES)
def test_each_worker_reads_exactly_what_its_projections_consume(service):
    projections = importlib.import_module(f"services.{service}.projections").PROJECTIONS
    assert set(WORKER_SOURCES[service]) == {service} | {s for p in projections for s in p.sources}


@pytest.mark.parametrize("prefix", PREFIXES)
def test_only_the_owner_writes_its_topics(prefix):
    for service in SERVICES:
        for topic in (f"{prefix}{service}.events", f"{prefix}{service}.quarantine"):
            writers = {g.principal for g in acl_table(prefix) if g.name == topic and g.operation in ("Write", "All")}
            assert writers == {service}, topic
    # faust's own topics (changelog, repartition): its app id's prefix, nobody else's
    for g in acl_table(prefix):
        if g.pattern == "prefixed" and g.resource == "topic":
            assert g.name == app_id(g.principal, prefix) + "-"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_bureau_reads_public_topics_and_nothing_more(prefix):
    mine = [g for g in acl_table(prefix) if g.principal == BUREAU]
    assert {g.operation for g in mine} == {"Read", "Describe"}
    assert {g.name for g in mine if g.resource == "topic"} == {f"{prefix}{s}.events" for s in SERVICES}
    assert {(g.pattern, g.name) for g in mine if g.resource == "group"} == {("prefixed", f"{prefix}bureau-")}


def test_every_grant_is_for_the_prefix_it_was_made_for():
    prefix = PREFIXES[1]
    assert all(g.name.startswith(prefix) for g in acl_table(prefix))


def test_the_strimzi_users_are_the_table():
    path = REPO_ROOT / "deploy" / "k8s" / "base" / "kafka-users.yaml"
    assert path.read_text() == render_strimzi(""), "run `xingcun kafka acls strimzi > deploy/k8s/base/kafka-users.yaml`"
