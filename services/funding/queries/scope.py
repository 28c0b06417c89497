"""What a reader may see, as SQL filters: everything, one district, or a set of villages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadScope:
    district: str | None = None  # only this district's villages (and its own lines)
    villages: tuple[str, ...] | None = None  # only these villages (a unit's, a team's); no lines

    @property
    def city_wide(self) -> bool:
        return self.district is None and self.villages is None

    def sees_village(self, code: str, district: str) -> bool:
        if self.villages is not None:
            return code in self.villages
        return self.district is None or self.district == district

    @property
    def village_list(self) -> list[str] | None:
        return list(self.villages) if self.villages is not None else None


# Appended to a query over a table aliased ``t`` with village_code and district columns;
# parameters $1 (district) and $2 (village codes).
VILLAGE_FILTER = "($1::text is null or t.district = $1) and ($2::text[] is null or t.village_code = any($2))"
