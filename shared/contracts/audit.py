"""Events every service publishes on its own topic about its own log."""

from __future__ import annotations

from pydantic import Field

from shared.eventstore import DomainEvent

SERVICE = "*"  # on every <service>.events topic


class ChainCheckpointed(DomainEvent, type="ChainCheckpointed", version=1, service=SERVICE):
    """链头公布 / the head of the service's hash chain at a position.

    Anyone holding it can verify the service's history up to ``position`` independently
    (``xingcun audit verify --head POSITION:HASH``).
    """

    position: int = Field(description="日志位置 / log position the head covers")
    chain_hash: str = Field(description="SHA-256 链头（十六进制）/ chain head, hex")


class PersonalDataErased(DomainEvent, type="PersonalDataErased", version=1, service=SERVICE):
    """个人数据已删除 / a person's data key was destroyed (``xingcun privacy erase``).

    Appended to the person's own stream. Every value sealed under ``subject`` now reads as
    erased; nothing else changes — no event is altered, no figure moves.
    """

    subject: str = Field(description="被删除者（化名，即其事件流）/ the person: their stream id, pseudonymous")
