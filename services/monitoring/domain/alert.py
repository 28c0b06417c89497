"""预警 / an alert's life: raised once per condition, escalated while nobody takes it on,
acknowledged by an official, resolved by the event that cleared it or by hand.

Every transition is idempotent where a reactor drives it (raising what is raised, resolving
what is resolved, escalating to a level reached do nothing), so a redelivered or replayed
event never says anything twice; what officials do by hand is refused when it makes no sense.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.monitoring import (
    AlertAcknowledged,
    AlertEscalated,
    AlertRaised,
    AlertResolved,
    Audience,
)
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, NotFound
from shared.privacy.sealed import Sealed

# Alert ids are derived, never drawn: the same condition always names the same alert.
ALERT_NAMESPACE = UUID("5b0c2a36-35d4-4f1e-9d52-6e0f4f7f1a60")


def alert_id(rule_id: str, subject_kind: str, subject_id: str, opened_by: str) -> str:
    """One alert per (rule, subject, episode); ``opened_by`` is the event that began the episode."""
    return str(uuid.uuid5(ALERT_NAMESPACE, f"{rule_id}|{subject_kind}|{subject_id}|{opened_by}"))


class Acknowledge(BaseModel):
    """确认预警 / take an alert on (escalation stops)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(min_length=1, max_length=2000, description="说明（加密保存）/ what is being done; sealed")


class ResolveByHand(BaseModel):
    """手工解除 / close an alert by hand, with a reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=2000, description="理由（加密保存）/ why; sealed")


class Alert(Aggregate):
    stream_prefix: ClassVar[str] = "alert"

    def __init__(self, key: str):
        super().__init__(key)
        self.raised: AlertRaised | None = None
        self.level = 0
        self.acknowledged = False
        self.resolved = False

    @property
    def open(self) -> bool:
        return self.raised is not None and not self.resolved

    def raise_(self, event: AlertRaised) -> bool:
        if self.raised is not None:
            return False
        self.record(event)
        return True

    def escalate(self, level: int, to: list[Audience], on: date) -> bool:
        if not self.open or self.acknowledged or level <= self.level or not to:
            return False
        self.record(AlertEscalated(alert_id=self.key, level=level, escalated_to=to, escalated_on=on))
        return True

    def clear(self, on: date, cause_event_id: UUID | None) -> bool:
        if not self.open:
            return False
        self.record(AlertResolved(alert_id=self.key, how="cleared", resolved_on=on, cause_event_id=cause_event_id))
        return True

    def _ensure_open(self) -> None:
        if self.raised is None:
            raise NotFound(f"没有预警 {self.key} / no alert {self.key}", field="alert_id", location="path")
        if self.resolved:
            raise Conflict(f"预警 {self.key} 已解除 / alert {self.key} is already resolved", field="alert_id",
                           location="path")

    def acknowledge(self, by: str, on: date, note: Sealed) -> AlertAcknowledged:
        self._ensure_open()
        if self.acknowledged:
            raise Conflict(f"预警 {self.key} 已确认 / alert {self.key} is already acknowledged", field="alert_id",
                           location="path")
        event = AlertAcknowledged(alert_id=self.key, by=by, acknowledged_on=on, note=note)
        self.record(event)
        return event

    def resolve_by_hand(self, by: str, on: date, reason: Sealed) -> AlertResolved:
        self._ensure_open()
        event = AlertResolved(alert_id=self.key, how="by_hand", resolved_on=on, by=by, reason=reason)
        self.record(event)
        return event

    def when_AlertRaised(self, event: AlertRaised) -> None:
        self.raised = event

    def when_AlertEscalated(self, event: AlertEscalated) -> None:
        self.level = max(self.level, event.level)

    def when_AlertAcknowledged(self, event: AlertAcknowledged) -> None:
        self.acknowledged = True

    def when_AlertResolved(self, event: AlertResolved) -> None:
        self.resolved = True


def escalation_level(business_days_open: int, escalate_after_days: int | None, at_most: int) -> int:
    """One level for every ``escalate_after_days`` business days without an acknowledgement, up
    to ``at_most``: past the ladder's top, telling the same people again says nothing new."""
    if not escalate_after_days or business_days_open < escalate_after_days:
        return 0
    return min(business_days_open // escalate_after_days, at_most)
