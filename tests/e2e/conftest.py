"""One running system for the whole end-to-end session: all four APIs and workers.

Tests isolate themselves by the ids they create; a test that kills a process
starts it again before it ends.
"""

from __future__ import annotations

import pytest

from shared.http.auth import Principal, Role, issue_token
from tests.support.stack import ServiceStack, running


@pytest.fixture(scope="session")
def stack(settings, tmp_path_factory):
    with running(ServiceStack(settings, tmp_path_factory.mktemp("stack"))) as stack:
        yield stack


@pytest.fixture(scope="session")
def token(settings):
    """``token(role, district=..., unit=..., team=...)`` → Authorization header."""

    def make(role: Role = Role.city_office, subject: str | None = None, **scope: str) -> dict[str, str]:
        principal = Principal(subject=subject or f"test-{role.value}", role=role, **scope)
        return {"Authorization": f"Bearer {issue_token(settings, principal)}"}

    return make
