"""Where the delivery's DDL is: ``delivery_schema.sql``, applied after ``schema.sql``."""

from __future__ import annotations

from pathlib import Path

DELIVERY_SCHEMA_SQL = Path(__file__).with_name("delivery_schema.sql")
