"""Cadres in their villages: leave against the annual quota, presence check-ins for the
four togethers (never on a day of approved leave), and yearly accident insurance."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from scenario import calendar
from scenario.model import Assignment, CheckIn, Insurance, Leave, Team

TOGETHERS = ("eat", "live", "study", "work")
LEAVE_REASONS = ("探亲", "家中有事", "年休假", "子女开学", "陪护老人就医")
CONFLICT = "工作安排冲突，请调整时间 / clashes with the team's schedule, please choose other dates"


def leaves(rng: random.Random, teams: list[Team], quota: int) -> list[Leave]:
    out: list[Leave] = []
    for team in teams:
        for cadre_id in team.member_ids:
            for year in (2021, 2022, 2023, 2024):
                used, last_end = 0, date(year, 1, 1)
                first_month, last_month = (7, 11) if year == 2021 else (2, 5) if year == 2024 else (2, 11)
                for _ in range(rng.choices((0, 1, 2), weights=(50, 40, 10))[0]):
                    start = date(year, rng.randint(first_month, last_month), rng.randint(1, 25))
                    if start <= last_end + timedelta(days=3):
                        continue
                    # Nobody asks beyond the quota: the registry refuses such a request outright.
                    days = min(rng.randint(2, 6), quota - used)
                    if days < 1:
                        continue
                    end = start + timedelta(days=days - 1)
                    requested = start - timedelta(days=rng.randint(5, 14))
                    if rng.random() < 0.06:
                        approved, why = False, CONFLICT
                    else:
                        approved, why = True, None
                        used += days
                    out.append(Leave(leave_id=f"tj-l{len(out) + 1:05d}", cadre_id=cadre_id, team_id=team.team_id,
                                     start=start, end=end, reason=rng.choice(LEAVE_REASONS), requested_on=requested,
                                     approved=approved, decided_on=requested + timedelta(days=rng.randint(1, 3)),
                                     reject_reason=why))
                    last_end = end
    return [lv for lv in out if lv.decided_on <= calendar.END]


def check_ins(rng: random.Random, teams: list[Team], assignments: list[Assignment], approved_leaves: list[Leave],
              days_per_month: int) -> list[CheckIn]:
    entered: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        entered[a.team_id].append(a)
    away: dict[str, set[date]] = defaultdict(set)
    for lv in approved_leaves:
        away[lv.cadre_id].update(lv.start + timedelta(days=i) for i in range(lv.days))
    out = []
    months = calendar.months(calendar.ENTRY, calendar.END)
    for team in teams:
        posts = sorted(entered[team.team_id], key=lambda a: a.village_code)
        for cadre_id in team.member_ids:
            for year, month in months:
                free = [d for d in calendar.workdays(year, month) if d not in away[cadre_id] and d <= calendar.END]
                for day in sorted(rng.sample(free, k=min(days_per_month, len(free)))):
                    open_posts = [a for a in posts if a.entered_on <= day and not (a.left_on and a.left_on <= day)]
                    if not open_posts:
                        continue
                    post = open_posts[day.toordinal() % len(open_posts)]
                    togethers = TOGETHERS if rng.random() < 0.7 else tuple(
                        t for t in TOGETHERS if rng.random() < 0.7) or ("work",)
                    out.append(CheckIn(cadre_id, team.team_id, post.village_code, day, togethers))
    return out


def insurances(teams: list[Team]) -> list[Insurance]:
    """One policy per cadre for the three years of stationing (驻村期间人身意外伤害保险)."""
    return [Insurance(cadre_id=cadre_id, policy_no=f"PICC-TJ-2021-{cadre_id.removeprefix('tj-')}",
                      valid_from=calendar.ENTRY, valid_to=calendar.END)
            for team in teams for cadre_id in team.member_ids]
