"""Funding's one lock order (adapters/schema.sql) against the reactor's batches.

The reactor releases the tranches of a whole Kafka batch of verifications in one
transaction. Each test stages the exact interleaving of a crossing (no sleeps, no luck:
it waits until PostgreSQL shows the reactor or the command waiting on a lock) and then
asks that neither side was rolled back to break a deadlock: the command's handler ran
once (``EventStore.execute`` re-runs a deadlock victim) and the batch applied on its first
try. Without the fix each stages a real deadlock, which PostgreSQL detects after its
``deadlock_timeout`` (1 s).
"""

from __future__ import annotations

import asyncio

from services.funding.adapters.balances import PgBalances
from services.funding.domain.commands import AllocateFunds, PayDisbursement
from services.funding.handlers import allocations, disbursements
from tests.integration.funding import steps
from tests.integration.funding.conftest import CITY

TRANCHES = [{"tranche_no": 1, "amount": "200.00"}, {"tranche_no": 2, "amount": "300.00", "milestone_id": "M-1"},
            {"tranche_no": 3, "amount": "500.00", "milestone_id": "M-2"}]


async def lock_waiters(h, *pids: int) -> int:
    """How many of this database's sessions (only ``pids``, when given) wait on a lock."""
    return await h.fetchval(
        "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'"
        " and (cardinality($1::int[]) = 0 or pid = any($1))", list(pids))


async def until(check, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + 10
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.01)


async def project_with_two_milestones(h, project_id: str) -> tuple[str, str]:
    """An allocation whose two milestone tranches a batch releases one after the other: the
    batch updates its balance row twice, and the second update re-checks the row's foreign
    key, which locks the line (FOR KEY SHARE) after the allocation."""
    village = await h.village()
    line = await steps.line(h, "10000.00")
    allocation = await steps.allocate(h, line, village, "1000.00", project_id=project_id, tranches=TRANCHES)
    return line, allocation


async def test_a_batch_over_several_projects_does_not_cross_an_allocation(funding):
    """The scenario run's deadlock: the batch released P1's tranches (its line locked by
    then) and went on to P2's lock, held by an allocation to P2 waiting for that line."""
    line, first = await project_with_two_milestones(funding, "P-LO-1")
    village = await funding.village()
    batch = [funding.verification("P-LO-1", "M-1", village), funding.verification("P-LO-1", "M-2", village),
             funding.verification("P-LO-2", "M-9", village)]
    cmd = AllocateFunds(allocation_id=steps.new_id("A"), line_id=line, village_code=village, amount="100.00",
                        project_id="P-LO-2")
    runs, holds_project = 0, asyncio.Event()

    async with funding.pool.acquire() as reactor:
        async def allocate(uow):
            nonlocal runs
            runs += 1
            if runs == 1:  # allocate's first lock, taken here to stage the batch meanwhile
                await PgBalances(uow.conn).lock_project("P-LO-2")
                holds_project.set()
                await until(lambda: lock_waiters(funding, reactor.get_server_pid()), "the batch waits")
            return await allocations.allocate(uow, cmd, CITY)

        command = asyncio.create_task(funding.run(allocate))
        await holds_project.wait()
        applied = await asyncio.gather(funding.runners["milestone_releases"].apply_decoded(reactor, batch), command,
                                       return_exceptions=True)

    assert [type(r).__name__ for r in applied] == ["int", "dict"], applied  # a deadlock's victim raises …
    assert runs == 1  # … or, as a command, runs again
    assert (await funding.events(f"allocation-{first}")).count("TrancheReleased") == 2
    assert await funding.fetchval("select allocated_fen from funding.line_balances where line_id = $1", line) == 110000


async def test_a_batch_releasing_one_allocation_twice_does_not_cross_a_payment(funding):
    """A payment locks the line, then the allocation; the batch held the allocation and, at
    its second update, the foreign key wanted the line."""
    line, allocation = await project_with_two_milestones(funding, "P-LO-3")
    village = await funding.village()
    disbursement = (await steps.request(funding, allocation, "100.00", tranche_no=1))["disbursement_id"]
    await steps.approve(funding, disbursement)
    batch = [funding.verification("P-LO-3", "M-1", village), funding.verification("P-LO-4", "M-9", village),
             funding.verification("P-LO-3", "M-2", village)]
    runs = 0

    async def pay(uow):
        nonlocal runs
        runs += 1
        return await disbursements.pay(uow, PayDisbursement(voucher_no="V-LO"), CITY, disbursement_id=disbursement)

    async with funding.pool.acquire() as gate, funding.pool.acquire() as reactor:
        holding = gate.transaction()
        await holding.start()
        await PgBalances(gate).lock_project("P-LO-4")  # stops the batch at its second project
        try:
            reaction = asyncio.create_task(funding.runners["milestone_releases"].apply_decoded(reactor, batch))
            await until(lambda: lock_waiters(funding, reactor.get_server_pid()), "the batch waits")
            command = asyncio.create_task(funding.run(pay))
            await until(lambda: _done_or_waiting(funding, command, reactor, gate), "the payment waits or is done")
        finally:
            await holding.commit()
        applied = await asyncio.gather(reaction, command, return_exceptions=True)

    assert [type(r).__name__ for r in applied] == ["int", "dict"], applied
    assert runs == 1
    assert (await funding.events(f"allocation-{allocation}")).count("TrancheReleased") == 2
    assert await funding.fetchval("select paid_fen from funding.line_balances where line_id = $1", line) == 10000


async def _done_or_waiting(h, command: asyncio.Task, *others) -> bool:
    if command.done():
        return True
    waiting = await lock_waiters(h)
    return waiting > await lock_waiters(h, *(c.get_server_pid() for c in others))
