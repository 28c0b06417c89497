"""Where the service's DDL is: ``schema.sql`` (read models) beside the privacy keys' table."""

from __future__ import annotations

from pathlib import Path

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
