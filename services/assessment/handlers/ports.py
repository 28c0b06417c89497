"""The handlers' way to what assessment has heard from registry (villages, teams, their
assignments, baselines), through the unit of work: PostgreSQL in a command
(``adapters/directory.py``), the in-memory twin of ``adapters/memory.py`` in a unit test."""

from __future__ import annotations

from shared.eventstore import UnitOfWork

from services.assessment.adapters.directory import PgDirectory


def directory(uow: UnitOfWork) -> PgDirectory:
    return uow.adapter(PgDirectory)
