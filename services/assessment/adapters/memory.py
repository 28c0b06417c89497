"""The in-memory twins of the handlers' adapters for their unit tests
(``InMemoryUnitOfWork.provide(PgDirectory, InMemoryDirectory(...))``, likewise ``PgYearFacts``
and ``PgEvidence``), with the same answers and refusals as the SQL. The directory keeps the
register copy and the current assignments as plain dicts (a team's district, when registry gave
none, is its villages' here, its latest assignment's there: the same for a team that serves
within one district). The SQL stays covered by tests/integration/assessment/, and
test_handler_adapters.py there runs one suite over both."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from shared.eventstore.errors import DomainError

from services.assessment.adapters.evidence import EvidenceFile
from services.assessment.adapters.facts import SOURCES, refuse_behind
from services.assessment.domain.scoring import YearFacts


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


class InMemoryYearFacts:
    """The watermarks, and a year's facts given whole as the projections' rows would read them:
    which rows a cut-off and a day keep is the SQL's business (test_year_facts_by_business_day,
    test_reproducible_assessment)."""

    def __init__(self) -> None:
        self.reached: dict[str, int] = dict.fromkeys(SOURCES, 0)  # source → watermark
        self.years: dict[int, YearFacts] = {}

    async def watermarks(self) -> dict[str, int]:
        return dict(self.reached)

    async def ensure_caught_up(self, cutoff: dict[str, int]) -> None:
        refuse_behind(self.reached, cutoff)

    async def load_year(self, year: int, as_of: date, cutoff: dict[str, int]) -> YearFacts:
        given = self.years.get(year)
        if given is None:
            return YearFacts(year=year, as_of=as_of, city_growth_pct=None, villages={}, teams={}, designated={})
        return replace(given, as_of=as_of)


class InMemoryEvidence:
    def __init__(self) -> None:
        self.files: dict[str, EvidenceFile] = {}  # sha256 → the first file stored under it

    async def store(self, files: list[EvidenceFile]) -> list[str]:
        for f in files:
            self.files.setdefault(f.sha256, f)
        return [f.sha256 for f in files]

    async def fetch(self, sha256: str) -> dict[str, Any] | None:
        f = self.files.get(sha256)
        return None if f is None else {"sha256": sha256, "filename": f.filename, "media_type": f.media_type,
                                       "size_bytes": len(f.content), "content": f.content}
