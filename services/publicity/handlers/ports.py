"""The handlers' way to publicity's tables, through the unit of work: PostgreSQL in a command
(``adapters/directory.py``, ``adapters/images.py``), the in-memory twins of
``adapters/memory.py`` in a unit test."""

from __future__ import annotations

from shared.eventstore import UnitOfWork

from services.publicity.adapters.directory import PgDirectory
from services.publicity.adapters.images import PgImages


def directory(uow: UnitOfWork) -> PgDirectory:
    return uow.adapter(PgDirectory)


def images(uow: UnitOfWork) -> PgImages:
    return uow.adapter(PgImages)
