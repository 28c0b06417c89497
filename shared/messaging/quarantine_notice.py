"""What a worker says on ``<service>.quarantine``: a record its projection held aside
(``held``), and later that an operator retried or skipped it (``retried``/``skipped``).

The record is the one delivered, as it came; the headers say where it came from and what
became of it. Monitoring reads these to raise and clear its ``ops.quarantined_event`` alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from shared.config import Settings

Status = Literal["held", "retried", "skipped"]
PREFIX = "x-quarantine-"


@dataclass(frozen=True)
class QuarantineNotice:
    projection: str
    topic: str
    partition: int
    offset: int
    status: Status
    by: str | None = None

    @property
    def subject(self) -> str:
        """The held record, whatever its state: ``<projection>@<topic>:<partition>:<offset>``."""
        return f"{self.projection}@{self.topic}:{self.partition}:{self.offset}"

    def headers(self, error: str | None = None) -> list[tuple[str, bytes]]:
        out = [(f"{PREFIX}projection", self.projection.encode()), (f"{PREFIX}topic", self.topic.encode()),
               (f"{PREFIX}partition", str(self.partition).encode()), (f"{PREFIX}offset", str(self.offset).encode()),
               (f"{PREFIX}status", self.status.encode())]
        if error is not None:
            out.append((f"{PREFIX}error", error[:2000].encode()))
        if self.by is not None:
            out.append((f"{PREFIX}by", self.by.encode()))
        return out


def read_notice(headers: Iterable[tuple[str, bytes]]) -> QuarantineNotice | None:
    """The notice a record's headers carry; None for a record without one. A notice without a
    status is a held record (announced before the status was said)."""
    h = {k: v.decode() for k, v in headers if k.startswith(PREFIX)}
    try:
        status = h.get(f"{PREFIX}status", "held")
        if status not in ("held", "retried", "skipped"):
            return None
        return QuarantineNotice(h[f"{PREFIX}projection"], h[f"{PREFIX}topic"], int(h[f"{PREFIX}partition"]),
                                int(h[f"{PREFIX}offset"]), status, h.get(f"{PREFIX}by"))  # type: ignore[arg-type]
    except (KeyError, ValueError):
        return None


async def announce_decision(bootstrap: str, topic: str, record: bytes, notice: QuarantineNotice) -> None:
    """Say on the quarantine topic that a held record was retried or skipped (the table is
    already decided: a send that fails leaves monitoring's alert open, for a person to close)."""
    from shared.messaging.kafka import event_producer

    producer = event_producer(bootstrap)
    await producer.start()
    try:
        # A topic that is not there would hold the send for the whole request timeout: ask first.
        await producer.client.force_metadata_update()
        if topic not in producer.client.cluster.topics():
            raise LookupError(f"no topic {topic}")
        await producer.send_and_wait(topic, value=record, headers=notice.headers())
    finally:
        await producer.stop()
