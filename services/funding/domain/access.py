"""Who may move money where: the caller's finance scope, decided before anything is written."""

from __future__ import annotations

from dataclasses import dataclass

from shared.eventstore.errors import Forbidden
from shared.reference.places import DISTRICTS


@dataclass(frozen=True)
class FinanceScope:
    """A finance officer acts within a district, or city-wide when the token names none;
    the city office acts everywhere."""

    subject: str
    district: str | None  # None: city-wide

    def covers(self, district: str) -> bool:
        return self.district is None or self.district == district

    def ensure(self, district: str, field: str | None = None) -> None:
        if not self.covers(district):
            where = "全市 / the whole city" if district == "city" else f"{DISTRICTS.get(district, district)} ({district})"
            raise Forbidden(
                f"只能办理本区（{self.district}）的资金事务，此事属于 {where} / you act only within district "
                f"{self.district}; this belongs to {where}",
                field=field,
            )
