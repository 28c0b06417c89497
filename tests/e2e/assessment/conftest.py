import pytest

from tests.e2e.assessment.support import Assessment


@pytest.fixture(scope="session")
def assessment(stack, token, settings) -> Assessment:
    return Assessment(stack, token, settings)
