"""Chain heads held outside the database: what makes a rewritten or shortened log visible.

A forger who owns the database can rewrite an event and recompute every later link, or cut
the log's end and reset the sequencer: the chain is consistent again. It can no longer match
heads somebody else kept. Two such keepers:

- the topic: the relay publishes ``ChainCheckpointed`` on ``<service>.events``; a broker's
  copy does not change when the database does (``heads_on_topic``);
- an anchor file: ``xingcun audit anchor`` writes each service's verified head, for another
  bureau to keep (``write_anchors`` / ``read_anchors``).

``verify_chain(expected_heads=...)`` then names a head that differs (rewritten) and one past
the log's end (truncated).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson

from shared.config import Settings
from shared.messaging.kafka import decode
from shared.messaging.topic_reader import read_to_end

CHECKPOINT_TYPE = b".ChainCheckpointed.v"  # in ce_type: cn.xingcun.<service>.ChainCheckpointed.v1
ANCHOR_FORMAT = "xingcun-chain-anchors/1"


async def heads_on_topic(settings: Settings, topic: str, *, timeout: float = 60.0) -> dict[int, str]:
    """Every ``ChainCheckpointed`` head on ``topic``, read from the start to its end now."""
    heads: dict[int, str] = {}
    for records in (await read_to_end(settings, topic, timeout=timeout)).values():
        for record in records:
            if CHECKPOINT_TYPE in dict(record.headers).get("ce_type", b""):
                event = decode(record.value)
                heads[int(event.payload["position"])] = str(event.payload["chain_hash"])
    return heads


def write_anchors(path: Path, heads: dict[str, tuple[int, str]]) -> None:
    """``heads``: service → (position, chain hash), as just verified."""
    document = {
        "format": ANCHOR_FORMAT,
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "services": {s: {"position": p, "chain_hash": h} for s, (p, h) in sorted(heads.items())},
    }
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")


def read_anchors(path: Path) -> dict[str, dict[int, str]]:
    """service → {position: chain hash}. A file of another format is refused, not guessed at."""
    document = orjson.loads(path.read_bytes())
    if not isinstance(document, dict) or document.get("format") != ANCHOR_FORMAT:
        raise ValueError(f"不是链头锚点文件 / not a chain anchor file ({ANCHOR_FORMAT}): {path.name}")
    return {s: {int(a["position"]): str(a["chain_hash"]).lower()} for s, a in document["services"].items()}
