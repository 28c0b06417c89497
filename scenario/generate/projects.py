"""Projects under the 19 tasks, each with milestones that are reported by the team and
verified by an assessor — most on time, some late, a few sent back, a few stalled."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from shared.reference.tasks import ACTION_OF_TASK

from scenario import calendar
from scenario.model import Milestone, Project, Village

# Task 3 (income ≥ 200,000 yuan) is measured by the income reports, not run as a project.
TASK_WEIGHTS = {1: 30, 2: 10, 4: 8, 5: 5, 6: 3, 7: 4, 8: 4, 9: 8, 10: 5, 11: 3, 12: 1, 13: 1, 14: 2, 15: 2,
                16: 1, 17: 1, 18: 5, 19: 3}
TITLES = {
    1: ("设施农业大棚建设", "光伏发电项目", "农产品冷库建设", "乡村民宿改造", "特色种植基地", "农产品加工车间",
        "集体物业用房建设"),
    2: ("合作社联农带农", "土地股份合作", "订单农业帮扶"),
    4: ("村内道路硬化", "田间道路修缮"), 5: ("农村供水管网改造", "饮水安全提升工程"),
    6: ("农网改造升级", "村内照明设施"), 7: ("数字乡村平台建设", "宽带网络提升"), 8: ("党群服务中心改造提升",),
    9: ("人居环境整治提升", "村庄绿化美化", "厕所改造"), 10: ("生活污水处理设施建设", "污水管网建设"),
    11: ("文化广场建设", "农家书屋提升"), 12: ("村规民约修订与移风易俗宣传",), 13: ("文明村创建",),
    14: ("传统村落保护", "特色文化品牌打造"), 15: ("村党组织标准化建设",), 16: ("第一书记帮带培训",),
    17: ("自治法治德治融合治理示范",), 18: ("农民技能培训", "农业科技服务站建设", "转移就业对接"),
    19: ("低收入户危房改造", "低收入家庭教育资助"),
}
STAGES = {2: ("启动实施", "完成验收"), 3: ("开工", "主体完成", "竣工验收"), 4: ("方案批复", "开工建设", "主体完成", "竣工验收")}
MONTHS = {"industry": (6, 18), "ecology": (4, 12)}
ADVANCE_PCT = 30  # paid at once; the rest is released milestone by milestone


def _mean_count(rng: random.Random, mean: float) -> int:
    """1 + a Poisson-like count with the given mean (at most 6)."""
    extra, p = 0, max(mean - 1, 0) / 5
    for _ in range(5):
        extra += rng.random() < p
    return 1 + extra


def _outcomes(rng: random.Random, stages: list[tuple[str, str, date]], start: date) -> list[Milestone]:
    out, earliest, stalled = [], start + timedelta(days=7), False
    share = [Decimal(70 // len(stages))] * len(stages)
    share[-1] += 70 - sum(share)
    for (milestone_id, title, due), pct in zip(stages, share):
        roll = rng.random()
        reports: list[date] = []
        returned: list[date] = []
        verified = None
        if not stalled and roll >= 0.04:
            first = due - timedelta(days=rng.randint(0, 25)) if roll >= 0.20 else due + timedelta(days=rng.randint(10, 90))
            reports.append(max(first, earliest))
            if rng.random() < 0.06:
                returned.append(reports[-1] + timedelta(days=rng.randint(3, 7)))
                reports.append(returned[-1] + timedelta(days=rng.randint(7, 20)))
            verified = reports[-1] + timedelta(days=rng.randint(2, 12))
        stalled = stalled or verified is None
        reports = [d for d in reports if d <= calendar.END]
        returned = [d for d in returned if d <= calendar.END]
        if verified and verified > calendar.END:
            verified = None
        out.append(Milestone(milestone_id, title, due, pct, tuple(reports), tuple(returned[: max(len(reports) - 1, 0)]),
                             verified))
        if verified:
            earliest = verified + timedelta(days=1)
        else:
            stalled = True
    return out


def projects(rng: random.Random, designated: list[Village], mean_per_village: float) -> list[Project]:
    out: list[Project] = []
    tasks = sorted(TASK_WEIGHTS)
    window = (date(2021, 7, 1) - calendar.ENTRY).days, (date(2023, 9, 30) - calendar.ENTRY).days
    for v in designated:
        chosen = rng.choices(tasks, weights=[TASK_WEIGHTS[t] for t in tasks], k=_mean_count(rng, mean_per_village))
        for task in chosen:
            action = ACTION_OF_TASK[task]
            start = calendar.ENTRY + timedelta(days=rng.randint(*window))
            lo, hi = MONTHS.get(action, (3, 9))
            end = start + timedelta(days=30 * rng.randint(lo, hi))
            k = rng.choice((3, 4)) if action == "industry" else rng.choice((2, 3))
            project_id = f"tj-p{len(out) + 1:05d}"
            stages = [(f"{project_id}-m{i + 1}", title, start + (end - start) * (i + 1) // k)
                      for i, title in enumerate(STAGES[k])]
            planned_on = max(calendar.ENTRY, start - timedelta(days=rng.randint(20, 40)))
            out.append(Project(project_id=project_id, village_code=v.code, district=v.district, action_code=action,
                               task_no=task, title=f"{v.name}{rng.choice(TITLES[task])}", planned_on=planned_on,
                               planned_start=start, planned_end=end,
                               milestones=tuple(_outcomes(rng, stages, start))))
    return out
