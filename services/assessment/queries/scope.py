"""What a reader may see (BRIEF §4): everything (the city office, city-level assessors,
inspectors and finance officers), one district (whoever's token names one), or the villages
and teams of a unit or a first secretary. Lists are narrowed to it; a single item outside it
is refused."""

from __future__ import annotations

from dataclasses import dataclass

from shared.eventstore.errors import Forbidden


@dataclass(frozen=True)
class ReadScope:
    district: str | None = None  # only this district
    villages: tuple[str, ...] | None = None  # only these villages (a unit's or a team's, served now)
    teams: tuple[str, ...] = ()  # … and findings on these teams

    @property
    def city_wide(self) -> bool:
        return self.district is None and self.villages is None

    @property
    def village_list(self) -> list[str] | None:
        return list(self.villages) if self.villages is not None else None

    def sees(self, village_code: str, district: str) -> bool:
        if self.villages is not None:
            return village_code in self.villages
        return self.district is None or self.district == district

    def sees_target(self, kind: str, target_id: str, district: str) -> bool:
        """An inspection's target: a village, or a team."""
        if self.villages is not None and kind == "team":
            return target_id in self.teams
        return self.sees(target_id, district) if kind == "village" else self.district in (None, district)

    @staticmethod
    def require(seen: bool, field: str) -> None:
        if not seen:
            raise Forbidden("无权查看：超出本区或本队范围 / outside your district or your teams' villages", field=field)
