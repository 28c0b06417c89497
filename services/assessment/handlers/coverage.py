"""低收入群体保障 / registering people, their eligibility and their cover."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.identity import Principal

from services.assessment.domain.coverage import (
    EndCoverage,
    LowIncomePerson,
    RecordCoverage,
    RecordEligibility,
    RegisterPerson,
)
from services.assessment.handlers.access import ensure_village_team, today
from services.assessment.handlers.ports import data_keys, directory


def _state(person: LowIncomePerson) -> dict:
    return {"person_id": person.key, "household_id": person.household_id, "village_code": person.village_code,
            "eligible": sorted(c for c, e in person.eligible.items() if e),
            "covered": {c: d.isoformat() for c, d in sorted(person.covered.items())},
            "gaps": person.gaps(), "stream_version": person.version}


async def _load(uow: UnitOfWork, person_id: str, principal: Principal) -> LowIncomePerson:
    person = await uow.load(LowIncomePerson, person_id)
    person.require_exists()
    await ensure_village_team(directory(uow), principal, person.village_code, person.district)
    return person


async def register_person(uow: UnitOfWork, cmd: RegisterPerson, principal: Principal) -> dict:
    district = await directory(uow).village_district(cmd.village_code)
    await ensure_village_team(directory(uow), principal, cmd.village_code, district)
    person = await uow.load(LowIncomePerson, cmd.person_id)
    person.register(cmd, district, today(uow))
    await uow.save(person)
    return _state(person)


async def record_eligibility(uow: UnitOfWork, cmd: RecordEligibility, principal: Principal, *, person_id: str) -> dict:
    person = await _load(uow, person_id, principal)
    person.set_eligibility(cmd, today(uow))
    await uow.save(person)
    return _state(person)


async def record_coverage(uow: UnitOfWork, cmd: RecordCoverage, principal: Principal, *, person_id: str) -> dict:
    person = await _load(uow, person_id, principal)
    person.cover(cmd, today(uow))
    await uow.save(person)
    return _state(person)


async def end_coverage(uow: UnitOfWork, cmd: EndCoverage, principal: Principal, *, person_id: str, cover: str) -> dict:
    person = await _load(uow, person_id, principal)
    person.end(cover, cmd, today(uow), await data_keys(uow).sealer(person.stream_id, field="reason"))
    await uow.save(person)
    return _state(person)
