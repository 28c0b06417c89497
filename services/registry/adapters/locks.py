"""Advisory locks that order commands across aggregates.

A screening run takes the register lock exclusively; registrations, corrections and
assignments take it shared. So a run reads a register nobody is changing, a correction
lands either before a run (and is in its inputs) or after it, and no team is assigned
to a village that a run is revoking at the same moment.
"""

from __future__ import annotations

import asyncpg

from shared.eventstore import UnitOfWork

REGISTER_LOCK = 7_200_001


class PgRegisterLock:
    """The register lock, taken at once for the rest of the command's transaction:
    ``uow.adapter(PgRegisterLock)`` (``adapters/memory.py`` is its in-memory twin)."""

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def exclusive(self) -> None:
        await self.conn.execute("select pg_advisory_xact_lock($1)", REGISTER_LOCK)

    async def shared(self) -> None:
        await self.conn.execute("select pg_advisory_xact_lock_shared($1)", REGISTER_LOCK)


async def register_shared_with_write(uow: UnitOfWork) -> None:
    """The shared lock, held from the command's write to its commit — for a registration or
    a correction, whose decision rests only on the village's own stream (the append's
    version check guards it): it still lands wholly before a run or after it, and costs no
    transaction of its own (see ``UnitOfWork.hold_lock``)."""
    await uow.hold_lock(REGISTER_LOCK, shared=True)
