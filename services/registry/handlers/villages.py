"""Villages: register one, import many, correct a baseline figure."""

from __future__ import annotations

from collections.abc import Iterator

from shared.contracts.registry import VillageRegistered
from shared.eventstore import UnitOfWork
from shared.eventstore.bulk import Encoded, append_new_streams
from shared.eventstore.errors import ConcurrencyError, Forbidden

from services.registry.adapters import eventlog
from services.registry.adapters.locks import register_shared, register_shared_with_write
from services.registry.domain.commands import CorrectIncome, RegisterVillage
from services.registry.domain.imports import BadRow, RawTable, RowChecker
from services.registry.domain.village import Village, registration_json
from services.registry.handlers.access import Access

VALIDATED_AT_ONCE = 100  # rows per pydantic call: small, so the first chunk is stored soon


async def register_village(uow: UnitOfWork, cmd: RegisterVillage) -> dict:
    await register_shared_with_write(uow)
    village = await uow.new(Village, cmd.code)
    village.register(cmd)
    await uow.save(village)
    return {"code": cmd.code, "stream_version": village.version}


async def import_villages(uow: UnitOfWork, table: RawTable, access: Access, partial: bool) -> dict:
    """Write every good row — or, when any row is bad and ``partial`` is off, nothing.

    The report always lists every bad row; ``written`` says whether anything was stored.
    Rows are validated a chunk at a time while PostgreSQL stores the chunk before; a bad
    row found after some chunks were stored rolls them back (a savepoint), so the table is
    still all or nothing.
    """
    conn = uow.conn
    await register_shared(conn)
    # All or nothing: a code already registered fails the append (its stream's version 1
    # exists) and is looked up only then. Partial: the good rows are written around them,
    # so they are looked up first.
    check = _Check(table, access, await eventlog.registered_villages(conn, table.codes()) if partial else set())
    imported = 0
    try:
        async with conn.transaction():  # a savepoint in the command's transaction
            imported = await append_new_streams(conn, check.registrations(partial), uow.meta)
            if not (written := check.good > 0 and (partial or not check.bad)):
                raise _Undo
    except _Undo:
        pass
    except ConcurrencyError:
        if partial or not (existing := await eventlog.registered_villages(conn, table.codes())):
            raise  # registered meanwhile by a command not yet committed at the look-up
        check = _Check(table, access, existing)
        for _ in check.registrations(partial=False):
            pass
        written = False
    report = {"rows": table.rows, "good_rows": check.good, "bad_rows": check.report(), "partial": partial}
    return report | {"imported": imported if written else 0, "written": written}


class _Check:
    """Every row's verdict, in table order: validation, a code seen twice, a district out of
    the official's scope, a code already registered."""

    def __init__(self, table: RawTable, access: Access, existing: set[str]):
        self.table, self.access, self.existing = table, access, existing
        self.bad: list[BadRow] = []
        self.good = 0
        self.refusals: dict[str, str | None] = {}  # per district: thousands of rows, a handful of districts

    def registrations(self, partial: bool) -> Iterator[tuple[str, list[Encoded]]]:
        """The streams to write; after a bad row (unless partial), only the checking goes on."""
        checker, bad, refusals = RowChecker(), self.bad, self.refusals
        kind, version = VillageRegistered.event_type, VillageRegistered.version
        for numbers, found in self.table.chunks(VALIDATED_AT_ONCE):
            checked = checker.check(numbers, found)
            bad.extend(checked.bad)
            for number, cmd in checked.good:
                if cmd.district not in refusals:
                    refusals[cmd.district] = _refusal(self.access, cmd.district)
                stream_id = f"village-{cmd.code}"
                if (refusal := refusals[cmd.district]) is not None:
                    bad.append(BadRow(number, cmd.code, "district", refusal))
                elif stream_id in self.existing:
                    bad.append(BadRow(number, cmd.code, "code",
                                      f"村代码 {cmd.code} 已登记 / code {cmd.code} is already registered"))
                else:
                    self.good += 1
                    if partial or not bad:
                        yield stream_id, [Encoded(kind, version, registration_json(cmd))]

    def report(self) -> list[dict]:
        return [b.as_dict() for b in sorted(self.bad, key=lambda b: (b.row, b.field or ""))]


class _Undo(Exception):
    """Rolls back the chunks stored before a bad row was found."""


def _refusal(access: Access, district: str) -> str | None:
    try:
        access.district(district)
    except Forbidden as exc:
        return exc.message
    return None


async def correct_income(uow: UnitOfWork, code: str, cmd: CorrectIncome, access: Access) -> dict:
    await register_shared_with_write(uow)
    village = await uow.load(Village, code)
    village.require_exists()
    access.district(village.district)
    village.correct_income(cmd)
    await uow.save(village)
    return {"code": code, "year": cmd.year, "income_fen": village.income_fen[cmd.year], "stream_version": village.version}
