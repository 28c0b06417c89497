"""任务目录 / the catalogue of the five actions and 19 key tasks, versioned.

Version 1 is the programme office's catalogue (``shared.reference.tasks``); an
administrator issues later versions, each in force from its ``effective_from`` day, and
the history answers which catalogue was in force on any day.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.assessment import CatalogueAction, CatalogueTask, TaskCatalogueVersioned
from shared.dates import IsoDate
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError, NotFound
from shared.reference.tasks import ACTIONS

PROGRAMME_START = date(2021, 1, 1)
ACTION_CODES = ("industry", "ecology", "culture", "organisation", "talent")


class TaskInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    no: int = Field(ge=1, le=19, description="任务序号 1–19 / task number")
    name_zh: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=200)


class ActionInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern="^(industry|ecology|culture|organisation|talent)$",
                      description="行动代码 / action: industry, ecology, culture, organisation, talent")
    name_zh: str = Field(min_length=1, max_length=50)
    name_en: str = Field(min_length=1, max_length=100)
    tasks: list[TaskInput] = Field(min_length=1, max_length=19)


class IssueCatalogue(BaseModel):
    """发布新版任务目录 / issue a new version of the task catalogue."""

    model_config = ConfigDict(extra="forbid")

    effective_from: IsoDate = Field(description="生效日期 / in force from this day")
    actions: list[ActionInput] = Field(min_length=1, max_length=5)

    @model_validator(mode="after")
    def numbered_once(self) -> IssueCatalogue:
        codes = [a.code for a in self.actions]
        if len(set(codes)) != len(codes):
            raise ValueError("行动代码重复 / an action appears twice")
        numbers = [t.no for a in self.actions for t in a.tasks]
        if len(set(numbers)) != len(numbers):
            raise ValueError("任务序号重复 / a task number appears twice")
        return self

    def to_actions(self) -> list[CatalogueAction]:
        return [
            CatalogueAction(code=a.code, name_zh=a.name_zh, name_en=a.name_en,
                            tasks=[CatalogueTask(no=t.no, name_zh=t.name_zh, name_en=t.name_en) for t in a.tasks])
            for a in self.actions
        ]


def first_version() -> IssueCatalogue:
    return IssueCatalogue(
        effective_from=PROGRAMME_START,
        actions=[
            ActionInput(code=a["code"], name_zh=a["name_zh"], name_en=a["name_en"],
                        tasks=[TaskInput(no=no, name_zh=zh, name_en=en) for no, zh, en in a["tasks"]])
            for a in ACTIONS
        ],
    )


class TaskCatalogue(Aggregate):
    """One stream, ``catalogue``: every version ever issued."""

    stream_prefix = "catalogue"
    KEY: ClassVar[str] = "catalogue"

    def __init__(self, key: str = KEY):
        super().__init__(key)
        self.versions: list[TaskCatalogueVersioned] = []

    @property
    def stream_id(self) -> str:
        return "catalogue"

    def issue(self, cmd: IssueCatalogue) -> TaskCatalogueVersioned:
        latest = self.versions[-1] if self.versions else None
        if latest is not None and cmd.effective_from <= latest.effective_from:
            raise DomainError(
                f"新版须晚于现行第 {latest.catalogue_version} 版的生效日 {latest.effective_from} / a new version "
                f"must take effect after version {latest.catalogue_version} ({latest.effective_from})",
                field="effective_from",
            )
        actions = cmd.to_actions()
        if latest is not None and actions == latest.actions:
            raise Conflict("与现行目录相同 / identical to the catalogue in force", field="actions")
        event = TaskCatalogueVersioned(catalogue_version=len(self.versions) + 1,
                                       effective_from=cmd.effective_from, actions=actions)
        self.record(event)
        return event

    def in_force(self, day: date) -> TaskCatalogueVersioned:
        for version in reversed(self.versions):
            if version.effective_from <= day:
                return version
        raise NotFound(f"{day} 尚无生效的任务目录 / no task catalogue in force on {day}", field="as_of",
                       location="query")  # the day asked about is a query parameter, not a body field

    def task(self, day: date, task_no: int, field: str = "task_no") -> tuple[CatalogueAction, CatalogueTask]:
        if not self.versions or day < self.versions[0].effective_from:
            raise DomainError(f"{day} 尚无生效的任务目录（项目须于 {PROGRAMME_START} 之后开始）/ no task catalogue in "
                              f"force on {day}", field="planned_start")
        version = self.in_force(day)
        for action in version.actions:
            for task in action.tasks:
                if task.no == task_no:
                    return action, task
        raise DomainError(
            f"{day} 生效的第 {version.catalogue_version} 版目录中没有任务 {task_no} / task {task_no} is not in "
            f"catalogue version {version.catalogue_version} in force on {day}",
            field=field,
        )

    def when_TaskCatalogueVersioned(self, event: TaskCatalogueVersioned) -> None:
        self.versions.append(event)
