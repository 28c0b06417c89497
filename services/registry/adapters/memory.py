"""In-memory twins of the handlers' adapters for their unit tests
(``InMemoryUnitOfWork.provide(PgConstraints, InMemoryConstraints())``, likewise
``PgRegisterLock`` and ``PgEventLog``): the constraint tables as dicts, with the same answers and the same
refusals (the conflicts of ``constraints.py``); the lock only notes what was taken, one
command at a time in memory. Nothing is rolled back: a refused command leaves what it changed
before the refusal (PostgreSQL's transaction would not), so a test goes on from a fresh unit. Whether the SQL answers alike is
``tests/integration/registry/test_handler_adapters.py``'s business (one suite over both)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from shared.contracts.registry import ScreeningCompleted, ScreeningRankedPage
from shared.eventstore.catalogue import DomainEvent
from shared.eventstore.memory import InMemoryUnitOfWork

from services.registry.adapters.constraints import (
    cadre_just_taken,
    cadre_taken,
    next_slot,
    unit_full,
    unit_just_taken,
    village_just_taken,
    village_taken,
)
from services.registry.domain.cadres import ApprovedLeaves, Cadre
from services.registry.domain.matching import TeamProfile, VillageProfile
from services.registry.domain.screening import RegisterState, whole
from services.registry.queries.eventlog import TEAM_EVENTS, VILLAGE_EVENTS, unserved, with_room


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


class InMemoryEventLog:
    """Registry's own event store as ``PgEventLog`` reads it, over the unit of work's streams (what
    a test gave and what the handlers saved) and the constraint tables' twin. Events are folded
    stream by stream, in each stream's order: every fold here keys on one stream's events."""

    def __init__(self, uow: InMemoryUnitOfWork, tables: InMemoryConstraints) -> None:
        self.uow, self.tables = uow, tables

    def _of(self, types: Sequence[str]) -> Iterator[DomainEvent]:
        for stream_id in sorted(self.uow.streams):
            yield from (e for e in self.uow.streams[stream_id] if e.event_type in types)

    def _payloads(self, types: Sequence[str]) -> list[tuple[str, dict]]:
        return [(e.event_type, e.model_dump(mode="json")) for e in self._of(types)]

    async def register_state(self) -> RegisterState:
        state = RegisterState()
        for event_type, payload in self._payloads(("VillageRegistered", "VillageIncomeCorrected", "DesignationRevoked")):
            state.apply(event_type, payload)
        return state

    async def screening_head(self) -> ScreeningCompleted | None:
        """The run no other run supersedes (each run supersedes the one in force before it)."""
        runs = [e for e in self._of(("ScreeningCompleted",)) if isinstance(e, ScreeningCompleted)]
        superseded = {r.supersedes for r in runs}
        head = next((r for r in runs if r.run_id not in superseded), None)
        if head is None:
            return None
        pages = [e for e in self.uow.streams[f"screening-{head.run_id}"] if isinstance(e, ScreeningRankedPage)]
        return whole(head, pages)

    async def run_in_force(self) -> str | None:
        head = await self.screening_head()
        return head.run_id if head else None

    async def registered_cadres(self) -> list[str]:
        return [e.cadre_id for e in self._of(("CadreRegistered",))]

    async def presence_days(self, cadre_ids: Sequence[str], month: str) -> dict[str, int]:
        counts = {c: sum(e.event_type == "CadrePresenceLogged" for e in self.uow.streams.get(f"presence-{c}-{month}", []))
                  for c in cadre_ids}
        return {c: n for c, n in counts.items() if n}

    async def cadres_on_record(self, cadre_ids: Sequence[str], first: date, last: date) -> dict[str, ApprovedLeaves]:
        """The whole ``Cadre`` folded, as the handler once loaded it: the SQL's reference."""
        cadres = {c: Cadre.rehydrate(c, self.uow.streams.get(f"cadre-{c}", [])) for c in cadre_ids}
        return {c: cadre.approved_leaves(first, last) for c, cadre in cadres.items() if cadre.exists}

    async def team_profiles(self, districts: Sequence[str]) -> list[TeamProfile]:
        counts: dict[str, int] = {}
        for team_id, _ in self.tables.villages.values():
            counts[team_id] = counts.get(team_id, 0) + 1
        return with_room(self._payloads(TEAM_EVENTS), counts, districts)

    async def unserved_villages(self, districts: Sequence[str]) -> list[VillageProfile]:
        return unserved(self._payloads(VILLAGE_EVENTS), set(self.tables.villages), districts)
