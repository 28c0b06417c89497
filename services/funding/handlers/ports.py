"""The handlers' ways to funding's own tables, through the unit of work: PostgreSQL in a
command (``adapters/balances.py``, ``adapters/directory.py``), the in-memory twins of
``adapters/memory.py`` in a handler's unit test."""

from __future__ import annotations

from shared.eventstore import UnitOfWork

from services.funding.adapters.balances import PgBalances
from services.funding.adapters.directory import PgDirectory


def balances(uow: UnitOfWork) -> PgBalances:
    """The balance rows: locks, the CHECKed totals."""
    return uow.adapter(PgBalances)


def directory(uow: UnitOfWork) -> PgDirectory:
    """What funding has heard of villages, designations and projects."""
    return uow.adapter(PgDirectory)
