"""Building a small support network in a test database through the real handlers."""

from __future__ import annotations

from datetime import date

from services.registry import handlers
from services.registry.domain.cadres import RecordTraining, RegisterCadre
from services.registry.domain.commands import RegisterVillage
from services.registry.domain.screening import RunScreening
from services.registry.domain.teams import AssignVillage, EnterVillage, FormTeam
from services.registry.domain.units import RegisterUnit
from services.registry.queries import eventlog
from tests.integration.registry.conftest import CITY, run
from tests.support.registry import uid
from tests.support.villages import village_body


async def run_in_force(store) -> str:
    """The screening run that designated the villages ``designated_villages`` made."""
    async with store.pool.acquire() as conn:
        return await eventlog.run_in_force(conn)  # type: ignore[return-value]  # a run exists by then


async def designated_villages(store, n: int, district: str = "120119", village_type: str = "agriculture") -> list[str]:
    codes = []
    for _ in range(n):
        body = village_body(district, village_type=village_type)
        await run(store, handlers.register_village, RegisterVillage.model_validate(body), CITY)
        codes.append(body["code"])
    async with store.pool.acquire() as conn:
        head = await conn.fetchval("select payload->>'run_id' from es.events where type = 'ScreeningCompleted' order by id desc limit 1")
    await run(store, handlers.run_screening, RunScreening(run_id=uid("run"), quota=1_000_000, supersedes=head), 800)
    return codes


async def unit(store, strengths: list[str], level: str = "city", district: str | None = None) -> str:
    unit_id = uid("unit")
    await run(store, handlers.register_unit, RegisterUnit(unit_id=unit_id, name="单位", level=level, district=district,
                                                          strengths=strengths), CITY)
    return unit_id


async def cadre(store, unit_id: str, trained_on: date | None = None) -> str:
    cadre_id = uid("cadre")
    await run(store, handlers.register_cadre, RegisterCadre(cadre_id=cadre_id, unit_id=unit_id, name="张三", title="科员"), CITY)
    if trained_on:
        await run(store, handlers.record_training, RecordTraining(course="第一书记集中培训", completed_on=trained_on), CITY,
                  cadre_id=cadre_id)
    return cadre_id


async def team(store, district: str = "120119", strengths: list[str] = ("agriculture",), partners: list[str] = (),
               trained_on: date | None = date(2021, 5, 1), lead: str | None = None) -> dict:
    lead = lead or await unit(store, list(strengths))
    secretary = await cadre(store, lead, trained_on)
    member = await cadre(store, lead)
    team_id = uid("team")
    await run(store, handlers.form_team, FormTeam(team_id=team_id, district=district, lead_unit_id=lead,
                                                  partner_unit_ids=list(partners), member_ids=[secretary, member],
                                                  first_secretary_id=secretary), CITY)
    return {"team_id": team_id, "lead": lead, "secretary": secretary, "member": member}


async def resident_team(store, entered_on: date = date(2021, 6, 1)) -> dict:
    """A team formed, assigned to a fresh weak village and entered it on ``entered_on``."""
    [code] = await designated_villages(store, 1)
    t = await team(store)
    await run(store, handlers.assign_village, AssignVillage(village_code=code), CITY, team_id=t["team_id"])
    await run(store, handlers.enter_village, EnterVillage(entered_on=entered_on), CITY, team_id=t["team_id"],
              code=code)
    return t | {"village": code}
