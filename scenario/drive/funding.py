"""Funding stages: finance bureaus appropriate their lines and register policies; money is
allocated to projects in tranches; each tranche is requested by one officer, approved (or
rejected) by another and paid — a few payments reversed and paid again."""

from __future__ import annotations

from collections import defaultdict

from scenario.drive import people
from scenario.drive.client import Api
from shared.money import yuan
from scenario.drive.stage import Stage
from scenario.generate.money import officers, scope_of
from scenario.generate.undo import ALLOCATION_CANCELLED
from scenario.model import Disbursement, Scenario


def setup_stages(s: Scenario, api: Api) -> list[Stage]:
    """Lines and policies: what exists before any money moves."""

    def line(ln):
        async def chain() -> None:
            await api.command("funding.lines", "funding", "/lines",
                              {"line_id": ln.line_id, "source": ln.source, "fiscal_year": ln.fiscal_year,
                               "scope": ln.scope, "title": ln.title, "amount": yuan(ln.amount_fen)},
                              who=people.finance(api, officers(ln.scope)[1], ln.scope), key=api.key("line", ln.line_id),
                              on=ln.appropriated_on)
        return chain

    city_chief = people.finance(api, officers("city")[1], "city")

    def policy(p):
        by_day = defaultdict(list)
        for code, day in p.applied:
            by_day[day].append(code)

        async def chain() -> None:
            done = await api.command("funding.policies", "funding", "/policies",
                                     {"policy_id": p.policy_id, "name": p.name, "description": p.description,
                                      "designated_only": True, "village_types": list(p.village_types)},
                                     who=city_chief, key=api.key("policy", p.policy_id), on=p.registered_on)
            if done is None:
                return
            for day in sorted(by_day):
                await api.command("funding.policies", "funding", f"/policies/{p.policy_id}/apply",
                                  {"village_codes": sorted(by_day[day]), "mode": "listed"}, who=city_chief,
                                  key=api.key("policy-apply", p.policy_id, day), on=day, eventual=True)
        return chain

    applications = sum(len({d for _, d in p.applied}) for p in s.policies)
    return [
        Stage("funding.lines", "预算下达 / budget lines", [line(ln) for ln in s.lines], len(s.lines)),
        Stage("funding.policies", "政策集聚 / policies and where they apply", [policy(p) for p in s.policies],
              len(s.policies) + applications),
    ]


def allocation_stage(s: Scenario, api: Api) -> Stage:
    def allocate(a):
        scope = scope_of(a.source, a.district)
        body = {"allocation_id": a.allocation_id, "line_id": a.line_id, "village_code": a.village_code,
                "project_id": a.project_id, "task_no": a.task_no, "amount": yuan(a.amount_fen),
                "tranches": [{"tranche_no": t.tranche_no, "amount": yuan(t.amount_fen), "milestone_id": t.milestone_id}
                             for t in a.tranches]}

        async def chain() -> None:
            clerk = people.finance(api, officers(scope)[0], scope)
            # eventual: funding learns of the designation from registry's events, not from us.
            if await api.command("funding.allocations", "funding", "/allocations", body, who=clerk,
                                 key=api.key("allocation", a.allocation_id), on=a.allocated_on,
                                 eventual=True) is None or a.cancelled_on is None:
                return
            await api.command("funding.allocations", "funding", f"/allocations/{a.allocation_id}/cancel",
                              {"reason": ALLOCATION_CANCELLED}, who=clerk,
                              key=api.key("allocation-cancel", a.allocation_id), on=a.cancelled_on)
        return chain

    return Stage("funding.allocations", "资金分配与撤销 / allocations and cancellations",
                 [allocate(a) for a in s.allocations],
                 len(s.allocations) + sum(a.cancelled_on is not None for a in s.allocations))


def _steps(d: Disbursement) -> int:
    return 1 + sum(x is not None for x in (d.approved_on, d.rejected_on, d.paid_on, d.reversed_on))


def disbursement_stage(s: Scenario, api: Api) -> Stage:
    """One chain per allocation: its requests in date order, each carried as far as it went."""
    by_allocation = defaultdict(list)
    for d in s.disbursements:
        by_allocation[d.allocation_id].append(d)
    scopes = {a.allocation_id: scope_of(a.source, a.district) for a in s.allocations}
    tied = {(a.allocation_id, t.tranche_no) for a in s.allocations for t in a.tranches if t.milestone_id}

    def chain_of(allocation_id: str):
        scope = scopes[allocation_id]
        clerk = people.finance(api, officers(scope)[0], scope)
        chief = people.finance(api, officers(scope)[1], scope)

        async def chain() -> None:
            for d in sorted(by_allocation[allocation_id], key=lambda x: (x.requested_on, x.disbursement_id)):
                path = f"/disbursements/{d.disbursement_id}"
                # eventual: a milestone's tranche is payable once funding has heard of the verification.
                done = await api.command(
                    "funding.disbursements", "funding", "/disbursements",
                    {"disbursement_id": d.disbursement_id, "allocation_id": d.allocation_id,
                     "amount": yuan(d.amount_fen), "tranche_no": d.tranche_no},
                    who=clerk, key=api.key("disburse", d.disbursement_id), on=d.requested_on,
                    eventual=(allocation_id, d.tranche_no) in tied)
                if done is None:
                    continue
                if d.rejected_on:
                    await api.command("funding.disbursements", "funding", f"{path}/reject", {"reason": d.reject_reason},
                                      who=chief, key=api.key("reject", d.disbursement_id), on=d.rejected_on)
                    continue
                if d.approved_on and await api.command(
                        "funding.disbursements", "funding", f"{path}/approve", {}, who=chief,
                        key=api.key("approve", d.disbursement_id), on=d.approved_on) is None:
                    continue
                if d.paid_on and await api.command(
                        "funding.disbursements", "funding", f"{path}/pay",
                        {"voucher_no": d.voucher_no, "paid_on": d.paid_on.isoformat()}, who=clerk,
                        key=api.key("pay", d.disbursement_id), on=d.paid_on) is None:
                    continue
                if d.reversed_on:
                    await api.command("funding.disbursements", "funding", f"{path}/reverse", {"reason": d.reverse_reason},
                                      who=chief, key=api.key("reverse", d.disbursement_id), on=d.reversed_on)
        return chain

    return Stage("funding.disbursements", "拨付：申请、审批、支付 / disbursements", [chain_of(a) for a in sorted(by_allocation)],
                 sum(_steps(d) for d in s.disbursements))
