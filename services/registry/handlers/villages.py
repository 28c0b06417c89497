"""Villages: register one, import many, correct a baseline figure."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from shared.contracts.registry import VillageRegistered
from shared.eventstore import UnitOfWork
from shared.eventstore.bulk import Encoded
from shared.eventstore.errors import ConcurrencyError, Forbidden
from shared.eventstore.unit_of_work import register_new

from services.registry.adapters.locks import register_shared_with_write
from services.registry.domain.commands import (
    ChangeVillageAttributes,
    CorrectIncome,
    GraduateVillage,
    ImportVillages,
    RegisterVillage,
)
from services.registry.domain.imports import RawTable, Tally, Verdict, judge
from services.registry.domain.teams import Team
from services.registry.domain.village import Village, registration_json
from services.registry.handlers.access import Access
from services.registry.handlers.ports import constraints, register_lock, village_import

VALIDATED_AT_ONCE = 100  # rows per pydantic call: small, so the first chunk is stored soon


async def register_village(uow: UnitOfWork, cmd: RegisterVillage, access: Access) -> dict:
    access.district(cmd.district)
    await register_shared_with_write(uow)
    village = await register_new(uow, Village, cmd.code, cmd)
    return {"code": cmd.code, "stream_version": village.version}


async def import_villages(uow: UnitOfWork, cmd: ImportVillages, table: RawTable, access: Access) -> dict:
    """Write every good row — or, when any row is bad and ``partial`` is off, nothing.

    The report always lists every bad row; ``written`` says whether anything was stored.
    The rows are judged a chunk at a time while PostgreSQL stores the chunk before; a bad
    row found after some chunks were stored rolls them back (a savepoint), so the table is
    still all or nothing.
    """
    bulk, partial = village_import(uow), cmd.partial
    await register_lock(uow).shared()
    refusal = _refusal(access)
    # All or nothing: a code already registered fails the append (its stream's version 1
    # exists) and is looked up only when nothing was written. Partial: the good rows are
    # written around them, so they are looked up first.
    registered = await bulk.registered(table.codes()) if partial else set()
    tally, collided = Tally(), None
    try:
        imported = await bulk.append_unless_undone(
            _registrations(judge(table, VALIDATED_AT_ONCE, refusal, registered), tally, partial), uow.meta,
            keep=lambda: tally.storable(partial))
    except ConcurrencyError as exc:
        if partial:
            raise  # registered meanwhile by a command not yet committed at the look-up
        imported, collided = 0, exc
    if not partial and not imported:
        # Nothing was written: the appends stopped at a bad row or at a code already
        # registered. For the report, those codes are looked up and every row judged again.
        registered = await bulk.registered(table.codes())
        if collided and not registered:
            raise collided  # registered meanwhile by a command not yet committed at the look-up
        if registered:
            tally = Tally.of(judge(table, VALIDATED_AT_ONCE, refusal, registered))
    return {"rows": table.rows, "good_rows": tally.good, "bad_rows": tally.bad_rows(), "partial": partial,
            "imported": imported, "written": imported > 0}


def _registrations(verdicts: Iterable[Verdict], tally: Tally, partial: bool) -> Iterator[tuple[str, list[Encoded]]]:
    """The good rows' streams, as the verdicts come; after a bad row (unless partial) none,
    but the verdicts are still counted to the end, for the report."""
    kind, version = VillageRegistered.event_type, VillageRegistered.version
    for verdict in verdicts:
        tally.add(verdict)
        if partial or not tally.bad:
            for cmd in verdict.good:
                yield f"village-{cmd.code}", [Encoded(kind, version, registration_json(cmd))]


def _refusal(access: Access) -> Callable[[str], str | None]:
    """Why ``access`` may not import a district's villages, or None."""
    def refusal(district: str) -> str | None:
        try:
            access.district(district)
        except Forbidden as exc:
            return exc.message
        return None
    return refusal


async def correct_income(uow: UnitOfWork, cmd: CorrectIncome, access: Access, *, code: str) -> dict:
    await register_shared_with_write(uow)
    village = await uow.load(Village, code)
    village.require_exists()
    access.district(village.district)
    village.correct_income(cmd)
    await uow.save(village)
    return {"code": code, "year": cmd.year, "income_fen": village.income_fen[cmd.year], "stream_version": village.version}


async def change_village_attributes(uow: UnitOfWork, cmd: ChangeVillageAttributes, access: Access, *, code: str) -> dict:
    village = await uow.load(Village, code)
    village.require_exists()
    access.district(village.district)
    village.change_attributes(cmd)
    await uow.save(village)
    return {"code": code, "town": village.town, "village_type": village.village_type, "needs": village.needs,
            "stream_version": village.version}


async def graduate_village(uow: UnitOfWork, cmd: GraduateVillage, *, code: str) -> dict:
    """达标出列: the designation ends with the reason ``graduated``; the village's team, if any,
    is unassigned on its own stream, as when a run drops a village."""
    await register_lock(uow).shared()  # lands wholly before or after a screening run
    village = await uow.load(Village, code)
    run_id = village.designated_by
    village.graduate(cmd)
    unlinked = await constraints(uow).unlink_villages([code])
    teams = [await uow.load(Team, team_id) for team_id, _ in unlinked.values()]
    for team in teams:
        team.unassign(code, village.district, f"达标出列 / graduated: {cmd.reason}")
    await uow.save_all([village, *teams])
    return {"code": code, "graduated": True, "designated_by_run": run_id, "year": cmd.year,
            "teams_unassigned": [t.key for t in teams], "stream_version": village.version}
