"""The end of each topic partition (moved to shared: every service's /metrics reads it)."""

from shared.messaging.end_offsets import EndOffsets

__all__ = ["EndOffsets"]
