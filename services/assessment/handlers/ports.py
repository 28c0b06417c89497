"""The handlers' way to the service's tables, through the unit of work: what assessment has
heard from registry (villages, teams, their assignments, baselines), the year's facts, the
evidence files and the data keys. PostgreSQL in a command (``adapters/``), the in-memory twins
of ``adapters/memory.py`` (and ``shared/privacy/memory.py``) in a unit test."""

from __future__ import annotations

from shared.eventstore.unit_of_work import port
from shared.privacy.keys import PgDataKeys

from services.assessment.adapters.directory import PgDirectory
from services.assessment.adapters.evidence import PgEvidence
from services.assessment.adapters.facts import PgYearFacts

directory = port(PgDirectory)
year_facts = port(PgYearFacts)
evidence = port(PgEvidence)
data_keys = port(PgDataKeys)
