"""The published event contract, generated from the code: an AsyncAPI 3.0 document of every
topic and message, and one JSON Schema per event type and version.

``render`` builds the files from ``shared.contracts`` (via the event catalogue) and from the
schemas of older versions already in the directory: a topic keeps every event forever, so
a consumer replaying from offset zero meets every version ever published. ``check``
compares the directory with the code and with itself: drift (the files are not what the
code generates), incompatible changes within a version (see ``compat``), versions without
an upcaster, and published types that vanished from the code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml

from shared.config import REPO_ROOT, SERVICES, Settings
from shared.contracts.compat import breaking_changes
from shared.eventstore.catalogue import CATALOGUE, DomainEvent
from shared.eventstore.envelope import RecordedEvent
from shared.messaging.kafka import headers_for

CONTRACTS_DIR = REPO_ROOT / "docs" / "contracts"
ASYNCAPI_FILE = "asyncapi.yaml"
ENVELOPE_FILE = "envelope.json"
SCHEMAS_DIR = "schemas"
# Bumped when the document's shape (topics, headers, envelope) changes, not for new events.
CONTRACT_VERSION = "1.0.0"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
ALL_SERVICES = "*"  # an event every service publishes on its own topic
SCHEMA_FILE = re.compile(r"^(?P<type>[A-Za-z][A-Za-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.json$")
KAFKA_BINDING_VERSION = "0.5.0"

HEADER_DOCS = {
    "ce_specversion": ("CloudEvents 规范版本 / CloudEvents spec version", {"const": "1.0"}),
    "ce_id": ("事件唯一标识（= event_id）/ unique event id (= event_id)", {"format": "uuid"}),
    "ce_source": ("发布服务 / publishing service, /xingcun/<service>", {"pattern": "^/xingcun/[a-z]+$"}),
    "ce_type": ("cn.xingcun.<service>.<Type>.v<version>", {"pattern": r"^cn\.xingcun\.[a-z]+\.[A-Za-z]+\.v[0-9]+$"}),
    "ce_time": ("业务发生时间（= occurred_at, ISO 8601）/ business time (= occurred_at)", {"format": "date-time"}),
    "ce_subject": ("事件流（= stream_id，亦为消息键）/ the stream (= stream_id, also the record key)", {}),
    "content-type": ("消息体格式 / value format", {"const": "application/json"}),
    "traceparent": ("W3C 追踪上下文（可缺省）/ W3C trace context, when the command was traced",
                    {"pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"}),
}
OPTIONAL_HEADERS = {"traceparent"}


def published_events() -> list[type[DomainEvent]]:
    """Every event class of ``shared.contracts``, by service, then by type name."""
    import shared.contracts  # noqa: F401  (registers the events)

    classes = [c for c in CATALOGUE.classes.values() if c.__module__.startswith("shared.contracts.")]
    order = {s: i for i, s in enumerate((*SERVICES, ALL_SERVICES))}
    unknown = [c.__name__ for c in classes if c.service not in order]
    if unknown:
        raise ValueError(f"events with an unknown service: {', '.join(unknown)}")
    return sorted(classes, key=lambda c: (order[c.service], c.event_type))


def topic_of(service: str) -> str:
    return Settings(topic_prefix="").topic(service)


def services_of(cls: type[DomainEvent]) -> tuple[str, ...]:
    return SERVICES if cls.service == ALL_SERVICES else (cls.service,)


def schema_file(event_type: str, version: int) -> str:
    return f"{SCHEMAS_DIR}/{event_type}.v{version}.json"


def message_id(event_type: str, version: int) -> str:
    return f"{event_type}_v{version}"  # dots are not allowed in component keys by every tool


def event_schema(cls: type[DomainEvent]) -> dict[str, Any]:
    body = cls.model_json_schema()
    return {
        "$schema": DIALECT,
        "$id": f"urn:xingcun:event:{cls.event_type}:v{cls.version}",
        **body,
        "x-xingcun": {
            "type": cls.event_type,
            "version": cls.version,
            "service": cls.service,
            "topics": [topic_of(s) for s in services_of(cls)],
        },
    }


def envelope_schema() -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "$id": "urn:xingcun:envelope:v1",
        **RecordedEvent.model_json_schema(),
        "description": (
            "Kafka 消息体：一条已记录的事件。payload 为该 type 与 schema_version 的事件内容；"
            "Kafka 上 global_position 与 chain_hash 总有值。/ The record value: one recorded event. "
            "`payload` follows the schema of (`type`, `schema_version`); on Kafka `global_position` "
            "and `chain_hash` are always set."
        ),
    }


def sample_headers(service: str, event_type: str, version: int) -> dict[str, str]:
    """The headers the relay writes (shared.messaging.kafka.headers_for), for a sample event."""
    now = datetime(2021, 1, 1, tzinfo=UTC)
    event = RecordedEvent(
        event_id=UUID(int=1), type=event_type, schema_version=version, source=service,
        stream_id="stream-1", stream_version=1, global_position=1, occurred_at=now, recorded_at=now,
        correlation_id=UUID(int=2), actor="system", payload={},
    )
    return {k: v.decode() for k, v in headers_for(event, "00-" + "1" * 32 + "-" + "1" * 16 + "-01")}


def headers_schema() -> dict[str, Any]:
    names = list(sample_headers(SERVICES[0], "Sample", 1))
    undocumented = [n for n in names if n not in HEADER_DOCS]
    if undocumented:
        raise ValueError(f"Kafka headers without documentation in HEADER_DOCS: {', '.join(undocumented)}")
    return {
        "type": "object",
        "description": (
            "CloudEvents 1.0 Kafka 协议绑定（二进制模式）的属性，值为 UTF-8 文本 / CloudEvents 1.0 Kafka "
            "protocol binding, binary content mode: attributes as headers, values UTF-8 text."
        ),
        "properties": {n: {"type": "string", "description": HEADER_DOCS[n][0], **HEADER_DOCS[n][1]} for n in names},
        "required": [n for n in names if n not in OPTIONAL_HEADERS],
    }


@dataclass(frozen=True)
class PublishedVersion:
    event_type: str
    version: int
    services: tuple[str, ...]
    title: str
    description: str
    current: bool


def _doc(cls: type[DomainEvent]) -> tuple[str, str]:
    text = (cls.__doc__ or "").strip()
    first = text.split("\n\n")[0].replace("\n", " ").strip() if text else cls.event_type
    return first, text


def asyncapi_document(versions: list[PublishedVersion]) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for v in versions:
        mid = message_id(v.event_type, v.version)
        ce_types = [sample_headers(s, v.event_type, v.version)["ce_type"] for s in v.services]
        ce_type = {"const": ce_types[0]} if len(ce_types) == 1 else {"enum": ce_types}
        messages[mid] = {
            "name": v.event_type,
            "title": f"{v.event_type} v{v.version}",
            "summary": v.title,
            "description": v.description if v.current else (
                f"旧版本，仍在日志中；本系统读取时逐级升级到当前版本。/ An older version, still in the log; "
                f"this system upcasts it on read.\n\n{v.description}"
            ),
            "contentType": "application/json",
            "tags": [{"name": s} for s in v.services],
            "headers": {"allOf": [{"$ref": "#/components/schemas/CloudEventsHeaders"},
                                  {"type": "object", "properties": {"ce_type": {"type": "string", **ce_type}}}]},
            "payload": {"allOf": [
                {"$ref": f"./{ENVELOPE_FILE}"},
                {"type": "object", "required": ["global_position", "chain_hash"], "properties": {
                    "type": {"const": v.event_type},
                    "schema_version": {"const": v.version},
                    "source": {"type": "string", "enum": list(v.services)} if len(v.services) > 1
                    else {"const": v.services[0]},
                    "global_position": {"type": "integer", "minimum": 1},
                    "payload": {"$ref": f"./{schema_file(v.event_type, v.version)}"},
                }},
            ]},
            "correlationId": {"description": "关联标识 / correlation id of the command conversation",
                              "location": "$message.payload#/correlation_id"},
            "bindings": {"kafka": {"key": {"type": "string", "description": "stream_id"},
                                   "bindingVersion": KAFKA_BINDING_VERSION}},
        }
    for service in SERVICES:
        cid = f"{service}Events"
        ids = [message_id(v.event_type, v.version) for v in versions if service in v.services]
        channels[cid] = {
            "address": topic_of(service),
            "title": f"{service}.events",
            "description": (
                f"{service} 服务发布的全部事件，按全局位置有序；键为 stream_id，同一流的事件在同一分区内有序；"
                f"永久保留。/ Every event the {service} service publishes, in log order; keyed by stream_id "
                f"so that one stream's events stay ordered in one partition; kept forever."
            ),
            "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in ids},
            "bindings": {"kafka": {"topic": topic_of(service), "topicConfiguration": {
                "cleanup.policy": ["delete"], "retention.ms": -1}, "bindingVersion": KAFKA_BINDING_VERSION}},
        }
        operations[f"publish{service.capitalize()}Events"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{cid}"},
            "title": f"{service} 发布事件 / {service} publishes its events",
            "summary": "由发件箱中继在事务提交后发布（至少一次）/ published by the outbox relay after commit, at least once",
            "messages": [{"$ref": f"#/channels/{cid}/messages/{m}"} for m in ids],
        }
    return {
        "asyncapi": "3.0.0",
        "id": "urn:xingcun:events",
        "info": {
            "title": "兴村 Xingcun 事件契约 / event contract",
            "version": CONTRACT_VERSION,
            "description": ASYNCAPI_DESCRIPTION,
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {
                "host": "{bootstrap}",
                "protocol": "kafka",
                "protocolVersion": "3.9",
                "description": "由各部署提供 / given by each deployment (docker-compose: kafka:9092).",
                "variables": {"bootstrap": {"default": "kafka:9092"}},
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": {"CloudEventsHeaders": headers_schema()}, "messages": messages},
    }


ASYNCAPI_DESCRIPTION = """\
兴村各服务通过 Kafka 发布其全部事件；其他部门可订阅、从头重放并自行重建统计。生成自代码
（`xingcun contracts export`），CI 检查其与代码一致（`xingcun contracts check`）。

Each Xingcun service publishes every event it records on `<service>.events` (a deployment may
prefix topic names). The record value is the JSON envelope (`envelope.json`); its `payload`
follows `schemas/<type>.v<schema_version>.json`. Headers carry the CloudEvents attributes.

- Order: `global_position` is dense and gap-free per service, in commit order. The record key is
  `stream_id`, so each stream's events stay in order in one partition.
- Delivery is at least once: a record may come twice (also under a new offset). Skip a record
  whose `global_position` is not above the highest one already applied for its partition.
- Retention is forever (`retention.ms = -1`): read from offset zero to rebuild anything.
- Versions: within a version fields are only added, with defaults; anything else is a new
  version. Old versions stay in the log; switch on (`type`, `schema_version`) and ignore types
  you do not know. See docs/integration.md.
"""


def current_versions() -> list[PublishedVersion]:
    out = []
    for cls in published_events():
        title, description = _doc(cls)
        out.append(PublishedVersion(cls.event_type, cls.version, services_of(cls), title, description, True))
    return out


def older_versions(directory: Path, current: list[PublishedVersion]) -> list[PublishedVersion]:
    """Schemas of versions before the current one, kept in the directory."""
    known = {v.event_type: v for v in current}
    out = []
    for path in sorted((directory / SCHEMAS_DIR).glob("*.json")):
        m = SCHEMA_FILE.match(path.name)
        if not m or m["type"] not in known or int(m["version"]) >= known[m["type"]].version:
            continue
        now = known[m["type"]]
        old = json.loads(path.read_text(encoding="utf-8"))
        title = (old.get("description") or now.title).split("\n\n")[0].replace("\n", " ").strip()
        out.append(PublishedVersion(now.event_type, int(m["version"]), now.services, title,
                                    old.get("description") or now.description, False))
    return out


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


class _Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks, so the document reads like the docstrings it came from."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump_yaml(data: Any) -> str:
    header = "# 由 `xingcun contracts export` 生成，请勿手改 / generated by `xingcun contracts export`; do not edit.\n"
    return header + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def render(directory: Path = CONTRACTS_DIR) -> dict[str, str]:
    """Relative path → text of every generated file."""
    current = current_versions()
    files = {ENVELOPE_FILE: dump_json(envelope_schema())}
    for cls in published_events():
        files[schema_file(cls.event_type, cls.version)] = dump_json(event_schema(cls))
    order = {v.event_type: i for i, v in enumerate(current)}
    versions = sorted(current + older_versions(directory, current), key=lambda v: (order[v.event_type], v.version))
    files[ASYNCAPI_FILE] = dump_yaml(asyncapi_document(versions))
    return files


@dataclass
class ContractReport:
    drift: list[str] = field(default_factory=list)  # files to regenerate
    breaking: list[str] = field(default_factory=list)  # changes that need a new version
    upcasters: list[str] = field(default_factory=list)  # old versions nothing upcasts
    vanished: list[str] = field(default_factory=list)  # published types no longer in the code

    @property
    def ok(self) -> bool:
        return not (self.drift or self.breaking or self.upcasters or self.vanished)

    @property
    def safe_to_write(self) -> bool:
        return not (self.breaking or self.vanished)


def check(directory: Path = CONTRACTS_DIR) -> ContractReport:
    report = ContractReport()
    files = render(directory)
    for rel, text in files.items():
        path = directory / rel
        if not path.exists():
            report.drift.append(f"{rel}: 缺失 / missing")
        elif path.read_text(encoding="utf-8") != text:
            report.drift.append(f"{rel}: 与代码不一致 / differs from the code")
    current = {cls.event_type: cls for cls in published_events()}
    for path in sorted((directory / SCHEMAS_DIR).glob("*.json")) if (directory / SCHEMAS_DIR).exists() else []:
        m = SCHEMA_FILE.match(path.name)
        if not m:
            report.drift.append(f"{SCHEMAS_DIR}/{path.name}: 不是 <Type>.v<N>.json / not a schema file name")
            continue
        event_type, version = m["type"], int(m["version"])
        cls = current.get(event_type)
        if cls is None:
            report.vanished.append(f"{event_type} v{version}: 已发布的事件类型在代码中消失 / published type missing from the code")
        elif version > cls.version:
            report.vanished.append(f"{event_type} v{version}: 代码只有 v{cls.version} / the code has only v{cls.version}")
        elif version < cls.version:
            for step in range(version, cls.version):
                missing = f"{event_type} v{step}→v{step + 1}: 缺少升级函数 / no upcaster (@upcaster({event_type!r}, {step}))"
                if (event_type, step) not in CATALOGUE.upcasters and missing not in report.upcasters:
                    report.upcasters.append(missing)
        else:
            old = json.loads(path.read_text(encoding="utf-8"))
            new = json.loads(files[schema_file(event_type, version)])
            for problem in breaking_changes(old, new):
                report.breaking.append(f"{event_type} v{version} {problem}")
    return report


def export(directory: Path = CONTRACTS_DIR) -> list[str]:
    """Write every generated file; returns the relative paths that changed."""
    changed = []
    for rel, text in render(directory).items():
        path = directory / rel
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        changed.append(rel)
    return changed
