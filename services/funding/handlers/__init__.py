"""The funding service layer: one async function per command, each in one unit of work,
called ``handler(uow, cmd, scope, **ids)`` by the shared runner (shared/http/commands.py).

Every handler locks the balance rows it will change before loading the aggregates, in
the order adapters/migrations/0001_funding.sql states, so concurrent commands queue instead of racing.
"""

from services.funding.domain import commands as c
from services.funding.handlers import allocations, budget, disbursements, freezes, policies

COMMANDS = {
    c.AppropriateBudget: budget.appropriate,
    c.AdjustAppropriation: budget.adjust_appropriation,
    c.AllocateFunds: allocations.allocate,
    c.AdjustAllocation: allocations.adjust,
    c.CancelAllocation: allocations.cancel,
    c.ReleaseFrozenRemainder: freezes.release_remainder,
    c.RecordFreezeException: freezes.record_exception,
    c.RequestDisbursement: disbursements.request,
    c.ApproveDisbursement: disbursements.approve,
    c.RejectDisbursement: disbursements.reject,
    c.PayDisbursement: disbursements.pay,
    c.ReverseDisbursement: disbursements.reverse,
    c.RegisterPolicy: policies.register,
    c.ApplyPolicy: policies.apply,
}
