"""In-memory twins of ``PgBalances`` and ``PgDirectory`` for the handlers' unit tests
(``InMemoryUnitOfWork.provide``): the same answers over dicts, and the same CHECK
constraints as ``schema.sql``, so a handler that lets a breach through is refused here as
there. Locks are no-ops: one command at a time in memory. Whether the SQL answers alike is
the integration tests' business (``tests/integration/funding/test_balance_rows.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from shared.eventstore.errors import DomainError

from services.funding.domain.limits import AllocationFigures, LineFigures, TrancheFigures
from services.funding.domain.villages import VillageInfo


def _kept(row: Any, table: str, **constraints: bool) -> None:
    """schema.sql's CHECKs on a row after a change — every ``*_fen`` column ≥ 0, and the named
    constraints — refused as ``guarded`` refuses a breach in PostgreSQL."""
    columns = {f"{table}_balances_{f.name}_check": getattr(row, f.name) >= 0
               for f in fields(row) if f.name.endswith("_fen")}
    for name, holds in (columns | constraints).items():
        if not holds:
            raise DomainError(f"违反资金约束 {name}，未写入 / would break the money invariant {name}; nothing was written",
                              constraint=name)


def _line_ok(line: LineFigures) -> None:
    _kept(line, "line", line_allocated_within_appropriated=line.allocated_fen <= line.appropriated_fen,
          line_paid_within_allocated=line.paid_fen <= line.allocated_fen)


def _allocation_ok(a: AllocationFigures) -> None:
    _kept(a, "allocation", allocation_released_within_amount=a.released_fen <= a.amount_fen,
          allocation_spent_within_released=a.spent_fen <= a.released_fen)


def _tranche_ok(t: TrancheFigures) -> None:
    _kept(t, "tranche", tranche_spent_within_amount=t.spent_fen <= t.amount_fen,
          tranche_spent_only_when_released=t.released or t.spent_fen == 0)


@dataclass
class _Allocation:
    figures: AllocationFigures
    line_id: str
    village_code: str
    district: str
    project_id: str | None
    tranches: dict[int, TrancheFigures] = field(default_factory=dict)


@dataclass
class _Totals:
    """A village's or a project's allocated and paid totals."""

    allocated_fen: int = 0
    paid_fen: int = 0

    def move(self, allocated: int, paid: int, what: str) -> None:
        after = _Totals(self.allocated_fen + allocated, self.paid_fen + paid)
        _kept(after, what, **{f"{what}_paid_within_allocated": after.paid_fen <= after.allocated_fen})
        self.allocated_fen, self.paid_fen = after.allocated_fen, after.paid_fen


class InMemoryBalances:
    def __init__(self) -> None:
        self.lines: dict[str, LineFigures] = {}
        self.allocations: dict[str, _Allocation] = {}
        self.villages: dict[str, _Totals] = {}
        self.projects: dict[str, _Totals] = {}

    # Locks order concurrent commands; in memory there is one at a time.
    async def share_village(self, village_code: str) -> None: ...
    async def lock_villages(self, village_codes: Iterable[str]) -> None: ...
    async def lock_project(self, project_id: str | None) -> None: ...
    async def lock_projects(self, project_ids: Iterable[str]) -> None: ...
    async def lock_lines(self, line_ids: Iterable[str]) -> None: ...
    async def share_lines(self, line_ids: Iterable[str]) -> None: ...
    async def lock_allocations(self, allocation_ids: Iterable[str]) -> None: ...

    async def lock_line(self, line_id: str) -> LineFigures | None:
        return self.lines.get(line_id)

    async def insert_line(self, line_id: str, source: str, fiscal_year: int, scope: str, amount_fen: int) -> bool:
        if line_id in self.lines:
            return False
        line = LineFigures(line_id, scope, amount_fen, 0, 0)
        _line_ok(line)
        self.lines[line_id] = line
        return True

    async def move_line(self, line_id: str, *, appropriated: int = 0, allocated: int = 0, paid: int = 0) -> LineFigures:
        now = self.lines[line_id]
        line = replace(now, appropriated_fen=now.appropriated_fen + appropriated,
                       allocated_fen=now.allocated_fen + allocated, paid_fen=now.paid_fen + paid)
        _line_ok(line)
        self.lines[line_id] = line
        return line

    async def lock_allocation(self, allocation_id: str) -> AllocationFigures | None:
        row = self.allocations.get(allocation_id)
        return row.figures if row else None

    async def allocation_keys(self, allocation_id: str) -> dict[str, Any] | None:
        row = self.allocations.get(allocation_id)
        return None if row is None else {"line_id": row.line_id, "project_id": row.project_id,
                                         "village_code": row.village_code}

    async def insert_allocation(self, *, allocation_id: str, line_id: str, village_code: str, district: str,
                                project_id: str | None, amount_fen: int, released_fen: int) -> bool:
        if allocation_id in self.allocations:
            return False
        figures = AllocationFigures(allocation_id, amount_fen, released_fen, 0, 0)
        _allocation_ok(figures)
        self.allocations[allocation_id] = _Allocation(figures, line_id, village_code, district, project_id)
        return True

    async def move_allocation(self, allocation_id: str, *, amount: int = 0, released: int = 0, committed: int = 0,
                              paid: int = 0, cancel: bool = False) -> AllocationFigures:
        row = self.allocations[allocation_id]
        now = row.figures
        figures = replace(now, amount_fen=now.amount_fen + amount, released_fen=now.released_fen + released,
                          committed_fen=now.committed_fen + committed, paid_fen=now.paid_fen + paid,
                          cancelled=now.cancelled or cancel)
        _allocation_ok(figures)
        row.figures = figures
        return figures

    async def lock_tranches(self, allocation_id: str) -> dict[int, TrancheFigures]:
        row = self.allocations.get(allocation_id)
        return dict(sorted(row.tranches.items())) if row else {}

    async def insert_tranche(self, allocation_id: str, tranche_no: int, amount_fen: int,
                             milestone_id: str | None) -> None:
        tranche = TrancheFigures(tranche_no, amount_fen, milestone_id, milestone_id is None, 0, 0)
        _tranche_ok(tranche)
        self.allocations[allocation_id].tranches[tranche_no] = tranche

    async def move_tranche(self, allocation_id: str, tranche_no: int, *, amount: int = 0, committed: int = 0,
                           paid: int = 0, release: bool = False) -> None:
        tranches = self.allocations[allocation_id].tranches
        if tranche_no not in tranches:
            return  # an UPDATE that matches no row
        now = tranches[tranche_no]
        tranche = replace(now, amount_fen=now.amount_fen + amount, committed_fen=now.committed_fen + committed,
                          paid_fen=now.paid_fen + paid, released=now.released or release)
        _tranche_ok(tranche)
        tranches[tranche_no] = tranche

    async def open_village(self, village_code: str, district: str) -> None:
        self.villages.setdefault(village_code, _Totals())

    async def move_village(self, village_code: str, *, allocated: int = 0, paid: int = 0) -> None:
        if village_code in self.villages:
            self.villages[village_code].move(allocated, paid, "village")

    async def open_project(self, project_id: str | None, village_code: str) -> None:
        if project_id is not None:
            self.projects.setdefault(project_id, _Totals())

    async def move_project(self, project_id: str | None, *, allocated: int = 0, paid: int = 0) -> None:
        if project_id is not None and project_id in self.projects:
            self.projects[project_id].move(allocated, paid, "project")

    async def open_allocations(self, village_codes: Sequence[str]) -> list[dict[str, Any]]:
        return [{"allocation_id": k, "village_code": a.village_code, "paid_fen": a.figures.paid_fen}
                for k, a in sorted(self.allocations.items())
                if a.village_code in village_codes and not a.figures.cancelled]

    def _waiting(self, project_id: str, on: object, *, non_empty: bool = False) -> list[dict[str, Any]]:
        """Open allocations of the project with an unreleased tranche whose milestone ``on`` accepts."""
        return [{"allocation_id": k, "line_id": a.line_id} for k, a in sorted(self.allocations.items())
                if a.project_id == project_id and not a.figures.cancelled
                and any(not t.released and on(t.milestone_id) and (t.amount_fen > 0 or not non_empty)
                        for t in a.tranches.values())]

    async def waiting_on(self, milestones: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        found = {}
        for project_id, milestone_id in milestones:
            for row in self._waiting(project_id, lambda m, wanted=milestone_id: m == wanted):
                found[row["allocation_id"]] = row
        return list(found.values())

    async def withdrawable(self, project_id: str, milestone_ids: Sequence[str] | None) -> list[dict[str, Any]]:
        return self._waiting(project_id, lambda m: milestone_ids is None or m in milestone_ids, non_empty=True)

    async def unreleased_allocations(self, project_id: str, milestone_id: str) -> list[str]:
        return [r["allocation_id"] for r in self._waiting(project_id, lambda m: m == milestone_id)]


class InMemoryDirectory:
    def __init__(self, villages: Iterable[VillageInfo] = ()) -> None:
        self.register: dict[str, VillageInfo] = {v.code: v for v in villages}
        self.designations: dict[str, dict[str, Any]] = {}  # code → designated, revocation_reason
        self.verified: dict[tuple[str, str], date] = {}  # (project, milestone) → verified on
        self.projects: dict[str, dict[str, Any]] = {}  # as funding.known_projects holds them

    async def village(self, code: str) -> VillageInfo | None:
        return self.register.get(code)

    async def villages(self, codes: list[str] | None, *, designated_only: bool, village_types: list[str],
                       districts: list[str]) -> list[VillageInfo]:
        if codes is not None:
            return [v for c, v in sorted(self.register.items()) if c in codes]
        return [v for _, v in sorted(self.register.items())
                if (not designated_only or v.designated) and (not village_types or v.village_type in village_types)
                and (not districts or v.district in districts)]

    async def designation(self, code: str) -> dict[str, Any] | None:
        return self.designations.get(code)

    async def verified_on(self, project_id: str, milestone_id: str) -> date | None:
        return self.verified.get((project_id, milestone_id))

    async def known_project(self, project_id: str) -> dict[str, Any] | None:
        return self.projects.get(project_id)
