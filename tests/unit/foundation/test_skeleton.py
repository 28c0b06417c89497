"""The pieces every service is built from: the command runner, the in-memory unit of work
and the projection's ``when_<Event>`` dispatch — each with in-memory fakes (pure logic)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi import Response
from pydantic import BaseModel

import shared.contracts  # noqa: F401 - registers every service's events in the catalogue
from shared.contracts.registry import VillageIncomeCorrected
from shared.eventstore import Aggregate, CommandMeta, RecordedEvent
from shared.eventstore.errors import Conflict, NotFound
from shared.eventstore.memory import InMemoryUnitOfWork, NeedsDatabase
from shared.eventstore.store import CommandResult
from shared.eventstore.unit_of_work import register_new
from shared.http.commands import Runner
from shared.projections import Projection

ROOT = Path(__file__).resolve().parents[3]


class Correct(BaseModel):
    income_fen: int


class Village(Aggregate):
    stream_prefix = "village"

    def __init__(self, key: str):
        super().__init__(key)
        self.income_fen = 0

    def correct(self, income_fen: int) -> None:
        self.record(VillageIncomeCorrected(code=self.key, district="120221", year="2020", income_fen=income_fen,
                                           previous_fen=self.income_fen, reason="复核 / reviewed"))

    def when_VillageIncomeCorrected(self, event: VillageIncomeCorrected) -> None:
        self.income_fen = event.income_fen


async def correct(uow, cmd: Correct, who: str, *, code: str) -> dict:
    village = await uow.load(Village, code)
    village.correct(cmd.income_fen)
    await uow.save(village)
    return {"code": code, "by": who, "income_fen": village.income_fen}


class OnceStore:
    """Runs a handler on an in-memory unit once per key, as ``EventStore.execute`` promises."""

    def __init__(self):
        self.uow = InMemoryUnitOfWork()
        self.done: dict[str, tuple[str, dict, dict]] = {}

    async def execute(self, name, body, meta, handler, key=None):
        if key in self.done:
            return CommandResult(self.done[key][2], replayed=True)
        result = await handler(self.uow)
        if key:
            self.done[key] = (name, body, result)
        return CommandResult(result, replayed=False)


async def test_runner_finds_the_handler_by_type_passes_context_and_ids_and_answers_once_per_key():
    store, response = OnceStore(), Response()
    response.status_code = None  # type: ignore[assignment]  # as FastAPI hands it over: the route's status applies
    run = Runner(store, {Correct: correct}, CommandMeta(), response, "key-1")  # type: ignore[arg-type]
    first = await run(Correct(income_fen=5), "官员 official", code="120221001001")
    assert first == {"code": "120221001001", "by": "官员 official", "income_fen": 5}
    assert response.status_code is None
    assert store.done["key-1"][:2] == ("Correct", {"code": "120221001001", "income_fen": 5})
    again = await run(Correct(income_fen=5), "官员 official", code="120221001001")
    assert again == first and response.status_code == 200 and len(store.uow.events) == 1


async def test_runner_refuses_a_command_it_has_no_handler_for():
    run = Runner(OnceStore(), {}, CommandMeta(), Response(), None)  # type: ignore[arg-type]
    with pytest.raises(LookupError, match="Correct"):
        await run(Correct(income_fen=1))


async def test_in_memory_unit_rehydrates_given_history_and_checks_the_expected_version():
    uow = InMemoryUnitOfWork()
    await correct(uow, Correct(income_fen=3), "x", code="v1")
    uow.given(Village, "v2", list(uow.events))  # a second stream with the same history
    stale = await uow.load(Village, "v1")
    await correct(uow, Correct(income_fen=4), "x", code="v1")
    assert (await uow.load(Village, "v1")).income_fen == 4 and len(uow.events) == 2
    stale.correct(9)
    with pytest.raises(Conflict):
        await uow.save(stale)
    with pytest.raises(NeedsDatabase):
        uow.conn  # noqa: B018


class Incomes(Projection):
    name, sources, tables = "incomes", ("registry",), ()

    def __init__(self):
        self.seen: list[tuple[int, int]] = []

    async def when_VillageIncomeCorrected(self, conn, event: VillageIncomeCorrected, recorded: RecordedEvent):
        self.seen.append((event.income_fen, recorded.global_position))


def recorded(event_type: str, payload: dict) -> RecordedEvent:
    now = datetime.now(UTC)
    return RecordedEvent(event_id=uuid4(), type=event_type, schema_version=1, source="registry", stream_id="s-1",
                         stream_version=1, global_position=7, occurred_at=now, recorded_at=now,
                         correlation_id=uuid4(), actor="test", payload=payload)


async def test_projection_handles_what_it_has_a_when_for_and_gets_decoded_events():
    projection = Incomes()
    assert Incomes.handles == frozenset({"VillageIncomeCorrected"})
    payload = {"code": "v", "district": "120221", "year": "2020", "income_fen": 42, "previous_fen": 0,
               "reason": "r"}
    await projection.apply(None, recorded("VillageIncomeCorrected", payload))  # type: ignore[arg-type]
    await projection.apply(None, recorded("TeamDissolved", {}))  # type: ignore[arg-type]
    assert projection.seen == [(42, 7)]


class Member(Aggregate):
    stream_prefix = "member"

    def register(self, cmd: Correct) -> None:
        if self.exists:
            raise Conflict(f"{self.key} 已登记 / already registered", field="key")
        self.record(VillageIncomeCorrected(code=self.key, district="120221", year="2020", income_fen=cmd.income_fen,
                                           previous_fen=0, reason="登记 / registered"))

    def when_VillageIncomeCorrected(self, event: VillageIncomeCorrected) -> None:
        pass


async def test_register_new_saves_a_first_command_and_the_aggregate_refuses_a_taken_key():
    uow = InMemoryUnitOfWork()
    member = await register_new(uow, Member, "m1", Correct(income_fen=1))
    assert member.version == 1 and len(uow.events) == 1
    with pytest.raises(Conflict, match="already registered"):
        await register_new(uow, Member, "m1", Correct(income_fen=2))
    assert len(uow.events) == 1


def test_no_handler_reaches_past_its_ports_to_the_connection():
    """Handlers reach their tables through adapters (``handlers/ports.py``), so each one runs
    on the in-memory unit of work; the connection is the adapters' alone."""
    handlers = [p for p in (ROOT / "services").glob("*/handlers/**/*.py")] + \
        list((ROOT / "services").glob("*/handlers.py"))
    assert handlers
    assert [f"{p.relative_to(ROOT)}:{n}" for p in handlers
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if "uow.conn" in line] == []


@pytest.mark.parametrize(("cls", "message", "field"), [
    ("services.registry.domain.village:Village", "未找到村 k / village k not found", "village_code"),
    ("services.registry.domain.teams:Team", "未找到工作队 k / team k not found", "team_id"),
    ("services.assessment.domain.coverage:LowIncomePerson", "未找到低收入人口 k / person k not found", "person_id"),
    ("services.funding.domain.policy:Policy", "未找到政策 k / policy k not found", "policy_id"),
])
def test_one_not_found_for_every_aggregate_looked_up_by_id(cls, message, field):
    import importlib

    module, name = cls.split(":")
    aggregate = getattr(importlib.import_module(module), name)("k")
    with pytest.raises(NotFound) as missing:
        aggregate.require_exists()
    assert (missing.value.message, missing.value.field) == (message, field)
