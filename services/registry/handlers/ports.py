"""The handlers' way to registry's tables, through the unit of work: PostgreSQL in a command
(``adapters/``, ``shared/privacy/keys.py``), the in-memory twins of ``adapters/memory.py`` (and
``shared/privacy/memory.py``) in a unit test."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.privacy.keys import PgDataKeys

from services.registry.adapters.constraints import PgConstraints
from services.registry.adapters.locks import PgRegisterLock
from services.registry.queries.eventlog import PgEventLog


def constraints(uow: UnitOfWork) -> PgConstraints:
    return uow.adapter(PgConstraints)


def register_lock(uow: UnitOfWork) -> PgRegisterLock:
    return uow.adapter(PgRegisterLock)


def data_keys(uow: UnitOfWork) -> PgDataKeys:
    return uow.adapter(PgDataKeys)


def event_log(uow: UnitOfWork) -> PgEventLog:
    return uow.adapter(PgEventLog)
