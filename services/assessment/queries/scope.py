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

    def where(self, first: int, *, district: str, village: str | None = None,
              target: tuple[str, str] | None = None) -> tuple[str, list]:
        """The SQL condition that narrows rows to this scope, and its parameters, numbered from
        ``$first`` (put them after the query's own). ``district`` and ``village`` name the
        columns; ``target`` (kind column, id column) is for rows on a village or a team (findings)."""
        conditions, params = [], []
        if self.district is not None:
            params.append(self.district)
            conditions.append(f"{district} = ${first}")
        if self.villages is not None:
            params.append(list(self.villages))
            at = first + len(params) - 1
            if target:
                kind, ident = target
                params.append(list(self.teams))
                conditions.append(f"(({kind} = 'village' and {ident} = any(${at}::text[]))"
                                  f" or ({kind} = 'team' and {ident} = any(${at + 1}::text[])))")
            else:
                conditions.append(f"{village} = any(${at}::text[])")
        return " and ".join(conditions) or "true", params

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
