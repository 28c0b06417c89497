"""精准识别: rank every registered village city-wide by its 2018–2020 average collective
operating income, from the bottom, and designate the bottom N.

``rank`` is a pure function of the inputs a run records, so anyone holding a run's events
(``ScreeningRankedPage``s and ``ScreeningCompleted``, put together by ``whole``) can
re-derive its list with ``rederive``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.registry import RANKED_PAGE_SIZE, RankedVillage, ScreeningCompleted, ScreeningRankedPage
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError

from services.registry.domain.commands import YEARS
from services.registry.domain.ids import Id

RULE = "bottom_n_by_average_2018_2020"
RULE_VERSION = 1
TIE_BREAK = "average_fen asc, then code asc / 平均收入升序，相同时按村代码升序"


@dataclass(frozen=True)
class Baseline:
    """What a run reads of one village: its code, district and 2018–2020 incomes in fen."""

    code: str
    district: str
    income_fen: dict[str, int]


def average_fen(income_fen: dict[str, int]) -> int:
    """三年平均，向下取整到分 / the 3-year average, floored to the fen (integers only)."""
    return sum(income_fen[y] for y in YEARS) // len(YEARS)


@dataclass(frozen=True)
class Ranking:
    ranked: list[RankedVillage]
    designated: list[str]
    cutoff_average_fen: int


def rank(baselines: Iterable[Baseline], quota: int) -> Ranking:
    """Bottom first; ties broken by code so the order never depends on input order."""
    rows = sorted(((average_fen(b.income_fen), b.code, b) for b in baselines), key=lambda r: (r[0], r[1]))
    if not rows:
        raise DomainError("没有已登记的村，无法筛选 / no registered villages to screen", field="quota")
    ranked = [
        RankedVillage(code=b.code, district=b.district, income_fen={y: b.income_fen[y] for y in YEARS},
                      average_fen=avg, rank=i + 1)
        for i, (avg, _, b) in enumerate(rows)
    ]
    designated = [r.code for r in ranked[:quota]]
    return Ranking(ranked, designated, ranked[min(quota, len(ranked)) - 1].average_fen)


def difference(previous: Iterable[str], current: Iterable[str]) -> tuple[list[str], list[str]]:
    """(villages in, villages out) going from the previous designation to the current one."""
    before, after = set(previous), set(current)
    return sorted(after - before), sorted(before - after)


class RunScreening(BaseModel):
    """开展一次筛选 / run a screening over every registered village."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    run_id: Id
    quota: int | None = Field(None, ge=1, le=1_000_000, description="认定数量 N（默认 800）/ how many to designate (default 800)")
    supersedes: Id | None = Field(
        None, description="取代的现行批次（已有批次时必填）/ the run in force this one replaces; required once a run exists"
    )


def check_supersedes(claimed: str | None, head: ScreeningCompleted | None) -> None:
    """A new run replaces the run in force only by naming it: nothing is superseded silently."""
    if head is None and claimed is not None:
        raise DomainError("尚无筛选批次可取代 / there is no run to supersede", field="supersedes")
    if head is not None and claimed != head.run_id:
        raise Conflict(
            f"现行批次为 {head.run_id}：新的筛选须写明 supersedes={head.run_id} / the run in force is {head.run_id}; "
            f"a new run must name it in supersedes", field="supersedes", current_run=head.run_id,
        )


class Rederivation(BaseModel):
    model_config = ConfigDict(frozen=True)

    run_id: str
    matches: bool = Field(description="重新推导的结果与记录一致 / the re-derived result equals the recorded one")
    designated: int = Field(description="重新推导的认定数 / villages designated on re-derivation")
    cutoff_average_fen: int
    mismatches: list[str] = Field(default_factory=list, description="不一致之处 / what differs")


def rederive(run: ScreeningCompleted) -> Rederivation:
    """Apply the recorded rule to the recorded inputs and compare with the recorded result."""
    if (run.rule, run.rule_version) != (RULE, RULE_VERSION):
        raise DomainError(f"未知的筛选规则 / unknown rule {run.rule} v{run.rule_version}", field="rule")
    again = rank((Baseline(r.code, r.district, dict(r.income_fen)) for r in run.ranked), run.quota)
    mismatches = []
    if [r.model_dump() for r in again.ranked] != [r.model_dump() for r in run.ranked]:
        first = next((i for i, (a, b) in enumerate(zip(again.ranked, run.ranked, strict=False)) if a != b),
                     min(len(again.ranked), len(run.ranked)))
        mismatches.append(f"排序在第 {first + 1} 名处不同 / ranked list differs from rank {first + 1}")
    if again.designated != run.designated:
        mismatches.append("认定名单不同 / designated list differs")
    if again.cutoff_average_fen != run.cutoff_average_fen:
        mismatches.append(f"分界线不同 / cut-off differs: {again.cutoff_average_fen} ≠ {run.cutoff_average_fen}")
    return Rederivation(run_id=run.run_id, matches=not mismatches, designated=len(again.designated),
                        cutoff_average_fen=again.cutoff_average_fen, mismatches=mismatches)


def paged(run: ScreeningCompleted, size: int = RANKED_PAGE_SIZE) -> list[ScreeningRankedPage | ScreeningCompleted]:
    """A whole run as the events that record it: its lists in pages of ``size``, then the summary
    (no event grows with the register; see ``ScreeningRankedPage``)."""
    chunks = lambda items: [items[i:i + size] for i in range(0, len(items), size)]  # noqa: E731
    ranked, added, removed = chunks(run.ranked), chunks(run.added), chunks(run.removed)
    count = max(len(ranked), len(added), len(removed), 1)
    designated = set(run.designated)
    pages = [
        ScreeningRankedPage(
            run_id=run.run_id, page=n + 1, pages=count, ranked=part,
            designated=[r.code for r in part if r.code in designated],
            added=added[n] if n < len(added) else [], removed=removed[n] if n < len(removed) else [])
        for n, part in enumerate(ranked + [[]] * (count - len(ranked)))
    ]
    summary = run.model_copy(update={
        "villages_ranked": len(run.ranked), "designated_count": len(run.designated), "added_count": len(run.added),
        "removed_count": len(run.removed), "pages": count, "ranked": [], "designated": [], "added": [],
        "removed": []})
    return [*pages, summary]


def whole(summary: ScreeningCompleted, pages: Sequence[ScreeningRankedPage]) -> ScreeningCompleted:
    """The run with its lists: from its pages, or inline (a run recorded as version 1)."""
    if not summary.pages:
        return summary
    ordered = sorted(pages, key=lambda p: p.page)
    if [p.page for p in ordered] != list(range(1, summary.pages + 1)):
        raise DomainError(f"筛选批次 {summary.run_id} 的名单分页不全 / the run's pages are incomplete", field="run_id")
    return summary.model_copy(update={
        "ranked": [r for p in ordered for r in p.ranked], "designated": [c for p in ordered for c in p.designated],
        "added": [c for p in ordered for c in p.added], "removed": [c for p in ordered for c in p.removed]})


class ScreeningRun(Aggregate):
    """One run, stream ``screening-<run_id>``: written once, never changed."""

    stream_prefix = "screening"
    completed: ScreeningCompleted | None = None

    def __init__(self, key: str):
        super().__init__(key)
        self._pages: list[ScreeningRankedPage] = []

    def complete(self, ranking: Ranking, quota: int, supersedes: ScreeningCompleted | None) -> ScreeningCompleted:
        """Record the run (its pages, then its summary); returns the whole run, lists included."""
        if self.exists:
            raise Conflict(f"筛选批次 {self.key} 已存在 / screening run {self.key} exists", field="run_id")
        added, removed = difference(supersedes.designated if supersedes else (), ranking.designated)
        run = ScreeningCompleted(
            run_id=self.key, rule=RULE, rule_version=RULE_VERSION, tie_break=TIE_BREAK, quota=quota,
            ranked=ranking.ranked, cutoff_average_fen=ranking.cutoff_average_fen, designated=ranking.designated,
            supersedes=supersedes.run_id if supersedes else None, added=added, removed=removed,
            villages_ranked=len(ranking.ranked), designated_count=len(ranking.designated),
        )
        for event in paged(run):
            self.record(event)
        return self.completed

    def when_ScreeningRankedPage(self, event: ScreeningRankedPage) -> None:
        self._pages.append(event)

    def when_ScreeningCompleted(self, event: ScreeningCompleted) -> None:
        self.completed = whole(event, self._pages)


@dataclass
class RegisterState:
    """The register as a run reads it: each village's latest baseline, folded from its events.
    A village that graduated (达标出列) is screened no more: its 2018–2020 baseline would rank
    it back in, and it left the list on the city office's decision."""

    villages: dict[str, Baseline] = field(default_factory=dict)

    def apply(self, event_type: str, payload: dict) -> None:
        if event_type == "VillageRegistered":
            self.villages[payload["code"]] = Baseline(payload["code"], payload["district"], dict(payload["income_fen"]))
        elif event_type == "VillageIncomeCorrected" and (known := self.villages.get(payload["code"])) is not None:
            known.income_fen[payload["year"]] = payload["income_fen"]
        elif event_type == "DesignationRevoked" and payload.get("reason_code") == "graduated":
            self.villages.pop(payload["code"], None)
