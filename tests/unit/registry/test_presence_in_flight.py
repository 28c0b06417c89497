"""A presence sheet holds its check-ins' weight in this process's gate while its command runs,
and gives it back however the command ends."""

from __future__ import annotations

from datetime import date

import pytest

from services.registry.domain.presence import ComputeAllowances, LogPresence
from services.registry.entrypoints.routes import presence


def sheet(n: int) -> LogPresence:
    return LogPresence.model_validate({"entries": [
        {"cadre_id": f"c{i}", "village_code": "120119000101", "day": date(2021, 4, 2), "togethers": "吃住"}
        for i in range(n)]})


@pytest.fixture(autouse=True)
def fresh_gate():
    presence.presence_work.cache_clear()
    yield
    presence.presence_work.cache_clear()


async def test_a_sheet_runs_holding_its_entries_and_gives_them_back():
    seen = []

    async def run(cmd, caller):
        seen.append(presence.presence_work().in_flight)
        return {"logged": len(cmd.entries)}

    assert await presence.log_presence(sheet(7), caller=None, run=run) == {"logged": 7}
    assert seen == [7] and presence.presence_work().in_flight == 0

    async def refuse(cmd, caller):
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        await presence.log_presence(sheet(3), caller=None, run=refuse)
    assert presence.presence_work().in_flight == 0


def test_the_gate_is_the_configured_one(monkeypatch):
    monkeypatch.setenv("XINGCUN_REGISTRY_PRESENCE_MAX_ENTRIES_IN_FLIGHT", "123")
    monkeypatch.setenv("XINGCUN_REGISTRY_PRESENCE_WAIT_SECONDS", "0.5")
    presence.registry_settings.cache_clear()
    try:
        gate = presence.presence_work()
        assert (gate.capacity, gate.wait) == (123, 0.5)
    finally:
        presence.registry_settings.cache_clear()


async def test_a_month_of_allowances_holds_one_place_while_it_is_computed_and_gives_it_back(monkeypatch):
    presence.allowance_work.cache_clear()
    monkeypatch.setattr(presence, "allowance_view", lambda answer: answer)
    seen = []

    async def run(cmd, rate):
        seen.append(presence.allowance_work().in_flight)
        return {"month": cmd.month}

    try:
        assert await presence.compute_allowances(ComputeAllowances(month="2021-04"), None, run=run) == {"month": "2021-04"}
        assert seen == [1] and presence.allowance_work().in_flight == 0

        async def refuse(cmd, rate):
            raise RuntimeError("refused")

        with pytest.raises(RuntimeError):
            await presence.compute_allowances(ComputeAllowances(month="2021-04"), None, run=refuse)
        assert presence.allowance_work().in_flight == 0
    finally:
        presence.allowance_work.cache_clear()


def test_the_allowance_gate_is_the_configured_one(monkeypatch):
    monkeypatch.setenv("XINGCUN_REGISTRY_ALLOWANCES_IN_FLIGHT", "3")
    monkeypatch.setenv("XINGCUN_REGISTRY_ALLOWANCES_WAIT_SECONDS", "0.5")
    presence.registry_settings.cache_clear()
    presence.allowance_work.cache_clear()
    try:
        gate = presence.allowance_work()
        assert (gate.capacity, gate.wait) == (3, 0.5)
    finally:
        presence.registry_settings.cache_clear()
        presence.allowance_work.cache_clear()
