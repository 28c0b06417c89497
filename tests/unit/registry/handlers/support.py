"""A registry unit of work in memory with every adapter's twin given, and a small network to start
from: units, cadres (names sealed with the twin's keys) and designated villages."""

from __future__ import annotations

from types import SimpleNamespace

import shared.contracts  # noqa: F401 - registers every service's events in the catalogue
from shared.contracts.registry import VillageDesignated
from shared.eventstore.memory import InMemoryUnitOfWork
from shared.privacy.keys import PgDataKeys
from shared.privacy.memory import InMemoryDataKeys

from services.registry import handlers
from services.registry.adapters.constraints import PgConstraints
from services.registry.adapters.locks import PgRegisterLock
from services.registry.adapters.memory import InMemoryConstraints, InMemoryEventLog, InMemoryRegisterLock
from services.registry.domain.cadres import RegisterCadre
from services.registry.domain.commands import RegisterVillage
from services.registry.domain.units import RegisterUnit
from services.registry.domain.village import Village
from services.registry.handlers.access import SYSTEM
from services.registry.queries.eventlog import PgEventLog
from tests.support.villages import village_body

DISTRICT = "120119"


def unit_of_work() -> tuple[InMemoryUnitOfWork, SimpleNamespace]:
    uow = InMemoryUnitOfWork()
    twins = SimpleNamespace(tables=uow.provide(PgConstraints, InMemoryConstraints()),
                            lock=uow.provide(PgRegisterLock, InMemoryRegisterLock()),
                            keys=uow.provide(PgDataKeys, InMemoryDataKeys()))
    uow.provide(PgEventLog, InMemoryEventLog(uow, twins.tables))
    return uow, twins


async def network(uow: InMemoryUnitOfWork, *, villages: int = 3) -> list[str]:
    """Units u1 (city) and u2, u3 (the district); cadres c1, c2 of u1, c3 of u2, c4 of u3; ``villages`` designated
    villages of the district, whose codes are returned. What it records is not in ``uow.events``."""
    for unit_id, level in (("u1", "city"), ("u2", "district"), ("u3", "district")):
        await handlers.register_unit(uow, RegisterUnit(unit_id=unit_id, name=f"单位{unit_id}", level=level,
                                                       district=None if level == "city" else DISTRICT,
                                                       strengths=["agriculture"]), SYSTEM)
    for n, unit_id in enumerate(("u1", "u1", "u2", "u3"), start=1):
        await handlers.register_cadre(uow, RegisterCadre(cadre_id=f"c{n}", unit_id=unit_id, name=f"干部{n}",
                                                         title="科员"), SYSTEM)
    codes = []
    for rank in range(1, villages + 1):
        body = village_body(DISTRICT)
        await handlers.register_village(uow, RegisterVillage.model_validate(body), SYSTEM)
        uow.given(Village, body["code"], [VillageDesignated(code=body["code"], district=DISTRICT, run_id="r1",
                                                            rank=rank, average_fen=100)])
        codes.append(body["code"])
    uow.events.clear()
    return codes
