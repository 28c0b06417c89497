"""The hash chain over a service's log: each link covers the event and the link before."""

from __future__ import annotations

import hashlib
from datetime import UTC
from typing import Any

import orjson


def canonical(row: Any) -> bytes:
    """The bytes a link hashes: every stored field of the event, in a fixed form."""
    content = {
        "event_id": str(row["event_id"]),
        "type": row["type"],
        "schema_version": row["schema_version"],
        "stream_id": row["stream_id"],
        "stream_version": row["stream_version"],
        "occurred_at": row["occurred_at"].astimezone(UTC).isoformat(),
        "recorded_at": row["recorded_at"].astimezone(UTC).isoformat(),
        "correlation_id": str(row["correlation_id"]),
        "causation_id": str(row["causation_id"]) if row["causation_id"] else None,
        "actor": row["actor"],
        "payload": row["payload"],
    }
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)


def link(previous: bytes, position: int, row: Any) -> bytes:
    digest = hashlib.sha256(previous)
    digest.update(position.to_bytes(8, "big"))
    digest.update(canonical(row))
    return digest.digest()
