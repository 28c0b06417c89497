"""任务目录 versions: seeded from the reference data, history answers what was in force when."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from shared.eventstore.errors import Conflict, DomainError, NotFound
from services.assessment.domain.catalogue import IssueCatalogue, TaskCatalogue, first_version


def seeded() -> TaskCatalogue:
    catalogue = TaskCatalogue()
    catalogue.issue(first_version())
    return catalogue


def without_task_19(effective_from: date) -> IssueCatalogue:
    body = first_version().model_dump()
    body["effective_from"] = effective_from
    body["actions"][-1]["tasks"] = [t for t in body["actions"][-1]["tasks"] if t["no"] != 19]
    return IssueCatalogue.model_validate(body)


def test_version_one_has_five_actions_and_nineteen_tasks():
    version = seeded().in_force(date(2021, 1, 1))
    assert version.catalogue_version == 1
    assert [a.code for a in version.actions] == ["industry", "ecology", "culture", "organisation", "talent"]
    assert sorted(t.no for a in version.actions for t in a.tasks) == list(range(1, 20))


def test_history_keeps_what_was_in_force_when():
    catalogue = seeded()
    catalogue.issue(without_task_19(date(2023, 1, 1)))
    assert catalogue.in_force(date(2022, 12, 31)).catalogue_version == 1
    assert catalogue.in_force(date(2023, 1, 1)).catalogue_version == 2
    action, task = catalogue.task(date(2022, 6, 1), 19)
    assert (action.code, task.no) == ("talent", 19)
    with pytest.raises(DomainError) as refused:
        catalogue.task(date(2023, 6, 1), 19)
    assert refused.value.field == "task_no"


def test_nothing_in_force_before_the_first_version():
    with pytest.raises(NotFound):
        seeded().in_force(date(2020, 12, 31))
    with pytest.raises(DomainError) as early:
        seeded().task(date(2020, 12, 31), 1)
    assert early.value.field == "planned_start"


def test_a_new_version_must_take_effect_later_and_change_something():
    catalogue = seeded()
    with pytest.raises(DomainError) as early:
        catalogue.issue(without_task_19(date(2021, 1, 1)))
    assert early.value.field == "effective_from"
    same = first_version().model_copy(update={"effective_from": date(2022, 1, 1)})
    with pytest.raises(Conflict):
        catalogue.issue(same)


def test_a_task_number_appears_once():
    body = first_version().model_dump()
    body["actions"][1]["tasks"][0]["no"] = 1
    with pytest.raises(ValidationError, match="task number appears twice"):
        IssueCatalogue.model_validate(body)
