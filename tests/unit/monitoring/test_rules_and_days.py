"""The rule catalogue, its versions and the business calendar, through the handlers on an
in-memory unit of work (pure logic; the store's own behaviour is tested elsewhere)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from pydantic import ValidationError

import shared.contracts  # noqa: F401 - registers every service's events
from shared.contracts.monitoring import BusinessDayClosed, RuleChanged
from shared.eventstore.catalogue import CATALOGUE as EVENTS
from shared.eventstore import CommandMeta
from shared.eventstore.errors import Conflict, DomainError, NotFound
from shared.eventstore.memory import InMemoryUnitOfWork

from services.monitoring.domain.calendar import Calendar, CloseDay
from services.monitoring.domain.conditions import (
    DAY_THRESHOLD,
    IMMEDIATE,
    first_alert_day,
    is_due,
    quarters_ended_before,
)
from services.monitoring.domain.rules import CATALOGUE, ChangeRule, Rule, first_version, in_force
from services.monitoring.handlers import COMMANDS
from services.monitoring.handlers.days import close_day
from services.monitoring.handlers.rules import change_rule, seed_rules

ISSUE_16_RULES = {
    "milestone.overdue", "rectification.overdue", "disbursement.awaiting_approval", "disbursement.approved_unpaid",
    "allocation.idle", "district.spend_behind_plan", "cadre.presence_below_requirement", "cadre.leave_beyond_quota",
    "first_secretary.untrained", "village.without_team", "income.report_flagged", "income.drop",
    "village.below_target_final_year", "person.eligible_not_covered", "ops.projection_lag", "ops.quarantined_event",
}


def at(day: date) -> CommandMeta:
    return CommandMeta(actor="city_office:test", occurred_at=datetime(day.year, day.month, day.day, 2,
                                                                      tzinfo=timezone.utc))


def test_the_catalogue_holds_every_rule_of_the_issue_with_titles_and_valid_defaults():
    assert ISSUE_16_RULES <= set(CATALOGUE)
    for rule in CATALOGUE.values():
        assert rule.title_zh and rule.title_en and rule.audience
        v1 = first_version(rule)
        assert v1.rule_version == 1 and v1.enabled
        for t in v1.thresholds:
            bound = rule.thresholds[t.name]
            assert bound.low <= t.value <= bound.high
        assert (rule.escalate_after_days is None) == (not rule.escalate_to)
    assert set(DAY_THRESHOLD) | IMMEDIATE <= set(CATALOGUE)
    for rule_id, name in DAY_THRESHOLD.items():
        assert name in CATALOGUE[rule_id].thresholds


def test_every_command_has_its_handler():
    assert {t.__name__ for t in COMMANDS} == {"ChangeRule", "CloseDay", "CloseThrough", "Acknowledge", "ResolveByHand"}


async def test_seeding_is_once_per_rule():
    uow = InMemoryUnitOfWork()
    first = await seed_rules(uow)
    assert len(first["seeded"]) == len(CATALOGUE)
    assert all(isinstance(e, RuleChanged) and e.rule_version == 1 for e in uow.events)
    again = await seed_rules(uow)
    assert again["seeded"] == [] and len(uow.events) == len(CATALOGUE)


def change(**overrides) -> ChangeRule:
    body = {"effective_on": "2022-03-01", "severity": "critical", "thresholds": {"days": 21},
            "audience": ["finance_officer"], "escalate_after_days": 3, "escalate_to": ["city_office"],
            "reason": "市办要求 / the office asked"} | overrides
    return ChangeRule.model_validate(body)


async def test_a_change_is_a_new_version_applying_from_its_business_day():
    uow = InMemoryUnitOfWork(at(date(2022, 2, 1)))
    await seed_rules(uow)
    view = await change_rule(uow, change(), rule_id="disbursement.awaiting_approval")
    assert view["rule_version"] == 2 and view["thresholds"] == {"days": 21}
    rule = await uow.load(Rule, "disbursement.awaiting_approval")
    assert in_force(rule.versions, date(2022, 2, 28)).rule_version == 1
    assert in_force(rule.versions, date(2022, 3, 1)).rule_version == 2


@pytest.mark.parametrize("thresholds, field", [({"days": 0}, "thresholds.days"), ({"days": 99_999}, "thresholds.days"),
                                               ({"percent": 5}, "thresholds.percent")])
async def test_bad_thresholds_are_refused_on_their_field_and_nothing_is_recorded(thresholds, field):
    uow = InMemoryUnitOfWork()
    with pytest.raises(DomainError) as refused:
        await change_rule(uow, change(thresholds=thresholds), rule_id="disbursement.awaiting_approval")
    assert refused.value.status_code == 422 and refused.value.field == field
    assert uow.events == []


async def test_the_ceiling_is_kept_per_version_and_refused_out_of_1_to_10_on_its_field():
    uow = InMemoryUnitOfWork(at(date(2022, 2, 1)))
    assert (await seed_rules(uow)) and all(e.escalate_at_most == 3 for e in uow.events)
    view = await change_rule(uow, change(escalate_at_most=7), rule_id="disbursement.awaiting_approval")
    assert view["escalate_at_most"] == 7
    assert (await change_rule(uow, change(), rule_id="disbursement.awaiting_approval"))["escalate_at_most"] == 3
    for bad in (0, 11):
        with pytest.raises(ValidationError) as refused:
            change(escalate_at_most=bad)
        assert [e["loc"] for e in refused.value.errors()] == [("escalate_at_most",)]


def test_a_version_1_rule_change_reads_as_the_default_ceiling():
    payload = first_version(CATALOGUE["allocation.idle"]).model_dump(mode="json")
    del payload["escalate_at_most"]
    old = EVENTS.decode("RuleChanged", 1, payload)
    assert type(old) is RuleChanged and old.escalate_at_most == 3 and old.escalate_after_days == 10
    assert Rule.rehydrate("allocation.idle", [old]).versions[0].escalate_at_most == 3


async def test_an_unknown_rule_is_404_and_a_closed_day_cannot_take_a_change():
    uow = InMemoryUnitOfWork(at(date(2022, 3, 10)))
    with pytest.raises(NotFound):
        await change_rule(uow, change(), rule_id="no.such.rule")
    for day in (date(2022, 3, 1), date(2022, 3, 2)):
        await close_day(uow, CloseDay(day=day))
    with pytest.raises(Conflict) as refused:
        await change_rule(uow, change(effective_on="2022-03-02"), rule_id="disbursement.awaiting_approval")
    assert refused.value.field == "effective_on"
    assert (await change_rule(uow, change(effective_on="2022-03-03"),
                              rule_id="disbursement.awaiting_approval"))["rule_version"] == 2


async def test_days_close_in_order_once_and_never_ahead_of_today():
    uow = InMemoryUnitOfWork(at(date(2022, 1, 3)))
    await close_day(uow, CloseDay(day=date(2021, 12, 31)))
    await close_day(uow, CloseDay(day=date(2022, 1, 1)))  # across the year's streams
    with pytest.raises(Conflict, match="already closed"):
        await close_day(uow, CloseDay(day=date(2022, 1, 1)))
    with pytest.raises(Conflict, match="in order"):
        await close_day(uow, CloseDay(day=date(2022, 1, 3)))
    await close_day(uow, CloseDay(day=date(2022, 1, 2)))
    await close_day(uow, CloseDay(day=date(2022, 1, 3)))
    with pytest.raises(DomainError, match="not come yet"):
        await close_day(uow, CloseDay(day=date(2022, 1, 4)))
    assert [e.day for e in uow.events if isinstance(e, BusinessDayClosed)] == [
        date(2021, 12, 31), date(2022, 1, 1), date(2022, 1, 2), date(2022, 1, 3)]
    assert (await uow.load(Calendar, "2022")).last == date(2022, 1, 3)


def test_more_than_n_days_means_the_day_after_the_nth():
    v1 = first_version(CATALOGUE["disbursement.awaiting_approval"])  # 14 days
    since = date(2022, 5, 1)
    assert first_alert_day(v1, since) == date(2022, 5, 16)
    assert not is_due(v1, since, date(2022, 5, 15)) and is_due(v1, since, date(2022, 5, 16))
    milestone = first_version(CATALOGUE["milestone.overdue"])  # grace 0: overdue the day after it was due
    assert first_alert_day(milestone, date(2022, 6, 30)) == date(2022, 7, 1)
    disabled = milestone.model_copy(update={"enabled": False})
    assert not is_due(disabled, date(2022, 6, 30), date(2023, 1, 1))


def test_a_move_is_judged_against_the_last_quarter_ended_before_its_day():
    assert [quarters_ended_before(2022, d) for d in (date(2022, 3, 31), date(2022, 4, 1), date(2022, 7, 1),
                                                    date(2022, 12, 31), date(2023, 2, 1))] == [0, 1, 2, 3, 4]
