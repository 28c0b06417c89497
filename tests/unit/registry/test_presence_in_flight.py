"""A presence sheet holds its check-ins' weight in this process's gate while its command runs,
and gives it back however the command ends."""

from __future__ import annotations

from datetime import date

import pytest

from services.registry.domain.presence import LogPresence
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
