"""Need-based matching: the solver proposes, officials accept all or pair by pair."""

from __future__ import annotations

import pytest

from shared.eventstore.errors import Conflict, DomainError, Forbidden

from services.registry import handlers
from services.registry.domain.proposals import AcceptProposal, Pair, ProposeMatching
from services.registry.domain.teams import AssignVillage
from tests.integration.registry.conftest import CITY, count_events, official, run
from tests.integration.registry.network import designated_villages, team
from tests.support.registry import uid


async def test_proposal_fits_types_to_strengths_and_assigns_nothing_until_accepted(store):
    farms = await designated_villages(store, 2, village_type="agriculture")
    [resort] = await designated_villages(store, 1, village_type="tourism")
    growers = await team(store, strengths=["agriculture"])
    tourism = await team(store, strengths=["culture_tourism"])
    proposal_id = uid("proposal")
    proposed = await run(store, handlers.propose_matching, ProposeMatching(proposal_id=proposal_id), CITY)
    pairs = {(p["team_id"], p["village_code"]) for p in proposed["pairs"]}
    assert pairs == {(growers["team_id"], farms[0]), (growers["team_id"], farms[1]), (tourism["team_id"], resort)}
    assert all("契合度" in p["reason"] and "fit" in p["reason"] for p in proposed["pairs"])
    assert await count_events(store, "TeamAssigned") == 0

    first = Pair(team_id=tourism["team_id"], village_code=resort)
    accepted = await run(store, handlers.accept_proposal, AcceptProposal(pairs=[first]), CITY,
                         proposal_id=proposal_id)
    assert accepted["pending"] == 2
    with pytest.raises(Conflict):  # a pair is accepted once
        await run(store, handlers.accept_proposal, AcceptProposal(pairs=[first]), CITY, proposal_id=proposal_id)
    await run(store, handlers.accept_proposal, AcceptProposal(), CITY, proposal_id=proposal_id)
    assigned = [e for e in await store.read_stream(None, f"team-{growers['team_id']}") if e.type == "TeamAssigned"]
    assert {e.payload["village_code"] for e in assigned} == set(farms)
    assert {e.payload["proposal_id"] for e in assigned} == {proposal_id}


async def test_every_team_gets_a_village_before_any_gets_two(store):
    await designated_villages(store, 3)
    teams = [await team(store, strengths=s) for s in (["agriculture", "technology"], ["agriculture"], ["health"])]
    proposed = await run(store, handlers.propose_matching, ProposeMatching(proposal_id=uid("proposal")), CITY)
    per_team = {t["team_id"]: sum(p["team_id"] == t["team_id"] for p in proposed["pairs"]) for t in teams}
    assert sorted(per_team.values()) == [1, 1, 1]  # not 2 for the best-fitting team and 0 for the weakest


async def test_acceptance_rechecks_the_rules_and_writes_nothing_if_a_pair_fails(store):
    codes = await designated_villages(store, 2)
    a, b = await team(store), await team(store)
    proposal_id = uid("proposal")
    await run(store, handlers.propose_matching, ProposeMatching(proposal_id=proposal_id), CITY)
    # Meanwhile a village is assigned by hand to another team.
    late = await team(store)
    await run(store, handlers.assign_village, AssignVillage(village_code=codes[0]), CITY, team_id=late["team_id"])
    before = await count_events(store)
    with pytest.raises(Conflict):
        await run(store, handlers.accept_proposal, AcceptProposal(), CITY, proposal_id=proposal_id)
    assert await count_events(store) == before
    assert a and b


async def test_district_officials_propose_and_accept_in_their_own_district_only(store):
    await designated_villages(store, 1, district="120114")
    await team(store, district="120114")
    with pytest.raises(Forbidden):
        await run(store, handlers.propose_matching, ProposeMatching(proposal_id=uid("p")), official("120114"))
    with pytest.raises(Forbidden):
        await run(store, handlers.propose_matching, ProposeMatching(proposal_id=uid("p"), districts=["120119"]),
                  official("120114"))
    proposal_id = uid("p")
    proposed = await run(store, handlers.propose_matching, ProposeMatching(proposal_id=proposal_id, districts=["武清区"]),
                         official("120114"))
    assert proposed["districts"] == ["120114"] and len(proposed["pairs"]) == 1
    with pytest.raises(Forbidden):
        await run(store, handlers.accept_proposal, AcceptProposal(), official("120119"), proposal_id=proposal_id)
    await run(store, handlers.accept_proposal, AcceptProposal(), official("120114"), proposal_id=proposal_id)


async def test_unknown_pair_and_unknown_district(store):
    with pytest.raises(DomainError):
        await run(store, handlers.propose_matching, ProposeMatching(proposal_id=uid("p"), districts=["和平区"]), CITY)
    proposal_id = uid("p")
    await run(store, handlers.propose_matching, ProposeMatching(proposal_id=proposal_id), CITY)
    with pytest.raises(DomainError):
        await run(store, handlers.accept_proposal,
                  AcceptProposal(pairs=[Pair(team_id="nope", village_code="120119000000")]), CITY,
                  proposal_id=proposal_id)
