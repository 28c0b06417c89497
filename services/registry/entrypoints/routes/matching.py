"""因需对接 / need-based matching: solver proposals that officials accept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from shared.http.deps import IdempotencyKey, Meta, Store

from services.registry import handlers
from services.registry.domain.proposals import AcceptProposal, Proposal, ProposeMatching
from services.registry.entrypoints.access import WRITE_RESPONSES, Officials, access, execute, read

router = APIRouter(prefix="/matching", tags=["因需对接 matching"])
ProposalId = Annotated[str, Path(max_length=64, description="方案标识 / proposal id")]


@router.post(
    "/proposals",
    status_code=status.HTTP_201_CREATED,
    summary="求解对接方案 / propose team–village pairs",
    description=(
        "按村类型与单位职能优势（shared.reference.strengths.FIT）计算契合度，用匈牙利算法"
        "（scipy.optimize.linear_sum_assignment）在各区内求最大契合：每队先分 1 个村再分第 2 个，每村至多 1 队。"
        "方案只是建议，确认后才生效。 / Scores fit from village type × unit strengths and solves, per district, "
        "a maximum-fit assignment (Hungarian algorithm): every team gets a first village before any gets a second; "
        "a village gets at most one team. Nothing is assigned until an official accepts."
    ),
    responses=WRITE_RESPONSES,
)
async def propose(
    cmd: ProposeMatching, store: Store, meta: Meta, principal: Officials, response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    return await execute(store, "ProposeMatching", cmd.model_dump(mode="json"), meta,
                         lambda uow: handlers.propose_matching(uow, cmd, access(principal)), idempotency_key, response)


@router.get("/proposals/{proposal_id}", summary="对接方案 / a proposal and which pairs are accepted")
async def get_proposal(proposal_id: ProposalId, store: Store, _: Officials) -> dict:
    async def query(uow) -> dict:
        proposal = await uow.load(Proposal, proposal_id)
        proposal.require_exists()
        return {"proposal_id": proposal_id,
                "pairs": [p.model_dump(mode="json") | {"accepted": key in proposal.accepted}
                          for key, p in sorted(proposal.pairs.items())],
                "accepted": len(proposal.accepted), "pending": len(proposal.pairs) - len(proposal.accepted)}

    return await read(store, query)


@router.post(
    "/proposals/{proposal_id}/accept",
    summary="确认方案（全部或逐对）/ accept a proposal, whole or pair by pair",
    description="每一对按人工对接的全部规则复核，任一对不符则全部不写 / every pair is checked against the same "
                "rules as a manual assignment; if one fails, nothing is written.",
    responses=WRITE_RESPONSES,
)
async def accept(
    proposal_id: ProposalId, cmd: AcceptProposal, store: Store, meta: Meta, principal: Officials,
    response: Response, idempotency_key: IdempotencyKey = None,
) -> dict:
    return await execute(store, "AcceptProposal", {"proposal_id": proposal_id, **cmd.model_dump(mode="json")}, meta,
                         lambda uow: handlers.accept_proposal(uow, proposal_id, cmd, access(principal)),
                         idempotency_key, response)
