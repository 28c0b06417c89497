"""In-memory twins of the handlers' adapters for their unit tests
(``InMemoryUnitOfWork.provide(PgConstraints, InMemoryConstraints())``, likewise
``PgRegisterLock``): the constraint tables as dicts, with the same answers and the same
refusals (the conflicts of ``constraints.py``); the lock only notes what was taken, one
command at a time in memory. Nothing is rolled back: a refused command leaves what it changed
before the refusal (PostgreSQL's transaction would not), so a test goes on from a fresh unit. Whether the SQL answers alike is
``tests/integration/registry/test_handler_adapters.py``'s business (one suite over both)."""

from __future__ import annotations

from collections.abc import Sequence

from services.registry.adapters.constraints import (
    cadre_just_taken,
    cadre_taken,
    next_slot,
    unit_full,
    unit_just_taken,
    village_just_taken,
    village_taken,
)


class InMemoryConstraints:
    def __init__(self) -> None:
        self.villages: dict[str, tuple[str, str]] = {}  # village → (team, district)
        self.cadres: dict[str, str] = {}  # cadre → team
        self.units: dict[str, list[tuple[int, str]]] = {}  # unit → (slot, team), by slot

    async def teams_of_villages(self, codes: Sequence[str]) -> dict[str, str]:
        return {c: self.villages[c][0] for c in codes if c in self.villages}

    async def link_villages(self, links: Sequence[tuple[str, str, str]]) -> None:
        for code, team_id, _ in links:
            if code in self.villages and self.villages[code][0] != team_id:
                raise village_taken(code, self.villages[code][0])
        codes = [code for code, _, _ in links]
        if len(set(codes)) < len(codes) or any(c in self.villages for c in codes):
            raise village_just_taken()  # the primary key refuses a second row, even of the same team
        self.villages.update({code: (team_id, district) for code, team_id, district in links})

    async def unlink_villages(self, codes: Sequence[str]) -> dict[str, tuple[str, str]]:
        return {c: self.villages.pop(c) for c in list(dict.fromkeys(codes)) if c in self.villages}

    async def teams_of_cadres(self, cadre_ids: Sequence[str]) -> dict[str, str]:
        return {c: self.cadres[c] for c in cadre_ids if c in self.cadres}

    async def join_cadres(self, team_id: str, cadre_ids: Sequence[str], field: str) -> None:
        for c in cadre_ids:
            if c in self.cadres and self.cadres[c] != team_id:
                raise cadre_taken(c, self.cadres[c], field)
        if len(set(cadre_ids)) < len(cadre_ids) or any(c in self.cadres for c in cadre_ids):
            raise cadre_just_taken(field)
        self.cadres.update(dict.fromkeys(cadre_ids, team_id))

    async def leave_cadres(self, team_id: str, cadre_ids: Sequence[str]) -> None:
        for c in cadre_ids:
            if self.cadres.get(c) == team_id:
                del self.cadres[c]

    async def take_unit_slots(self, team_id: str, unit_ids: Sequence[str]) -> None:
        taken = []
        for i, unit_id in enumerate(unit_ids):
            slots = sorted(self.units.get(unit_id, []))
            if len(slots) >= 2:
                raise unit_full(unit_id, [t for _, t in slots], "lead_unit_id" if i == 0 else "partner_unit_ids")
            taken.append((unit_id, (next_slot([s for s, _ in slots]), team_id)))
        if len(set(unit_ids)) < len(unit_ids) or any(t == team_id for u in unit_ids for _, t in self.units.get(u, [])):
            raise unit_just_taken()  # (unit, slot) and (unit, team) are unique
        for unit_id, slot in taken:
            self.units.setdefault(unit_id, []).append(slot)
            self.units[unit_id].sort()

    async def release_team(self, team_id: str) -> None:
        self.units = {u: [s for s in slots if s[1] != team_id] for u, slots in self.units.items()}
        self.cadres = {c: t for c, t in self.cadres.items() if t != team_id}
        self.villages = {c: v for c, v in self.villages.items() if v[0] != team_id}


class InMemoryRegisterLock:
    def __init__(self) -> None:
        self.taken: list[str] = []  # "shared" / "exclusive", in order

    async def exclusive(self) -> None:
        self.taken.append("exclusive")

    async def shared(self) -> None:
        self.taken.append("shared")
