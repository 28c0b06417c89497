"""How big a programme to generate. Defaults are the programme's own numbers (BRIEF §1)."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ScenarioSize:
    villages: int = 3520
    designated: int = 800
    units: int = 554
    cadres: int = 1364
    teams: int = 450
    city_unit_share: float = 0.4  # 市级单位占比 / share of units at city level
    # Not the programme's numbers but samples of it, sized so that the demo loads in minutes:
    # a real team logs ~20 check-ins a month, which for 1,364 cadres over three years is
    # ~1M events; every project brings ~10 commands (milestones, tranches, payments).
    presence_days_per_month: int = 2
    projects_per_village: float = 2.0  # mean number of projects per weak village
    low_income_per_village: float = 3.0  # mean low-income persons per weak village
    inspected_share: float = 0.15  # weak villages inspected each year
    leave_quota_days: int = 10  # must equal the registry's XINGCUN_REGISTRY_ANNUAL_LEAVE_DAYS

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.designated <= self.villages:
            problems.append("认定数应在 1 与村数之间 / designated must be between 1 and villages")
        if not self.teams <= self.designated <= 2 * self.teams:
            problems.append("每队负责 1–2 村：队数 ≤ 认定数 ≤ 2×队数 / a team serves 1–2 villages: teams ≤ designated ≤ 2·teams")
        if not self.teams <= self.units <= 3 * self.teams:
            problems.append("单位数应在 队数 与 3×队数 之间 / units must be between teams and 3·teams")
        if not self.units <= self.cadres <= 6 * self.teams:
            problems.append("每个单位至少选派一名干部，每队至多 6 人 / every unit sends a cadre; at most 6 per team")
        if not 0 <= self.presence_days_per_month <= 20:
            problems.append("每月打卡天数 0–20 / presence days per month 0–20")
        if problems:
            raise ValueError("；".join(problems))

    @classmethod
    def small(cls) -> ScenarioSize:
        """A programme small enough for an end-to-end test (a minute, not ten)."""
        return cls(villages=120, designated=30, units=24, cadres=56, teams=20,
                   presence_days_per_month=1, projects_per_village=2.0, low_income_per_village=2.0,
                   inspected_share=0.2)

    def scaled(self, **changes: object) -> ScenarioSize:
        return replace(self, **changes)

    def times(self, n: int) -> ScenarioSize:
        """The same programme ``n`` times over: villages, designations, units, cadres and teams
        (the national-scale runs of docs/scaling.md)."""
        return replace(self, villages=self.villages * n, designated=self.designated * n, units=self.units * n,
                       cadres=self.cadres * n, teams=self.teams * n)
