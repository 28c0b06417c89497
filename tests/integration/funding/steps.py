"""The commands of a funding story, as one-liners over the harness."""

from __future__ import annotations

import itertools
import secrets

from services.funding.domain.access import FinanceScope
from services.funding.domain.commands import (
    AdjustAllocation,
    AllocateFunds,
    ApproveDisbursement,
    AppropriateBudget,
    PayDisbursement,
    RequestDisbursement,
)
from services.funding.handlers import allocations, budget, disbursements
from tests.integration.funding.conftest import CITY

_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}-{next(_ids)}"


async def line(h, amount: str = "1000.00", *, scope: str = "city", source: str = "city_special",
               fiscal_year: int = 2022, line_id: str | None = None) -> str:
    line_id = line_id or new_id("L")
    cmd = AppropriateBudget(line_id=line_id, source=source, fiscal_year=fiscal_year, scope=scope, title="测试预算",
                            amount=amount)
    await h.run(lambda uow: budget.appropriate(uow, cmd, CITY))
    return line_id


async def allocate(h, line_id: str, village: str, amount: str, *, allocation_id: str | None = None,
                   scope: FinanceScope = CITY, **kw) -> str:
    allocation_id = allocation_id or new_id("A")
    cmd = AllocateFunds(allocation_id=allocation_id, line_id=line_id, village_code=village, amount=amount, **kw)
    await h.run(lambda uow: allocations.allocate(uow, cmd, scope))
    return allocation_id


async def adjust(h, allocation_id: str, amount: str, **kw) -> dict:
    cmd = AdjustAllocation(amount=amount, reason="调整", **kw)
    return await h.run(lambda uow: allocations.adjust(uow, cmd, CITY, allocation_id=allocation_id))


async def request(h, allocation_id: str, amount: str, *, by: str = "alice", tranche_no: int | None = None,
                  disbursement_id: str | None = None, key: str | None = None) -> dict:
    cmd = RequestDisbursement(disbursement_id=disbursement_id or new_id("D"), allocation_id=allocation_id,
                              amount=amount, tranche_no=tranche_no)
    return await h.run(lambda uow: disbursements.request(uow, cmd, FinanceScope(by, None)),
                       body=cmd.model_dump(mode="json") if key else None, key=key)


async def approve(h, disbursement_id: str, by: str = "bob") -> dict:
    return await h.run(lambda uow: disbursements.approve(uow, ApproveDisbursement(), FinanceScope(by, None),
                                                             disbursement_id=disbursement_id))


async def pay(h, disbursement_id: str, voucher: str = "V-1") -> dict:
    cmd = PayDisbursement(voucher_no=voucher)
    return await h.run(lambda uow: disbursements.pay(uow, cmd, CITY, disbursement_id=disbursement_id))


async def paid(h, allocation_id: str, amount: str) -> str:
    """Request, approve (by someone else) and pay."""
    d = (await request(h, allocation_id, amount))["disbursement_id"]
    await approve(h, d)
    await pay(h, d)
    return d
