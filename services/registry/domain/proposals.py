"""A matching proposal: the solver's pairs, waiting for an official to accept them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.registry import AssignmentProposed, ProposalPairsAccepted, ProposedPair
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError
from shared.reference.places import district_code

from services.registry.domain.ids import Id
from services.registry.domain.matching import RULE_VERSION, SOLVER, Matching


class ProposeMatching(BaseModel):
    """求解对接方案 / ask the solver for a proposal (nothing is assigned until accepted)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    proposal_id: Id
    districts: list[str] = Field(
        default_factory=list, description="参与对接的区（空 = 全市；区级用户须为本区）/ districts to match; empty = all"
    )

    def district_codes(self) -> list[str]:
        try:
            return sorted({district_code(d) for d in self.districts})
        except ValueError as exc:
            raise DomainError(str(exc), field="districts") from exc


class Pair(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team_id: Id
    village_code: str = Field(pattern=r"^\d{12}$", description="村代码 / village code")


class AcceptProposal(BaseModel):
    """确认方案 / accept the whole proposal, or only the pairs listed."""

    model_config = ConfigDict(extra="forbid")

    pairs: list[Pair] | None = Field(None, description="要确认的对（不填 = 全部未确认的对）/ pairs to accept; none = all pending")


class Proposal(Aggregate):
    stream_prefix = "proposal"
    noun = "方案"

    def __init__(self, key: str):
        super().__init__(key)
        self.pairs: dict[tuple[str, str], ProposedPair] = {}
        self.accepted: set[tuple[str, str]] = set()
        self.districts: list[str] = []  # the districts matched; none: the whole city

    def propose(self, districts: list[str], matching: Matching) -> AssignmentProposed:
        if self.exists:
            raise Conflict(f"方案 {self.key} 已存在 / proposal {self.key} exists", field="proposal_id")
        event = AssignmentProposed(proposal_id=self.key, districts=districts, solver=SOLVER, rule_version=RULE_VERSION,
                                   pairs=matching.pairs, unmatched_villages=matching.unmatched_villages,
                                   idle_teams=matching.idle_teams)
        self.record(event)
        return event

    def to_accept(self, cmd: AcceptProposal) -> list[ProposedPair]:
        self.require_exists()
        if cmd.pairs is None:
            pending = [p for key, p in self.pairs.items() if key not in self.accepted]
            if not pending:
                raise Conflict("方案中的对均已确认 / every pair is already accepted", field="pairs")
            return pending
        chosen = []
        for i, pair in enumerate(cmd.pairs):
            key = (pair.team_id, pair.village_code)
            if key not in self.pairs:
                raise DomainError(f"方案中没有 {key} 这一对 / the proposal has no pair {key}", field=f"pairs.{i}")
            if key in self.accepted:
                raise Conflict(f"{key} 已确认 / pair {key} is already accepted", field=f"pairs.{i}")
            chosen.append(self.pairs[key])
        return chosen

    def accept(self, pairs: list[ProposedPair]) -> None:
        self.record(ProposalPairsAccepted(proposal_id=self.key, pairs=[(p.team_id, p.village_code) for p in pairs]))

    def when_AssignmentProposed(self, event: AssignmentProposed) -> None:
        self.pairs = {(p.team_id, p.village_code): p for p in event.pairs}
        self.districts = list(event.districts)

    def when_ProposalPairsAccepted(self, event: ProposalPairsAccepted) -> None:
        self.accepted.update(tuple(p) for p in event.pairs)
