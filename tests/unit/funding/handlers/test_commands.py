"""Every command a route takes has its handler in ``COMMANDS``; every handler runs in memory
once the unit of work is given the in-memory twins of funding's tables, and says it needs
the database when it is not."""

from __future__ import annotations

import importlib
import pkgutil
import types
import typing

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from shared.contracts.funding import FundsAllocated, PolicyRegistered
from shared.eventstore.errors import DomainError
from shared.eventstore.memory import NeedsDatabase

from services.funding.adapters.balances import PgBalances
from services.funding.adapters.directory import PgDirectory
from services.funding.adapters.memory import InMemoryBalances, InMemoryDirectory
from services.funding.domain import commands as c
from services.funding.domain.allocation import Allocation
from services.funding.domain.policy import Policy
from services.funding.entrypoints import routes
from services.funding.handlers import COMMANDS
from tests.unit.funding.handlers.conftest import CITY, VILLAGE


def _models(hint: object) -> set[type]:
    if isinstance(hint, type):
        return {hint} if issubclass(hint, BaseModel) else set()
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return set().union(*(_models(arg) for arg in typing.get_args(hint)))
    return set()


def route_commands() -> dict[str, set[type]]:
    """Each write route of every module in ``entrypoints/routes/``: the models its endpoint takes."""
    modules = [importlib.import_module(f"{routes.__name__}.{m.name}") for m in pkgutil.iter_modules(routes.__path__)]
    return {f"{route.path} {sorted(route.methods)}": set().union(
                *(_models(hint) for name, hint in typing.get_type_hints(route.endpoint).items() if name != "return"))
            for module in modules for route in module.router.routes
            if isinstance(route, APIRoute) and "POST" in route.methods}


def test_every_write_route_takes_one_command_that_has_a_handler():
    found = route_commands()
    assert len(found) == 14
    for route, models in found.items():
        assert len(models) == 1, route
        assert models <= COMMANDS.keys(), route


def test_every_handler_is_reached_by_a_route():
    assert set().union(*route_commands().values()) == set(COMMANDS)


TRANCHED = [{"tranche_no": 1, "amount": "100"}]
ON_TABLES = [  # the balance rows (locks, CHECKed totals) or what other services told funding
    (c.AppropriateBudget(line_id="L-1", source="district", fiscal_year=2022, scope="city", title="t", amount="1"), {}),
    (c.AdjustAppropriation(amount="1", reason="r"), {"line_id": "L-1"}),
    (c.AllocateFunds(allocation_id="A-1", line_id="L-1", village_code=VILLAGE, amount="100", tranches=TRANCHED), {}),
    (c.AdjustAllocation(amount="1", reason="r"), {"allocation_id": "A-1"}),
    (c.CancelAllocation(reason="r"), {"allocation_id": "A-1"}),
    (c.ReleaseFrozenRemainder(reason="r"), {"allocation_id": "A-1"}),
    (c.RecordFreezeException(reason="r"), {"allocation_id": "A-1"}),
    (c.RequestDisbursement(disbursement_id="D-2", allocation_id="A-1", amount="1"), {}),
    (c.RejectDisbursement(reason="r"), {"disbursement_id": "D-1"}),
    (c.PayDisbursement(voucher_no="V-1"), {"disbursement_id": "D-1"}),
    (c.ReverseDisbursement(reason="r"), {"disbursement_id": "D-1"}),
    (c.ApplyPolicy(mode="all_eligible"), {"policy_id": "POL-1"}),
]


def _ids(value: object) -> str:
    return type(value).__name__ if isinstance(value, BaseModel) else ""


@pytest.mark.parametrize(("cmd", "ids"), ON_TABLES, ids=_ids)
async def test_handlers_on_funding_tables_reach_them_only_through_the_unit_of_work(uow, a_request, cmd, ids):
    uow.given(Policy, "POL-1", [PolicyRegistered(policy_id="POL-1", name="补贴", description="")])
    uow.given(Allocation, "A-1", [FundsAllocated(allocation_id="A-1", line_id="L-1", source="district",
                                                 fiscal_year=2022, village_code=VILLAGE, district=VILLAGE[:6],
                                                 amount_fen=100_000)])
    with pytest.raises(NeedsDatabase):  # no twin given: the unit of work says so
        await COMMANDS[type(cmd)](uow, cmd, CITY, **ids)
    rows = uow.provide(PgBalances, InMemoryBalances())
    uow.provide(PgDirectory, InMemoryDirectory())
    await rows.insert_line("L-1", "district", 2022, "city", 1_000_000)  # what D-1 was requested from
    await rows.move_line("L-1", allocated=100_000)
    await rows.insert_allocation(allocation_id="A-1", line_id="L-1", village_code=VILLAGE, district=VILLAGE[:6],
                                 project_id=None, amount_fen=100_000, released_fen=100_000)
    await rows.move_allocation("A-1", committed=10_000)
    try:
        await COMMANDS[type(cmd)](uow, cmd, CITY, **ids)
    except DomainError:
        pass  # most refuse on these few rows: what matters is that the answer came from memory


def test_the_rest_work_on_aggregates_alone():
    assert set(COMMANDS) - {type(cmd) for cmd, _ in ON_TABLES} == {c.ApproveDisbursement, c.RegisterPolicy}
