"""The monitoring database's schema: its migration chain, shared directories first (shared/migrations).

A new table or column is a new numbered file in `migrations/` beside this module."""

from pathlib import Path

from shared.migrations import EVENT_STORE, PRIVACY, Chain

CHAIN = Chain("monitoring", (EVENT_STORE, PRIVACY, Path(__file__).with_name("migrations")))
