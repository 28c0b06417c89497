"""Typed errors the store and the domains raise; the HTTP layer maps each to one status."""

from __future__ import annotations


class DomainError(Exception):
    """A command broke a rule of the programme. ``field`` names the input at fault, ``location``
    where it was given (body, query, path or header); ``retry_after``: the client may come back
    in that many seconds (the answer's Retry-After).

    Messages are Chinese first, English beside: officials read them.
    """

    status_code = 422

    def __init__(self, message: str, field: str | None = None, *, location: str = "body",
                 retry_after: int | None = None, **context: object):
        super().__init__(message)
        self.message = message
        self.field = field
        self.location = location
        self.retry_after = retry_after
        self.context = context


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    """The command is valid but the state it meets does not allow it (duplicate, already done)."""

    status_code = 409


class ConcurrencyError(Conflict):
    """Another writer appended to the stream first; nothing of this append was written."""

    def __init__(self, stream_id: str, expected_version: int):
        super().__init__(
            f"数据已被他人修改，请刷新后重试 / stream {stream_id} changed concurrently "
            f"(expected version {expected_version})",
            stream_id=stream_id,
            expected_version=expected_version,
        )
        self.stream_id = stream_id
        self.expected_version = expected_version


class IdempotencyKeyReused(Conflict):
    def __init__(self, key: str):
        super().__init__(
            f"幂等键已用于另一请求 / idempotency key {key!r} was used for a different request",
            field="Idempotency-Key",
        )


# Kafka's default record limit is 1 MiB; a quarter of it leaves room for the envelope and
# headers, and keeps every consumer's batch small. An event that would grow with the size of
# the programme (a list of every village) must be split into events of bounded size.
MAX_EVENT_BYTES = 256 * 1024


class EventTooLarge(DomainError):
    """An event's payload is above ``MAX_EVENT_BYTES`` as JSON: nothing of the append is written."""

    status_code = 413

    def __init__(self, event_type: str, stream_id: str, size: int):
        super().__init__(
            f"事件过大：{event_type}（{stream_id}）为 {size:,} 字节，上限 {MAX_EVENT_BYTES:,} 字节，须分页 / "
            f"event too large: {event_type} on {stream_id} is {size:,} bytes as JSON, the limit is "
            f"{MAX_EVENT_BYTES:,}; split it into pages",
            event_type=event_type, stream_id=stream_id, size=size, limit=MAX_EVENT_BYTES,
        )


def refuse_oversized(event_type: str, stream_id: str, size: int) -> None:
    if size > MAX_EVENT_BYTES:
        raise EventTooLarge(event_type, stream_id, size)
