"""faust's flow control, made to release what it drops.

A worker runs one agent per projection, and several projections read the same topic: faust
hands each record to every agent's queue and tracks it as in flight from the moment the
first agent takes it. When the worker stops or a rebalance revokes its partitions, faust
clears the agents' queues and then waits (``stream_wait_empty``) until every tracked record
is acknowledged — but a copy cleared from one queue is never taken, so never acknowledged,
and the wait lasts until the process is killed (30 s of a Kubernetes grace period on every
stop; a rebalance that never finishes). Here a record whose copy is dropped stops being
waited for, and is not acknowledged either: its offset is not committed, so the partition's
next owner reads it again, and the projections skip what they already hold by their positions.
"""

from __future__ import annotations

from typing import Any

from mode.utils.queues import FlowControlEvent


class ReleasingFlowControl(FlowControlEvent):
    def __init__(self, consumer_of: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._consumer_of = consumer_of

    def clear(self) -> None:
        dropped = [item.message for queue in self._queues for item in queue._queue  # noqa: SLF001
                   if getattr(item, "message", None) is not None]
        if dropped:
            in_flight = self._consumer_of()._unacked_messages  # noqa: SLF001 - what wait_empty waits on
            for message in dropped:
                if not message.acked:
                    in_flight.discard(message)
        super().clear()
