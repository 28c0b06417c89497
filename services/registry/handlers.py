"""The registry's service layer: one function per command, each in one unit of work."""

from __future__ import annotations

from shared.eventstore import UnitOfWork

from services.registry.domain.commands import RegisterVillage
from services.registry.domain.village import Village


async def register_village(uow: UnitOfWork, cmd: RegisterVillage) -> dict:
    village = await uow.load(Village, cmd.code)
    village.register(cmd)
    await uow.save(village)
    return {"code": cmd.code, "stream_version": village.version}
