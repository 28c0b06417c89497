"""The in-memory twin of ``PgDirectory`` for the handlers' unit tests
(``InMemoryUnitOfWork.provide(PgDirectory, InMemoryDirectory(...))``): the register copy and
the current assignments as plain dicts, with the same answers and refusals (a team's district,
when registry gave none, is its villages' here, its latest assignment's there: the same for a
team that serves within one district). The SQL stays covered by tests/integration/assessment/."""

from __future__ import annotations

from shared.eventstore.errors import DomainError


class InMemoryDirectory:
    def __init__(self, villages: dict[str, str] | None = None) -> None:
        self.villages: dict[str, str] = dict(villages or {})  # code → district
        self.teams: dict[str, tuple[str | None, str | None]] = {}  # team → (district, lead unit)
        self.serving: dict[str, set[str]] = {}  # team → the villages it is assigned to now
        self.baselines: dict[str, dict[int, int]] = {}  # code → year → fen

    def assign(self, team_id: str, village_code: str, *, district: str | None = None, lead_unit: str | None = None):
        self.teams.setdefault(team_id, (district, lead_unit))
        self.serving.setdefault(team_id, set()).add(village_code)

    async def village_district(self, code: str, field: str = "village_code") -> str:
        if code not in self.villages:
            raise DomainError(f"村 {code} 未登记 / village {code} is not registered", field=field)
        return self.villages[code]

    async def teams_serving(self, village_code: str) -> list[str]:
        return sorted(t for t, codes in self.serving.items() if village_code in codes)

    def _served_district(self, team_id: str) -> str | None:
        district, _ = self.teams[team_id]
        return district or next((self.villages.get(c) for c in sorted(self.serving.get(team_id, ()))), None)

    async def team_district(self, team_id: str, field: str = "target_id") -> str:
        if team_id not in self.teams:
            raise DomainError(f"工作队 {team_id} 未组建 / team {team_id} is not known", field=field)
        district = self._served_district(team_id)
        if district is None:
            raise DomainError(f"工作队 {team_id} 尚未对接村 / team {team_id} serves no village yet", field=field)
        return district

    async def baseline_fen(self, code: str) -> dict[int, int]:
        return dict(self.baselines.get(code, {}))

    async def teams_of_unit(self, unit_id: str) -> list[str]:
        return sorted(t for t, (_, lead) in self.teams.items() if lead == unit_id)

    async def villages_served(self, teams: list[str]) -> list[str]:
        return sorted(set().union(*(self.serving.get(t, set()) for t in teams)))

    async def subject_districts(self, kind: str, subject_id: str) -> set[str | None]:
        if kind == "district":
            found = {subject_id} if subject_id in self.villages.values() else set()
        else:
            found = {self._served_district(t) for t, (_, lead) in self.teams.items()
                     if (t if kind == "team" else lead) == subject_id}
        if not found:
            what = {"team": ("工作队", "team"), "unit": ("牵头扶持单位", "lead unit"), "district": ("区", "district")}[kind]
            raise DomainError(f"未知的{what[0]} {subject_id}（须为已登记的{what[0]}）/ unknown {what[1]} {subject_id}: "
                              f"marks are given only to a known {what[1]}", field="subject_id")
        return found
