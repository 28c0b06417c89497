from pathlib import Path

EVENTSTORE_SQL = Path(__file__).with_name("schema.sql")
