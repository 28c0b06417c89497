"""The handlers' way to registry's tables, through the unit of work: PostgreSQL in a command
(``adapters/``, the village import's bulk writes among them, ``queries/eventlog.py``, ``shared/privacy/keys.py``), the in-memory twins of
``adapters/memory.py`` (and ``shared/privacy/memory.py``) in a unit test."""

from __future__ import annotations

from shared.eventstore.unit_of_work import port
from shared.privacy.keys import PgDataKeys

from services.registry.adapters.bulk import PgVillageImport
from services.registry.adapters.constraints import PgConstraints
from services.registry.adapters.locks import PgRegisterLock
from services.registry.queries.eventlog import PgEventLog

constraints = port(PgConstraints)
register_lock = port(PgRegisterLock)
event_log = port(PgEventLog)
data_keys = port(PgDataKeys)
village_import = port(PgVillageImport)
