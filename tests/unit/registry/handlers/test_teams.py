"""Forming, assigning, rotating, re-staffing and dissolving teams through the handlers, without
PostgreSQL: the constraint tables, the register lock and the data keys are given as their
in-memory twins, so the one-team-per-village/cadre and two-teams-per-unit rules are seen here."""

from __future__ import annotations

import pytest

from shared.contracts.registry import CadreRegistered
from shared.eventstore.errors import Conflict, Forbidden
from shared.eventstore.memory import InMemoryUnitOfWork, NeedsDatabase

from services.registry import handlers
from services.registry.domain.cadres import RegisterCadre
from services.registry.domain.teams import AssignVillage, ChangeMembers, DissolveTeam, FormTeam, RotateTeam
from services.registry.handlers.access import SYSTEM
from tests.unit.registry.handlers.support import DISTRICT, network, unit_of_work
from tests.unit.registry.handlers.test_network import official


def team(team_id: str, members: list[str], lead: str = "u1", partners: tuple[str, ...] = ()) -> FormTeam:
    return FormTeam(team_id=team_id, district=DISTRICT, lead_unit_id=lead, partner_unit_ids=list(partners),
                    member_ids=members, first_secretary_id=members[0])


async def test_a_cadres_name_is_sealed_with_their_key():
    uow, twins = unit_of_work()
    await network(uow, villages=0)
    bare = InMemoryUnitOfWork()
    bare.streams = uow.streams
    with pytest.raises(NeedsDatabase):  # no twin of the keys given
        await handlers.register_cadre(bare, RegisterCadre(cadre_id="c9", unit_id="u1", name="李四", title="科员"),
                                      SYSTEM)
    await handlers.register_cadre(uow, RegisterCadre(cadre_id="c9", unit_id="u1", name="李四", title="科员"), SYSTEM)
    registered, = uow.events
    assert isinstance(registered, CadreRegistered) and registered.name.data != "李四"
    assert (await twins.keys.opener(["cadre-c9"]))(registered.name) == "李四"


async def test_a_cadre_is_in_one_team_and_a_unit_in_two_at_most():
    uow, twins = unit_of_work()
    await network(uow, villages=0)
    await handlers.form_team(uow, team("t1", ["c1", "c2"], partners=("u2",)), SYSTEM)
    await handlers.form_team(uow, team("t2", ["c3"], lead="u2"), SYSTEM)
    with pytest.raises(Conflict) as full:
        await handlers.form_team(uow, team("t3", ["c4"], lead="u3", partners=("u2",)), SYSTEM)
    assert full.value.field == "partner_unit_ids"
    assert twins.tables.cadres == {"c1": "t1", "c2": "t1", "c3": "t2"}
    # Last: a refused command's earlier writes stay in the twins (PostgreSQL would roll them back).
    with pytest.raises(Conflict) as taken:
        await handlers.form_team(uow, team("t4", ["c2"]), SYSTEM)
    assert taken.value.field == "member_ids"
    assert [e.team_id for e in uow.events] == ["t1", "t2"]


async def test_a_village_gets_one_team_under_the_register_lock():
    uow, twins = unit_of_work()
    codes = await network(uow)
    await handlers.form_team(uow, team("t1", ["c1"]), SYSTEM)
    await handlers.form_team(uow, team("t2", ["c2"]), SYSTEM)
    await handlers.assign_village(uow, AssignVillage(village_code=codes[0]), official(DISTRICT), team_id="t1")
    with pytest.raises(Conflict) as taken:
        await handlers.assign_village(uow, AssignVillage(village_code=codes[0]), SYSTEM, team_id="t2")
    assert taken.value.field == "village_code"
    with pytest.raises(Forbidden):
        await handlers.assign_village(uow, AssignVillage(village_code=codes[1]), official("120114"), team_id="t2")
    assert twins.lock.taken == ["shared"] * 3
    assert twins.tables.villages == {codes[0]: ("t1", DISTRICT)}


async def test_rotating_moves_the_villages_rows_and_dissolving_frees_every_place():
    uow, twins = unit_of_work()
    codes = await network(uow)
    await handlers.form_team(uow, team("t1", ["c1", "c2"], partners=("u2",)), SYSTEM)
    await handlers.assign_village(uow, AssignVillage(village_code=codes[0]), SYSTEM, team_id="t1")
    rotated = await handlers.rotate_team(uow, RotateTeam(villages=[codes[1], codes[2]], reason="轮换"), SYSTEM,
                                         team_id="t1")
    assert (rotated["left"], rotated["joined"]) == ([codes[0]], [codes[1], codes[2]])
    assert twins.tables.villages == {codes[1]: ("t1", DISTRICT), codes[2]: ("t1", DISTRICT)}
    moved = await handlers.change_members(uow, ChangeMembers(add=["c3"], remove=["c2"]), SYSTEM,
                                          team_id="t1")
    assert moved["members"] == ["c1", "c3"] and twins.tables.cadres == {"c1": "t1", "c3": "t1"}
    done = await handlers.dissolve_team(uow, DissolveTeam(reason="任务完成"), SYSTEM, team_id="t1")
    assert done["dissolved"] and (twins.tables.villages, twins.tables.cadres) == ({}, {})
    assert twins.tables.units == {"u1": [], "u2": []}
