"""The handlers' ways to funding's own tables, through the unit of work: PostgreSQL in a
command (``adapters/balances.py``: the balance rows, their locks and CHECKed totals;
``adapters/directory.py``: what funding has heard of villages, designations and projects), the
in-memory twins of ``adapters/memory.py`` in a handler's unit test."""

from __future__ import annotations

from shared.eventstore.unit_of_work import port

from services.funding.adapters.balances import PgBalances
from services.funding.adapters.directory import PgDirectory

balances = port(PgBalances)
directory = port(PgDirectory)
