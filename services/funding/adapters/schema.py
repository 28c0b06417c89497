"""The funding database's schema: its migration chain, shared directories first (shared/migrations).

A new table or column is a new numbered file in `migrations/` beside this module."""

from pathlib import Path

from shared.migrations import DIRECTORY, EVENT_STORE, Chain

CHAIN = Chain("funding", (EVENT_STORE, DIRECTORY, Path(__file__).with_name("migrations")))
