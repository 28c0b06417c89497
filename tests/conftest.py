"""Fixtures over the real PostgreSQL and Kafka that `make test` starts.

Every test session gets databases and topics of its own (random prefixes), so tests
never see the demo's data nor each other's.
"""

from __future__ import annotations

import os
import secrets

import pytest

from shared.config import Settings, get_settings
from shared.stack.services import REPLAY_BACKDATE_WINDOW_DAYS

RUN = secrets.token_hex(3)

# The tests replay 2021–2024 as it happened, every role stating its own business time; the
# window's rule has tests of its own (tests/unit/security/test_business_time.py). Set before
# collection: a module may read the cached settings when it is imported.
os.environ.setdefault("XINGCUN_BACKDATE_WINDOW_DAYS", REPLAY_BACKDATE_WINDOW_DAYS)


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
    get_settings.cache_clear()  # anything read before this session's values must read them again
    return Settings()
