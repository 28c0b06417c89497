"""Registering a policy works through its aggregate alone: who may bundle what, once."""

from __future__ import annotations

import pytest

from shared.contracts.funding import PolicyRegistered
from shared.eventstore.errors import Conflict, Forbidden

from services.funding.domain.access import FinanceScope
from services.funding.domain.commands import RegisterPolicy
from services.funding.handlers import policies
from tests.unit.funding.handlers.conftest import CITY, DISTRICT


def policy(**kw) -> RegisterPolicy:
    return RegisterPolicy(**({"policy_id": "POL-1", "name": "庭院经济补贴", "village_types": ["文旅型"]} | kw))


async def test_the_city_registers_a_city_wide_policy(uow):
    assert await policies.register(uow, policy(), CITY) == {"policy_id": "POL-1", "stream_version": 1}
    assert uow.events == [PolicyRegistered(policy_id="POL-1", name="庭院经济补贴", description="",
                                           designated_only=True, village_types=["tourism"], districts=[])]


async def test_a_district_bundles_for_its_own_villages_only(uow):
    district = FinanceScope("jizhou-finance", DISTRICT)
    assert (await policies.register(uow, policy(districts=[DISTRICT]), district))["stream_version"] == 1
    with pytest.raises(Forbidden) as refused:
        await policies.register(uow, policy(policy_id="POL-2"), district)  # city-wide: the city's
    assert refused.value.field == "districts"
    with pytest.raises(Forbidden):
        await policies.register(uow, policy(policy_id="POL-3", districts=["120114"]), district)
    assert [e.policy_id for e in uow.events] == ["POL-1"]


async def test_a_policy_id_is_registered_once(uow):
    await policies.register(uow, policy(), CITY)
    with pytest.raises(Conflict, match="already exists"):
        await policies.register(uow, policy(name="另一项"), CITY)
    assert len(uow.events) == 1
