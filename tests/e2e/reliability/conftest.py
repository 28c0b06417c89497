"""The reliability tests get a stack of their own (own databases and topics on the session's
PostgreSQL and Kafka): schemathesis and the permission matrix write whatever the schemas
allow — screenings over every village, city income figures, rubrics — which would move the
figures other end-to-end tests assert on in the shared stack."""

from __future__ import annotations

import pytest

from shared.config import SERVICES
from tests.support.stack import ServiceStack


@pytest.fixture(scope="package")
def stack(settings, tmp_path_factory):
    stack = ServiceStack(settings, tmp_path_factory.mktemp("reliability-stack"), namespace="rel")
    try:
        stack.start(SERVICES)
        yield stack
    finally:
        stack.stop_all()
