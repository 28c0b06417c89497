"""因需对接 / need-based matching: solver proposals that officials accept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from shared.http.deps import Store

from services.registry.domain.proposals import AcceptProposal, ProposeMatching
from services.registry.entrypoints import schemas
from services.registry.entrypoints.deps import Officials, command_routes
from services.registry.queries import network, read, scoped

router = APIRouter(prefix="/matching", tags=["因需对接 matching"])
ProposalId = Annotated[str, Path(max_length=64, description="方案标识 / proposal id")]
writes = command_routes(router, Officials, proposal_id=ProposalId)


writes.add("/proposals", ProposeMatching, schemas.Proposed, name="propose", created=True,
           summary="求解对接方案 / propose team–village pairs",
           description=(
               "按村类型与单位职能优势（shared.reference.strengths.FIT）计算契合度，用匈牙利算法"
               "（scipy.optimize.linear_sum_assignment）在各区内求最大契合：每队先分 1 个村再分第 2 个，每村至多 1 队。"
               "方案只是建议，确认后才生效。 / Scores fit from village type × unit strengths and solves, per district, "
               "a maximum-fit assignment (Hungarian algorithm): every team gets a first village before any gets a second; "
               "a village gets at most one team. Nothing is assigned until an official accepts."
           ))


@router.get("/proposals/{proposal_id}", summary="对接方案 / a proposal and which pairs are accepted")
async def get_proposal(proposal_id: ProposalId, store: Store, who: Officials) -> schemas.ProposalView:
    return await read(store, scoped(network.proposal, who.principal), proposal_id)


writes.add("/proposals/{proposal_id}/accept", AcceptProposal, schemas.ProposalAccepted, name="accept",
           summary="确认方案（全部或逐对）/ accept a proposal, whole or pair by pair",
           description="每一对按人工对接的全部规则复核，任一对不符则全部不写 / every pair is checked against the same "
                       "rules as a manual assignment; if one fails, nothing is written.")
