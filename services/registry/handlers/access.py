"""Who may change what, checked inside the command once the aggregate shows its district.

A thin layer over the shared ``ensure_district`` (the one dependency the security work
hardens): a failure raises ``Forbidden`` and the command's transaction writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.identity import Principal, Role, ensure_district


@dataclass(frozen=True)
class Access:
    principal: Principal

    def district(self, district: str | None) -> None:
        """District officials act in their own district; the city office everywhere.
        ``None`` (a city-level matter) admits the city office only."""
        ensure_district(self.principal, district)  # type: ignore[arg-type]

    def unit(self, unit_id: str, district: str | None) -> None:
        """A unit acts for itself; otherwise as ``district``."""
        if self.principal.role is Role.unit and self.principal.unit == unit_id:
            return
        self.district(district)

    def cadre(self, unit_id: str, team_id: str | None, district: str | None) -> None:
        """A cadre's unit, or the first secretary of their team, or an official of ``district``."""
        if self.principal.role is Role.first_secretary and team_id is not None and self.principal.team == team_id:
            return
        self.unit(unit_id, district)

    def team(self, team_id: str, district: str) -> None:
        """A first secretary acts for their own team; otherwise as ``district``."""
        if self.principal.role is Role.first_secretary and self.principal.team == team_id:
            return
        self.district(district)


SYSTEM = Access(Principal(subject="system", role=Role.city_office))
