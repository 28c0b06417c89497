"""Villages: register one, import many, correct a baseline figure."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import Forbidden

from services.registry.adapters.locks import register_shared
from services.registry.domain.commands import CorrectIncome, RegisterVillage
from services.registry.domain.imports import BadRow, ParsedTable
from services.registry.domain.village import Village
from services.registry.handlers.access import Access


async def register_village(uow: UnitOfWork, cmd: RegisterVillage) -> dict:
    await register_shared(uow.conn)
    village = await uow.load(Village, cmd.code)
    village.register(cmd)
    await uow.save(village)
    return {"code": cmd.code, "stream_version": village.version}


async def import_villages(uow: UnitOfWork, table: ParsedTable, access: Access, partial: bool) -> dict:
    """Write every good row — or, when any row is bad and ``partial`` is off, nothing.

    The report always lists every bad row; ``written`` says whether anything was stored.
    """
    await register_shared(uow.conn)
    bad = list(table.bad)
    candidates = []
    for number, cmd in table.good:
        try:
            access.district(cmd.district)
        except Forbidden as exc:
            bad.append(BadRow(number, cmd.code, "district", exc.message))
            continue
        candidates.append((number, cmd))
    streams = [f"village-{cmd.code}" for _, cmd in candidates]
    existing = {r["stream_id"] for r in await uow.conn.fetch(
        "select distinct stream_id from es.events where stream_id = any($1::text[])", streams)}
    good = []
    for number, cmd in candidates:
        if f"village-{cmd.code}" in existing:
            bad.append(BadRow(number, cmd.code, "code", f"村代码 {cmd.code} 已登记 / code {cmd.code} is already registered"))
        else:
            good.append(cmd)
    bad.sort(key=lambda b: (b.row, b.field or ""))
    report = {"rows": table.rows, "good_rows": len(good), "bad_rows": [b.as_dict() for b in bad], "partial": partial}
    if bad and not partial or not good:
        return report | {"imported": 0, "written": False}
    villages = []
    for cmd in good:
        village = Village(cmd.code)
        village.register(cmd)
        villages.append(village)
    await uow.save_all(villages)
    return report | {"imported": len(villages), "written": True}


async def correct_income(uow: UnitOfWork, code: str, cmd: CorrectIncome, access: Access) -> dict:
    await register_shared(uow.conn)
    village = await uow.load(Village, code)
    village.require_exists()
    access.district(village.district)
    village.correct_income(cmd)
    await uow.save(village)
    return {"code": code, "year": cmd.year, "income_fen": village.income_fen[cmd.year], "stream_version": village.version}
