"""运维预警 / operations alerts raised by the service's own machinery (a webhook subscription
paused after failures) and by the other workers' quarantine topics (a record held aside):
raised and cleared directly, one alert per (rule, subject, episode).

The delivery worker calls, in a command of its own (``EventStore.execute``)::

    await raise_operations_alert(uow, "ops.subscription_paused", "subscription", subscription_id,
                                 episode=str(pause_event_id), on=day, figures={"failures": n})
    await clear_operations_alert(uow, "ops.subscription_paused", "subscription", subscription_id,
                                 episode=str(pause_event_id), on=day)   # on resume
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from shared.contracts.monitoring import AlertRaised
from shared.eventstore import UnitOfWork
from shared.messaging.quarantine_notice import QuarantineNotice

from services.monitoring.domain.alert import Alert, alert_id
from services.monitoring.domain.rules import CATALOGUE, Rule, first_version, in_force


async def raise_operations_alert(uow: UnitOfWork, rule_id: str, subject_kind: str, subject_id: str, *, episode: str,
                                 on: date, figures: dict[str, int | str] | None = None,
                                 cause_event_id: UUID | None = None) -> str | None:
    """The alert's id, or None when the rule is disabled on ``on``."""
    d = CATALOGUE[rule_id]
    rule = await uow.load(Rule, rule_id)
    version = in_force(rule.versions or [first_version(d)], on)
    if version is None or not version.enabled:
        return None
    aid = alert_id(rule_id, subject_kind, subject_id, episode)
    alert = await uow.load(Alert, aid)
    if alert.raise_(AlertRaised(
            alert_id=aid, rule_id=rule_id, rule_version=version.rule_version, severity=version.severity,
            subject_kind=subject_kind, subject_id=subject_id, district=None, audience=list(version.audience),  # type: ignore[arg-type]
            raised_on=on, cause_event_id=cause_event_id, title=f"{d.title_zh}：{subject_id} / {d.title_en}: {subject_id}",
            figures=figures or {})):
        await uow.save(alert)
    return aid


async def clear_operations_alert(uow: UnitOfWork, rule_id: str, subject_kind: str, subject_id: str, *, episode: str,
                                 on: date, cause_event_id: UUID | None = None) -> bool:
    alert = await uow.load(Alert, alert_id(rule_id, subject_kind, subject_id, episode))
    if alert.clear(on, cause_event_id):
        await uow.save(alert)
        return True
    return False


QUARANTINED = "ops.quarantined_event"


async def quarantine_noticed(uow: UnitOfWork, service: str, notice: QuarantineNotice, on: date) -> str | bool | None:
    """A record held aside by ``service``'s projection raises ``ops.quarantined_event``; its
    retry or skip clears it. One alert per held record (service, projection, topic, offset)."""
    subject = f"{service}/{notice.subject}"
    if notice.status == "held":
        return await raise_operations_alert(
            uow, QUARANTINED, "projection", subject, episode=subject, on=on,
            figures={"service": service, "projection": notice.projection, "topic": notice.topic,
                     "partition": notice.partition, "offset": notice.offset})
    return await clear_operations_alert(uow, QUARANTINED, "projection", subject, episode=subject, on=on)
