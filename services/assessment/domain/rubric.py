"""年度考核细则 / the yearly rubric: weighted dimensions, grade cut-offs and parameters.

Each year's rubric is a stream of versions (``rubric-<year>``); a computation records
the version it used, so a re-run scores with the same rubric even after a redefinition.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.assessment import RubricDefined, RubricDimension
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError, NotFound

DIMENSIONS: dict[str, tuple[str, str]] = {
    "income_target": ("村集体经营性收入达到20万元", "collective operating income at least 200,000 yuan"),
    "income_growth": ("农民人均可支配收入增幅高于全市", "farmers' per-capita income growing faster than the city"),
    "task_progress": ("任务节点按期验收", "milestones verified by their due dates"),
    "disbursement": ("资金按时拨付", "money of the year disbursed within the year"),
    "coverage": ("低收入群体应保尽保", "every eligible low-income person covered"),
    "presence": ("驻村在岗", "cadres' presence days in the village"),
    "inspections": ("督导问题按期整改", "inspection findings rectified by their deadlines"),
    "assessor_marks": ("考核组评分", "the assessors' own marks"),
}
DimensionCode = Literal["income_target", "income_growth", "task_progress", "disbursement", "coverage", "presence",
                        "inspections", "assessor_marks"]
GRADES = ("优秀", "良好", "一般")  # each with a minimum total; anything below 一般 is 较差
LOWEST = "较差"
PARAMS: dict[str, tuple[Decimal, str]] = {
    "presence_days_per_year": (Decimal(200), "每名队员每年应驻村天数 / presence days expected of a member a year"),
    "late_credit": (Decimal("0.5"), "逾期完成的得分比例 / credit for a milestone or finding done late (0–1)"),
}


class DimensionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: DimensionCode = Field(description="维度 / dimension: " + ", ".join(f"{c} {zh}" for c, (zh, _) in DIMENSIONS.items()))
    weight: Decimal = Field(gt=0, le=100, decimal_places=2, description="权重（合计100）/ weight; weights add up to 100")


class DefineRubric(BaseModel):
    """制定（或修订）年度考核细则 / define or revise a year's rubric."""

    model_config = ConfigDict(extra="forbid")

    dimensions: list[DimensionInput] = Field(min_length=1, max_length=len(DIMENSIONS))
    grade_cutoffs: dict[str, Decimal] = Field(
        default_factory=lambda: {"优秀": Decimal(90), "良好": Decimal(80), "一般": Decimal(60)},
        description="各等次最低总分 / minimum total for 优秀, 良好, 一般 (below 一般: 较差)")
    params: dict[str, Decimal] = Field(
        default_factory=dict,
        description="计分参数 / parameters: " + "; ".join(f"{k} (default {d}): {t}" for k, (d, t) in PARAMS.items()))

    @model_validator(mode="after")
    def consistent(self) -> DefineRubric:
        codes = [d.code for d in self.dimensions]
        if len(set(codes)) != len(codes):
            raise ValueError("维度重复 / a dimension appears twice")
        total = sum((d.weight for d in self.dimensions), Decimal(0))
        if total != 100:
            raise ValueError(f"权重合计应为 100，实为 {total} / weights must add up to 100, not {total}")
        if set(self.grade_cutoffs) != set(GRADES):
            raise ValueError("等次分数线应为 优秀、良好、一般 三项 / give cut-offs for exactly 优秀, 良好 and 一般")
        cuts = [self.grade_cutoffs[g] for g in GRADES]
        if not all(0 < c <= 100 for c in cuts) or not cuts[0] > cuts[1] > cuts[2]:
            raise ValueError("分数线应在 0–100 之间且 优秀 > 良好 > 一般 / cut-offs must lie in 0–100 and decrease")
        unknown = set(self.params) - set(PARAMS)
        if unknown:
            raise ValueError(f"未知参数 / unknown parameters: {', '.join(sorted(unknown))}")
        late = self.params.get("late_credit")
        if late is not None and not 0 <= late <= 1:
            raise ValueError("late_credit 应在 0–1 之间 / late_credit must lie in 0–1")
        days = self.params.get("presence_days_per_year")
        if days is not None and not 0 < days <= 366:
            raise ValueError("presence_days_per_year 应在 1–366 之间 / must lie in 1–366")
        return self


def grade(total: Decimal, cutoffs: dict[str, Decimal]) -> str:
    for name in GRADES:
        if total >= cutoffs[name]:
            return name
    return LOWEST


def param(rubric: RubricDefined, name: str) -> Decimal:
    return rubric.params.get(name, PARAMS[name][0])


class Rubric(Aggregate):
    """Key: the year."""

    stream_prefix = "rubric"

    def __init__(self, key: str):
        super().__init__(key)
        self.versions: list[RubricDefined] = []

    @property
    def latest(self) -> RubricDefined:
        if not self.versions:
            raise DomainError(f"{self.key} 年尚未制定考核细则 / no rubric defined for {self.key}", field="year")
        return self.versions[-1]

    def version_no(self, number: int) -> RubricDefined:
        for version in self.versions:
            if version.rubric_version == number:
                return version
        raise NotFound(f"{self.key} 年细则没有第 {number} 版 / no rubric version {number}", field="year")

    def define(self, cmd: DefineRubric) -> RubricDefined:
        params = {k: v for k, v in sorted(cmd.params.items())}
        dimensions = [RubricDimension(code=d.code, name_zh=DIMENSIONS[d.code][0], name_en=DIMENSIONS[d.code][1],
                                      weight=d.weight) for d in cmd.dimensions]
        if self.versions:
            latest = self.versions[-1]
            if (latest.dimensions, latest.grade_cutoffs, latest.params) == (dimensions, cmd.grade_cutoffs, params):
                raise Conflict("与现行细则相同 / identical to the rubric in force", field="dimensions")
        event = RubricDefined(year=int(self.key), dimensions=dimensions, grade_cutoffs=cmd.grade_cutoffs,
                              rubric_version=len(self.versions) + 1, params=params)
        self.record(event)
        return event

    def when_RubricDefined(self, e: RubricDefined) -> None:
        self.versions.append(e)
