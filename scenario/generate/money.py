"""Money: budget lines from every source, allocations to projects split into tranches
(an advance, then one per milestone), and disbursements requested by one finance officer
and approved by another — with a few rejections and reversals."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from shared.reference.places import DISTRICTS

from scenario import calendar
from scenario.generate.projects import ADVANCE_PCT
from scenario.model import Allocation, BudgetLine, Disbursement, Policy, Project, TranchePlan, Village

BUDGET_YUAN = {"industry": (300_000, 1_500_000), "ecology": (100_000, 800_000)}
PRIMARY_SOURCE = {"industry": {"city_special": 75, "unit": 25}, "ecology": {"district": 60, "town": 40},
                  "culture": {"town": 50, "unit": 30, "other": 20}, "organisation": {"town": 50, "unit": 30, "other": 20},
                  "talent": {"district": 50, "other": 50}}
SOURCE_TITLES = {"city_special": "市财政产业扶持专项补贴资金", "district": "区级扶持资金", "town": "镇级配套资金",
                 "unit": "扶持单位自筹帮扶资金", "other": "社会帮扶资金"}
REJECTION = "附件材料不全，请补充后重新申请 / supporting documents incomplete, please request again"
REVERSAL = "收款账户信息有误，退回重拨 / wrong payee account: returned, to be paid again"
POLICIES = (
    ("tj-pol-1", "经济薄弱村光伏发电项目支持政策", "支持经济薄弱村利用集体建设用地和屋顶建设光伏电站", ()),
    ("tj-pol-2", "设施农业用地保障政策", "设施农业用地按农用地管理，优先保障经济薄弱村", ("agriculture", "ecological")),
    ("tj-pol-3", "乡村旅游发展扶持政策", "乡村民宿和休闲农业项目给予奖补", ("tourism", "ecological")),
    ("tj-pol-4", "村集体经济组织贷款贴息政策", "村集体经营性项目贷款给予贴息", ()),
)


def scope_of(source: str, district: str) -> str:
    return district if source in ("district", "town") else "city"


def appropriation_day(year: int) -> date:
    return date(2021, 6, 10) if year == 2021 else date(year, 3, 1)


def _yuan(rng: random.Random, lo: int, hi: int) -> int:
    return rng.randint(lo // 1000, hi // 1000) * 1000 * 100


def allocations(rng: random.Random, projects: list[Project]) -> list[Allocation]:
    out = []
    for p in projects:
        year = p.planned_start.year
        source = rng.choices(sorted(PRIMARY_SOURCE[p.action_code]),
                             weights=[PRIMARY_SOURCE[p.action_code][s] for s in sorted(PRIMARY_SOURCE[p.action_code])])[0]
        amount = _yuan(rng, *BUDGET_YUAN.get(p.action_code, (20_000, 200_000)))
        advance = amount * ADVANCE_PCT // 100 // 100 * 100
        rest, k = amount - advance, len(p.milestones)
        per = rest // k // 100 * 100
        tranches = [TranchePlan(1, advance, None)] + [
            TranchePlan(i + 2, per if i < k - 1 else rest - per * (k - 1), m.milestone_id) for i, m in enumerate(p.milestones)]
        on = max(p.planned_on + timedelta(days=5), appropriation_day(year))
        parts = [(source, amount, tuple(tranches))]
        if rng.random() < 0.3:
            co = "unit" if source != "unit" else "town"
            co_amount = amount * rng.randint(20, 40) // 100 // 100_000 * 100_000 or 100_000
            parts.append((co, co_amount, (TranchePlan(1, co_amount, None),)))
        for src, amt, tr in parts:
            scope = scope_of(src, p.district)
            out.append(Allocation(allocation_id=f"tj-a{len(out) + 1:05d}", line_id=f"tj-line-{year}-{src}-{scope}",
                                  source=src, fiscal_year=year, village_code=p.village_code, district=p.district,
                                  project_id=p.project_id, task_no=p.task_no, amount_fen=amt, tranches=tr,
                                  allocated_on=on))
    return out


def lines(rng: random.Random, allocs: list[Allocation]) -> list[BudgetLine]:
    """Each line a little larger than what is allocated from it (the rest stays unallocated)."""
    used: dict[str, int] = defaultdict(int)
    meta: dict[str, Allocation] = {}
    for a in allocs:
        used[a.line_id] += a.amount_fen
        meta.setdefault(a.line_id, a)
    out = []
    for line_id in sorted(used):
        a = meta[line_id]
        scope = scope_of(a.source, a.district)
        amount = -(-int(used[line_id] * rng.uniform(1.05, 1.2)) // 1_000_000) * 1_000_000  # whole 10,000 yuan
        where = "全市" if scope == "city" else DISTRICTS[scope]
        out.append(BudgetLine(line_id=line_id, source=a.source, fiscal_year=a.fiscal_year, scope=scope,
                              title=f"{a.fiscal_year}年{where}{SOURCE_TITLES[a.source]}", amount_fen=amount,
                              appropriated_on=appropriation_day(a.fiscal_year)))
    return out


def officers(scope: str) -> tuple[str, str]:
    """The two finance officers of a line's scope (the city's or a district's finance bureau):
    one requests and pays, the other approves (four eyes)."""
    return f"fin-{scope}-clerk", f"fin-{scope}-chief"


def disbursements(rng: random.Random, allocs: list[Allocation], projects: list[Project]) -> list[Disbursement]:
    verified = {m.milestone_id: m.verified_on for p in projects for m in p.milestones}
    out: list[Disbursement] = []
    for a in allocs:
        clerk, chief = officers(scope_of(a.source, a.district))
        for t in a.tranches:
            payable = a.allocated_on if t.milestone_id is None else verified.get(t.milestone_id)
            if payable is None:
                continue
            requested = payable + timedelta(days=rng.randint(2, 15))
            while requested <= calendar.END:
                base = dict(disbursement_id=f"tj-d{len(out) + 1:06d}", allocation_id=a.allocation_id,
                            line_id=a.line_id, source=a.source, village_code=a.village_code, district=a.district,
                            tranche_no=t.tranche_no, amount_fen=t.amount_fen, requested_on=requested,
                            requested_by=clerk)
                decided = requested + timedelta(days=rng.randint(1, 6))
                roll = rng.random()
                if decided > calendar.END:
                    out.append(Disbursement(**base))  # still waiting for approval at the end
                    break
                if roll < 0.03:
                    out.append(Disbursement(**base, rejected_on=decided, reject_reason=REJECTION))
                    requested = decided + timedelta(days=rng.randint(7, 20))
                    continue
                paid = decided + timedelta(days=rng.randint(1, 5))
                if paid > calendar.END:
                    out.append(Disbursement(**base, approved_on=decided, approved_by=chief))
                    break
                voucher = f"PZ{paid:%Y%m%d}-{len(out) + 1:06d}"
                reversed_on = paid + timedelta(days=rng.randint(5, 30)) if roll > 0.99 else None
                if reversed_on and reversed_on > calendar.END:
                    reversed_on = None
                out.append(Disbursement(**base, approved_on=decided, approved_by=chief, paid_on=paid, voucher_no=voucher,
                                        reversed_on=reversed_on, reverse_reason=REVERSAL if reversed_on else None))
                if reversed_on is None:
                    break
                requested = reversed_on + timedelta(days=rng.randint(3, 10))
    return out


def policies(rng: random.Random, designated: list[Village]) -> list[Policy]:
    out = []
    for policy_id, name, description, types in POLICIES:
        eligible = [v for v in designated if not types or v.village_type in types]
        # Applied in monthly rounds (on the 15th) from July 2021 to December 2022.
        applied = tuple((v.code, date(2021 + (6 + m) // 12, (6 + m) % 12 + 1, 15))
                        for v in eligible if rng.random() < 0.4 for m in [rng.randint(0, 17)])
        out.append(Policy(policy_id, name, description, types, date(2021, 6, 20), applied))
    return out
