"""Who sees which alerts: the city office everything; a district official (or a district's
finance officer, assessor, inspector) their district; a unit its teams' villages; a first
secretary their team's. Alerts about no place (operations) are the city office's."""

from __future__ import annotations

from dataclasses import dataclass

from shared.eventstore.errors import Forbidden, NotFound


@dataclass(frozen=True)
class AlertScope:
    subject: str
    actor: str
    district: str | None = None  # only this district
    villages: tuple[str, ...] | None = None  # only these villages (and the teams below)
    teams: tuple[str, ...] = ()
    may_resolve: bool = False  # closing by hand: the city office and district officials

    @property
    def city(self) -> bool:
        return self.district is None and self.villages is None

    def sees(self, district: str | None, village_code: str | None, team_id: str | None) -> bool:
        if self.city:
            return True
        if self.villages is not None:
            return (village_code is not None and village_code in self.villages) or (
                team_id is not None and team_id in self.teams)
        return district is not None and district == self.district

    def ensure_sees(self, alert_id: str, district: str | None, village_code: str | None, team_id: str | None) -> None:
        if not self.sees(district, village_code, team_id):  # not a 403: its existence is not for this caller
            raise NotFound(f"没有预警 {alert_id} / no alert {alert_id}", field="alert_id", location="path")

    def ensure_may_resolve(self) -> None:
        if not self.may_resolve:
            raise Forbidden("只有市领导小组办公室和区级干部可以手工解除预警 / only the city office and district officials "
                            "close an alert by hand", field="alert_id", location="path")
