"""The handlers' way to monitoring's tables, through the unit of work: the data keys that seal
officials' notes (``shared/privacy/keys.py``; its in-memory twin is ``shared/privacy/memory.py``)."""

from __future__ import annotations

from shared.eventstore.unit_of_work import port
from shared.privacy.keys import PgDataKeys

data_keys = port(PgDataKeys)
