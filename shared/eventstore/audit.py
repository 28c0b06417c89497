"""Verifying a service's hash-chained log: the first event altered, removed or reordered.

The chain is only as trustworthy as its heads are public: the relay publishes them as
``ChainCheckpointed`` events and ``xingcun audit anchor`` writes them to a file
(``shared/eventstore/anchors.py``), so another bureau holding a head can tell a rewritten
or shortened history from the real one (``expected_heads``).
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from shared.eventstore import chain, cursor
from shared.eventstore.store import EVENT_COLUMNS


@dataclass(frozen=True)
class ChainBreak:
    position: int
    event_id: str | None
    kind: str  # "altered" | "missing" | "head_mismatch" | "truncated"
    message: str


@dataclass(frozen=True)
class AuditReport:
    checked: int
    head_position: int
    head_hash: str
    problem: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.problem is None


async def verify_chain(
    conn: asyncpg.Connection, *, batch: int = 5000, expected_heads: dict[int, str] | None = None
) -> AuditReport:
    """Recompute every link from position 1. ``expected_heads`` maps positions to hashes
    known from elsewhere (published checkpoints) that must match too."""
    expected_heads = expected_heads or {}
    previous, position, checked = b"", 0, 0
    while True:
        rows = await conn.fetch(
            f"""select l.position, l.chain_hash, {EVENT_COLUMNS}
                from es.log l join es.events e on e.id = l.event_row
                where l.position > $1 order by l.position limit $2""",
            position,
            batch,
        )
        for row in rows:
            expected_position = position + 1
            if row["position"] != expected_position:
                return _report(checked, position, previous, ChainBreak(
                    expected_position, None, "missing",
                    f"位置 {expected_position} 的事件缺失 / the event at position {expected_position} was removed"))
            link = chain.link(previous, row["position"], row)
            if link != bytes(row["chain_hash"]):
                return _report(checked, position, previous, ChainBreak(
                    row["position"], str(row["event_id"]), "altered",
                    f"位置 {row['position']} 的事件被篡改或调序 / event {row['event_id']} at position "
                    f"{row['position']} was altered or reordered"))
            known = expected_heads.get(row["position"])
            if known is not None and known != link.hex():
                return _report(checked, position, previous, ChainBreak(
                    row["position"], str(row["event_id"]), "head_mismatch",
                    f"位置 {row['position']} 与已公布的链头不符 / the chain differs from the head published "
                    f"for position {row['position']}: history was rewritten"))
            previous, position, checked = link, row["position"], checked + 1
        if len(rows) < batch:
            break
    beyond = [p for p in expected_heads if p > position]
    if beyond:
        return _report(checked, position, previous, ChainBreak(
            position + 1, None, "truncated",
            f"日志止于 {position}，但已公布位置 {max(beyond)} 的链头：末尾的事件被删除 / the log ends at {position} "
            f"but a head was published for position {max(beyond)}: events were cut from its end"))
    last = await cursor.sequenced(conn)
    if last is not None and last != position:
        return _report(checked, position, previous, ChainBreak(
            position + 1, None, "missing",
            f"日志止于 {position}，但排序器已到 {last} / the log ends at {position} but the sequencer reached {last}"))
    return _report(checked, position, previous, None)


def _report(checked: int, position: int, head: bytes, problem: ChainBreak | None) -> AuditReport:
    return AuditReport(checked, position, head.hex(), problem)
