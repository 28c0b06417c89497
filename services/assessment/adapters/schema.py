"""The assessment database's schema: its migration chain, shared directories first (shared/migrations).

A new table or column is a new numbered file in `migrations/` beside this module."""

from pathlib import Path

from shared.migrations import DIRECTORY, EVENT_STORE, PRIVACY, Chain

CHAIN = Chain("assessment", (EVENT_STORE, PRIVACY, DIRECTORY, Path(__file__).with_name("migrations")))
