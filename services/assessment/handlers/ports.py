"""The handlers' way to the service's tables, through the unit of work: what assessment has
heard from registry (villages, teams, their assignments, baselines), the year's facts, the
evidence files and the data keys. PostgreSQL in a command (``adapters/``), the in-memory twins
of ``adapters/memory.py`` (and ``shared/privacy/memory.py``) in a unit test."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.privacy.keys import PgDataKeys

from services.assessment.adapters.directory import PgDirectory
from services.assessment.adapters.evidence import PgEvidence
from services.assessment.adapters.facts import PgYearFacts


def directory(uow: UnitOfWork) -> PgDirectory:
    return uow.adapter(PgDirectory)


def year_facts(uow: UnitOfWork) -> PgYearFacts:
    return uow.adapter(PgYearFacts)


def evidence(uow: UnitOfWork) -> PgEvidence:
    return uow.adapter(PgEvidence)


def data_keys(uow: UnitOfWork) -> PgDataKeys:
    return uow.adapter(PgDataKeys)
