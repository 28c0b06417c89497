"""Need-based matching: the solver proposes, an official accepts."""

from __future__ import annotations

from shared.eventstore import UnitOfWork

from services.registry.domain.matching import propose
from services.registry.domain.proposals import AcceptProposal, Proposal, ProposeMatching
from services.registry.handlers.access import Access
from services.registry.handlers.network import assign_proposed
from services.registry.handlers.ports import event_log


async def propose_matching(uow: UnitOfWork, cmd: ProposeMatching, access: Access) -> dict:
    districts = cmd.district_codes()
    for district in districts or [None]:
        access.district(district)  # all districts at once is the city office's
    proposal = await uow.load(Proposal, cmd.proposal_id)
    teams = await event_log(uow).team_profiles(districts)
    villages = await event_log(uow).unserved_villages(districts)
    event = proposal.propose(districts, propose(teams, villages))
    await uow.save(proposal)
    return event.model_dump(mode="json") | {"total_score": sum(p.score for p in event.pairs)}


async def accept_proposal(uow: UnitOfWork, cmd: AcceptProposal, access: Access, *, proposal_id: str) -> dict:
    proposal = await uow.load(Proposal, proposal_id)
    proposal.require_exists()
    for district in proposal.districts or [None]:  # before its state: another district's is not ours to know
        access.district(district)
    pairs = proposal.to_accept(cmd)
    assigned = await assign_proposed(uow, pairs, access, proposal_id)
    proposal.accept(pairs)
    await uow.save(proposal)
    return {"proposal_id": proposal_id, "assigned": assigned, "pending": len(proposal.pairs) - len(proposal.accepted)}
