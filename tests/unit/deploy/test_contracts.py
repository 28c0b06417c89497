"""The checked-in event contract matches the code; drift, breaking changes and missing
upcasters fail `xingcun contracts check`; the documents describe what goes on the wire."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from typer.testing import CliRunner

from xingcun_cli.main import app
from shared.contracts import registry as registry_events
from shared.contracts.export import CONTRACTS_DIR, check, export, render, sample_headers
from shared.eventstore import CATALOGUE, DomainEvent, RecordedEvent
from shared.messaging.kafka import encode, headers_for
from shared.reference.places import VillageType

runner = CliRunner()


@pytest.fixture
def catalogue(monkeypatch):
    """Event classes defined by a test live only as long as the test."""
    monkeypatch.setattr(CATALOGUE, "classes", dict(CATALOGUE.classes))
    monkeypatch.setattr(CATALOGUE, "upcasters", dict(CATALOGUE.upcasters))
    return CATALOGUE


def define(fields: dict[str, tuple[type, object]], version: int = 1) -> type[DomainEvent]:
    namespace = {"__module__": "shared.contracts.trial", "__annotations__": {k: t for k, (t, _) in fields.items()}}
    namespace |= {k: d for k, (_, d) in fields.items() if d is not ...}
    return type("TrialHappened", (DomainEvent,), namespace, type="TrialHappened", version=version, service="registry")


def cli(*args: str):
    return runner.invoke(app, ["contracts", *args])


def test_checked_in_contract_matches_the_code():
    result = cli("check")
    assert result.exit_code == 0, result.output


def test_export_then_check_passes_and_drift_fails(tmp_path):
    assert cli("export", "--dir", str(tmp_path)).exit_code == 0
    assert check(tmp_path).ok
    (tmp_path / "asyncapi.yaml").write_text("asyncapi: 3.0.0\n")
    (tmp_path / "schemas" / "VillageRegistered.v1.json").unlink()
    result = cli("check", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "asyncapi.yaml" in result.output and "VillageRegistered.v1.json: 缺失 / missing" in result.output


def test_additive_change_only_needs_regenerating(tmp_path, catalogue):
    define({"code": (str, ...)})
    export(tmp_path)
    define({"code": (str, ...), "note": (str | None, None)})
    report = check(tmp_path)
    assert report.safe_to_write and not report.breaking
    assert "schemas/TrialHappened.v1.json: 与代码不一致 / differs from the code" in report.drift
    assert cli("export", "--dir", str(tmp_path)).exit_code == 0
    assert check(tmp_path).ok


def test_incompatible_change_without_new_version_is_refused(tmp_path, catalogue):
    define({"code": (str, ...)})
    export(tmp_path)
    before = (tmp_path / "schemas" / "TrialHappened.v1.json").read_text()
    define({"village_code": (str, ...)})  # a rename
    result = cli("check", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "TrialHappened v1 $.code: 字段被删除或改名 / field removed or renamed" in result.output
    assert "TrialHappened v1 $.village_code: 新增必填字段 / new required field" in result.output
    assert cli("export", "--dir", str(tmp_path)).exit_code == 1
    assert (tmp_path / "schemas" / "TrialHappened.v1.json").read_text() == before


def test_new_version_needs_an_upcaster_and_keeps_the_old_schema(tmp_path, catalogue):
    define({"code": (str, ...)})
    export(tmp_path)
    define({"village_code": (str, ...)}, version=2)
    assert cli("export", "--dir", str(tmp_path)).exit_code == 1  # written, but v1 has no upcaster
    report = check(tmp_path)
    assert report.upcasters == ["TrialHappened v1→v2: 缺少升级函数 / no upcaster (@upcaster('TrialHappened', 1))"]
    catalogue.upcasters[("TrialHappened", 1)] = lambda p: {"village_code": p["code"]}
    assert check(tmp_path).ok
    assert (tmp_path / "schemas" / "TrialHappened.v1.json").exists()
    messages = yaml.safe_load((tmp_path / "asyncapi.yaml").read_text())["components"]["messages"]
    assert {"TrialHappened_v1", "TrialHappened_v2"} <= messages.keys()
    assert "旧版本" in messages["TrialHappened_v1"]["description"]


def test_a_published_type_cannot_vanish(tmp_path, catalogue):
    define({"code": (str, ...)})
    export(tmp_path)
    del catalogue.classes["TrialHappened"]
    report = check(tmp_path)
    assert report.vanished and not report.safe_to_write


def _registry() -> Registry:
    files = render()
    resources = {}
    for rel, text in files.items():
        if rel.endswith(".json"):
            resources[f"./{rel}"] = Resource.from_contents(json.loads(text))
    return Registry().with_resources(resources.items())


def _message(document: dict, message_id: str) -> dict:
    return document["components"]["messages"][message_id]


def test_the_wire_form_of_an_event_matches_its_message():
    document = yaml.safe_load(render()["asyncapi.yaml"])
    event = registry_events.VillageRegistered(
        code="120119001001", name="大口屯村", district="120119", town="测试镇",
        village_type=next(iter(VillageType)),
        income_fen={"2018": 1, "2019": 2, "2020": 3},
    )
    now = datetime.now(UTC)
    recorded = RecordedEvent(
        event_id=uuid4(), type=event.event_type, schema_version=event.version, source="registry",
        stream_id="village-120119001001", stream_version=1, global_position=7, occurred_at=now,
        recorded_at=now, correlation_id=uuid4(), actor="city_office:test",
        payload=event.model_dump(mode="json"), chain_hash="ab" * 32,
    )
    message = _message(document, "VillageRegistered_v1")
    registry = _registry()
    payload = Draft202012Validator(message["payload"], registry=registry)
    payload.validate(json.loads(encode(recorded)))
    broken = json.loads(encode(recorded))
    del broken["payload"]["district"]
    assert not payload.is_valid(broken)
    headers = {k: v.decode() for k, v in headers_for(recorded, None)}
    components = {"components": document["components"]}
    header_schema = {**message["headers"], **components}
    Draft202012Validator(header_schema).validate(headers)
    assert not Draft202012Validator(header_schema).is_valid(headers | {"ce_type": "cn.xingcun.registry.Other.v1"})


def test_every_reference_in_the_document_resolves():
    files = render()
    document = yaml.safe_load(files["asyncapi.yaml"])
    refs: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert refs
    for ref in refs:
        if ref.startswith("#/"):
            target = document
            for part in ref[2:].split("/"):
                target = target[part]
        else:  # generated now, or an older version's schema kept in the directory
            assert ref.removeprefix("./") in files or (CONTRACTS_DIR / ref.removeprefix("./")).is_file(), ref
    key = re.compile(r"^[A-Za-z0-9_\-]+$")
    for section in ("channels", "operations"):
        assert all(key.match(k) for k in document[section]), document[section].keys()
    assert all(key.match(k) for k in document["components"]["messages"])
    # every message of every channel is sent by that channel's operation
    for name, operation in document["operations"].items():
        channel = operation["channel"]["$ref"].split("/")[-1]
        sent = {m["$ref"].split("/")[-1] for m in operation["messages"]}
        assert sent == set(document["channels"][channel]["messages"]), name


def test_every_kafka_header_is_documented():
    document = yaml.safe_load(render()["asyncapi.yaml"])
    documented = document["components"]["schemas"]["CloudEventsHeaders"]["properties"]
    assert set(sample_headers("funding", "X", 1)) == set(documented)
    assert CONTRACTS_DIR == Path(__file__).resolve().parents[3] / "docs" / "contracts"
