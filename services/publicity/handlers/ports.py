"""The handlers' way to publicity's tables, through the unit of work: PostgreSQL in a command
(``adapters/directory.py``, ``adapters/images.py``), the in-memory twins of
``adapters/memory.py`` in a unit test."""

from __future__ import annotations

from shared.eventstore.unit_of_work import port

from services.publicity.adapters.directory import PgDirectory
from services.publicity.adapters.images import PgImages

directory = port(PgDirectory)
images = port(PgImages)
