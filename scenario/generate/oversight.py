"""Oversight: yearly inspections of villages and teams with findings to rectify by a
deadline (a few late, a few never), and the annual assessments of 2021, 2022 and 2023."""

from __future__ import annotations

import random
from datetime import date, timedelta

from scenario import calendar
from scenario.model import AnnualAssessment, Finding, Inspection, Team, Village

# The city office's rubric (weights add up to 100), the same each year.
RUBRIC = {"income_target": 25, "income_growth": 10, "task_progress": 20, "disbursement": 10, "coverage": 15,
          "presence": 10, "inspections": 5, "assessor_marks": 5}
FINDINGS = ("项目资金台账不完整", "驻村考勤记录不规范", "村务公开不及时", "项目进度滞后于计划",
            "低收入户帮扶台账缺项", "集体资产管理制度不健全", "村规民约未按期修订", "人居环境整治存在死角")


def inspections(rng: random.Random, designated: list[Village], teams: list[Team], share: float) -> list[Inspection]:
    out: list[Inspection] = []
    for year in calendar.YEARS:
        targets = [("village", v.code, v.district) for v in designated if rng.random() < share]
        targets += [("team", t.team_id, t.district) for t in teams if rng.random() < share * 0.6]
        for kind, target, district in targets:
            inspection_id = f"tj-i{len(out) + 1:05d}"
            on = date(year, 9, 1) + timedelta(days=rng.randint(0, 80))
            findings = []
            for k in range(rng.choices((0, 1, 2, 3), weights=(30, 40, 20, 10))[0]):
                deadline = on + timedelta(days=30)
                roll = rng.random()
                rectified = None if roll < 0.05 else on + timedelta(days=rng.randint(7, 28) if roll > 0.15 else rng.randint(35, 70))
                accepted = rectified + timedelta(days=rng.randint(2, 10)) if rectified else None
                findings.append(Finding(f"{inspection_id}-f{k + 1}", rng.choice(FINDINGS), deadline, rectified, accepted))
            out.append(Inspection(inspection_id, kind, target, district, on, tuple(findings)))
    return out


def assessments(rng: random.Random, teams: list[Team], presence_days_per_month: int) -> list[AnnualAssessment]:
    """A year is assessed as of the end of the next January: its incomes (reported from
    10 January), farmers' incomes and the city's growth (25 January) are known by then."""
    presence_days = max(1, round(presence_days_per_month * 12 * 0.9))
    return [AnnualAssessment(year=year, rubric_on=date(year, 12, 1), as_of=date(year + 1, 1, 31),
                             computed_on=date(year + 1, 2, 5), published_on=date(year + 1, 2, 20),
                             marks={t.team_id: rng.randint(70, 98) for t in teams}, weights=dict(RUBRIC),
                             presence_days_per_year=presence_days)
            for year in calendar.YEARS]
