"""Issuing and seeding the task catalogue, without PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts.assessment import TaskCatalogueVersioned
from shared.eventstore.errors import Conflict, DomainError

from services.assessment.domain.catalogue import TaskCatalogue, first_version
from services.assessment.handlers import catalogue
from tests.unit.assessment.handlers.support import unit_on


async def test_the_catalogue_is_seeded_once():
    uow = unit_on(date(2021, 1, 1))
    first = await catalogue.seed_catalogue(uow)
    assert first["seeded"] and first["catalogue_version"] == 1 and first["tasks"] == 19
    again = await catalogue.seed_catalogue(uow)
    assert not again["seeded"] and again["catalogue_version"] == 1
    assert [type(e) for e in uow.events] == [TaskCatalogueVersioned]


async def test_a_new_version_must_take_effect_after_the_one_in_force():
    uow = unit_on(date(2022, 1, 1))
    await catalogue.seed_catalogue(uow)
    same = first_version().model_copy(update={"effective_from": date(2022, 1, 1)})
    with pytest.raises(Conflict) as refused:
        await catalogue.issue_catalogue(uow, same)
    assert refused.value.field == "actions"
    revised = same.model_copy(deep=True)
    revised.actions[0].tasks[0].name_en = "industry projects introduced (revised)"
    issued = await catalogue.issue_catalogue(uow, revised)
    assert issued == {"catalogue_version": 2, "effective_from": "2022-01-01", "tasks": 19}
    with pytest.raises(DomainError) as refused:
        await catalogue.issue_catalogue(uow, revised)
    assert refused.value.field == "effective_from" and len(uow.events) == 2
    assert len((await uow.load(TaskCatalogue, TaskCatalogue.KEY)).versions) == 2
