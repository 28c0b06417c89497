"""Fixtures over the real PostgreSQL and Kafka that `make test` starts.

Every test session gets databases and topics of its own (random prefixes), so tests
never see the demo's data nor each other's; they are removed when the session ends
(`XINGCUN_KEEP_TEST_DATA=1` keeps them, to look into a failure).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import warnings
from collections.abc import Iterator

import pytest

from shared.config import Settings, get_settings
from shared.stack.leftovers import forget
from shared.stack.services import REPLAY_BACKDATE_WINDOW_DAYS

RUN = secrets.token_hex(3)

# The tests replay 2021–2024 as it happened, every role stating its own business time; the
# window's rule has tests of its own (tests/unit/security/test_business_time.py). Set before
# collection: a module may read the cached settings when it is imported.
os.environ.setdefault("XINGCUN_BACKDATE_WINDOW_DAYS", REPLAY_BACKDATE_WINDOW_DAYS)


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Iterator[Settings]:
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
    settings = Settings()
    yield settings
    # What the session made goes with it (every stack of a test is stopped by then), unless
    # asked to keep it for a look after a failure.
    if not os.environ.get("XINGCUN_KEEP_TEST_DATA"):
        try:
            asyncio.run(forget(settings, settings.db_prefix, settings.topic_prefix))
        except Exception as error:  # noqa: BLE001 - a stack already down has nothing to hold; no test's result
            warnings.warn(f"the session's databases and topics were not removed: {error!r}", stacklevel=1)
