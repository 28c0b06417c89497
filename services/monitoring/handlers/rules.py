"""规则 / seeding version 1 of the catalogue once, and the city office's changes."""

from __future__ import annotations

from datetime import date, timedelta

from shared.eventstore import UnitOfWork

from services.monitoring.domain.calendar import Calendar
from services.monitoring.domain.rules import CATALOGUE, ChangeRule, Rule, definition


def rule_view(event) -> dict:
    d = CATALOGUE[event.rule_id]
    return {"rule_id": event.rule_id, "title_zh": d.title_zh, "title_en": d.title_en, "group": d.group,
            "subject_kind": d.subject_kind, "evaluated": d.evaluated, "rule_version": event.rule_version,
            "effective_on": event.effective_on.isoformat(), "enabled": event.enabled, "severity": event.severity,
            "thresholds": {t.name: t.value for t in event.thresholds}, "audience": list(event.audience),
            "escalate_after_days": event.escalate_after_days, "escalate_to": list(event.escalate_to),
            "escalate_at_most": event.escalate_at_most, "reason": event.reason}


async def seed_rules(uow: UnitOfWork) -> dict:
    """Version 1 of every rule not in the store yet (a rule added to the code later is seeded too)."""
    rules = await uow.load_many(Rule, sorted(CATALOGUE))
    seeded = [r for r in rules.values() if r.seed() is not None]
    if seeded:
        await uow.save_all(seeded)
    return {"seeded": sorted(r.key for r in seeded)}


async def first_open_day_after(uow: UnitOfWork, day: date) -> date | None:
    """None when ``day`` is still open; else the day after the last closed one (as far as
    ``day``'s year and the next tell — a later year closing means ``day`` closed long ago)."""
    calendars = await uow.load_many(Calendar, [str(day.year), str(day.year + 1)])
    this, following = calendars[str(day.year)], calendars[str(day.year + 1)]
    if following.closed:
        return following.closed[-1]
    if this.last is not None and this.last >= day:
        return this.last
    return None


async def change_rule(uow: UnitOfWork, cmd: ChangeRule, *, rule_id: str) -> dict:
    definition(rule_id)  # 404 before anything else
    rule = await uow.load(Rule, rule_id)
    last_closed = await first_open_day_after(uow, cmd.effective_on)
    event = rule.change(cmd, last_closed + timedelta(days=1) if last_closed else None)
    await uow.save(rule)
    return rule_view(event)
