"""Fixtures over the real PostgreSQL and Kafka that `make test` starts.

Every test session gets databases and topics of its own (random prefixes), so tests
never see the demo's data nor each other's.
"""

from __future__ import annotations

import os
import secrets

import pytest

from shared.config import Settings

RUN = secrets.token_hex(3)


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    spans = tmp_path_factory.mktemp("spans")
    values = {
        "XINGCUN_DB_PREFIX": f"xct_{RUN}_",
        "XINGCUN_TOPIC_PREFIX": f"t{RUN}.",
        "XINGCUN_JWT_SECRET": secrets.token_urlsafe(32),
        "XINGCUN_OTEL_EXPORTER": "console",
        "XINGCUN_SPANS_DIR": str(spans),
    }
    os.environ.update(values)
    return Settings()
