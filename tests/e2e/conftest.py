from __future__ import annotations

import pytest

from shared.http.auth import Principal, Role, issue_token
from tests.support.stack import ServiceStack


@pytest.fixture(scope="module")
def stack(settings, tmp_path_factory):
    stack = ServiceStack(settings, tmp_path_factory.mktemp("stack"))
    try:
        for service in ("registry", "publicity"):
            stack.start_worker(service)
            stack.start_api(service)
        yield stack
    finally:
        stack.stop_all()


@pytest.fixture(scope="session")
def token(settings):
    def make(role: Role = Role.city_office, **scope: str) -> dict[str, str]:
        principal = Principal(subject=f"test-{role.value}", role=role, **scope)
        return {"Authorization": f"Bearer {issue_token(settings, principal)}"}

    return make
