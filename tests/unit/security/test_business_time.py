"""Business time is not the caller's to choose (issue 18, item 4): ``X-Occurred-At`` within the
configured window for everyone; further back only the city office and finance officers, with
a reason; never in the future, never before the programme began. A time given in a far-east
zone does not open tomorrow's presence sheet."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from shared.config import get_settings
from shared.eventstore import CommandMeta
from shared.http.auth import Principal, Role, issue_token
from shared.http.commands import runner_type
from shared.http.errors import install_error_handlers
from shared.http.limits import install_limits
from tests.support.echo_store import EchoStore

from services.registry.handlers.network import business_day


class Noted(BaseModel):
    pass


async def never(uow, cmd: Noted) -> dict:  # the echo store answers instead
    raise AssertionError


Run = runner_type({Noted: never})


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setenv("XINGCUN_JWT_SECRET", "b" * 40)
    monkeypatch.setenv("XINGCUN_BACKDATE_WINDOW_DAYS", "31")
    get_settings.cache_clear()
    app = FastAPI()

    @app.post("/cmd")
    async def cmd(run: Run) -> dict:  # the metadata as the command runner takes it from the headers
        return (await run(Noted()))["meta"]

    install_error_handlers(app)
    install_limits(app)
    app.state.store = EchoStore()
    yield httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    get_settings.cache_clear()


def who(role: Role, **scope) -> dict[str, str]:
    token = issue_token(get_settings(), Principal(subject=f"bt-{role.value}", role=role, **scope))
    return {"Authorization": f"Bearer {token}"}


SECRETARY = (Role.first_secretary, {"team": "T-1"})
CITY = (Role.city_office, {})
FINANCE = (Role.finance_officer, {"district": "120119"})


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


async def post(client, caller, **headers) -> httpx.Response:
    role, scope = caller
    return await client.post("/cmd", headers=who(role, **scope) | headers)


async def test_within_the_window_anyone_may_state_a_business_time(client):
    r = await post(client, SECRETARY, **{"X-Occurred-At": ago(3)})
    assert r.status_code == 200 and r.json()["backdate_reason"] is None


async def test_beyond_the_window_only_back_daters_with_a_reason(client):
    r = await post(client, SECRETARY, **{"X-Occurred-At": ago(40), "X-Backdate-Reason": "because"})
    assert r.status_code == 403 and r.json()["detail"][0]["loc"] == ["header", "X-Occurred-At"]
    r = await post(client, CITY, **{"X-Occurred-At": ago(400)})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["header", "X-Backdate-Reason"]
    reason = quote("2021年历史数据补录 / history")  # headers are ASCII: UTF-8, percent-encoded
    r = await post(client, CITY, **{"X-Occurred-At": ago(400), "X-Backdate-Reason": reason})
    assert r.status_code == 200 and r.json()["backdate_reason"] == "2021年历史数据补录 / history"
    r = await post(client, FINANCE, **{"X-Occurred-At": ago(60), "X-Backdate-Reason": "bank slip of 2026-09"})
    assert r.status_code == 200


@pytest.mark.parametrize("caller", [SECRETARY, CITY])
async def test_never_in_the_future_nor_before_the_programme(client, caller):
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    r = await post(client, caller, **{"X-Occurred-At": future, "X-Backdate-Reason": "r"})
    assert r.status_code == 422 and "future" in r.json()["detail"][0]["msg"]
    r = await post(client, caller, **{"X-Occurred-At": "2020-12-31T23:59:00+08:00", "X-Backdate-Reason": "r"})
    assert r.status_code == 422 and "programme" in r.json()["detail"][0]["msg"]
    r = await post(client, CITY, **{"X-Occurred-At": "2021-01-01T00:00:00+08:00", "X-Backdate-Reason": "start"})
    assert r.status_code == 200


@pytest.mark.parametrize("value", ["1700000000", "0.5", "2023-06-30T08:00:00"])
async def test_numbers_and_times_without_a_zone_are_refused(client, value):
    r = await post(client, CITY, **{"X-Occurred-At": value, "X-Backdate-Reason": "r"})
    assert r.status_code == 422


def test_presence_day_is_beijings_and_never_tomorrow():
    beijing_today = datetime.now(UTC).astimezone(timezone(timedelta(hours=8))).date()
    now = datetime.now(UTC)
    far_east = now.astimezone(timezone(timedelta(hours=14)))  # the same instant, a day ahead on the calendar
    uow = SimpleNamespace(meta=CommandMeta(occurred_at=far_east))
    assert business_day(uow) == beijing_today
    assert business_day(SimpleNamespace(meta=CommandMeta())) == beijing_today
    past = SimpleNamespace(meta=CommandMeta(occurred_at=datetime(2021, 6, 30, 23, 30, tzinfo=UTC)))
    assert business_day(past) == date(2021, 7, 1)  # 07:30 in Beijing
