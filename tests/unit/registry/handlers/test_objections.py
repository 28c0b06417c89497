"""公示期异议 / the designated list's objection window: the aggregate's rules in full, and the
handlers on an in-memory unit of work — every refusal (decided before the run in force and the
data keys are read), and what is accepted with the twins of the event log and the keys given."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from shared.contracts.registry import (
    ObjectionAnswered,
    ObjectionLodged,
    ObjectionWindowOpened,
    ScreeningCompleted,
    VillageRegistered,
)
from shared.eventstore import CommandMeta
from shared.eventstore.errors import Conflict, Forbidden, NotFound
from shared.eventstore.memory import InMemoryUnitOfWork
from shared.identity import Principal, Role
from shared.privacy.keys import PgDataKeys
from shared.privacy.memory import InMemoryDataKeys
from shared.privacy.sealed import Sealed

from services.registry import handlers
from services.registry.adapters.constraints import PgConstraints
from services.registry.adapters.locks import PgRegisterLock
from services.registry.adapters.memory import InMemoryConstraints, InMemoryEventLog, InMemoryRegisterLock
from services.registry.domain.objections import (
    AnswerObjection,
    ConfirmDesignation,
    DesignationObjections,
    LodgeObjection,
    OpenObjectionWindow,
)
from services.registry.domain.screening import ScreeningRun
from services.registry.domain.village import Village
from services.registry.handlers.access import SYSTEM, Access
from services.registry.queries.eventlog import PgEventLog

RUN, CODE = "run-1", "120119000001"
OPENS = date(2021, 3, 2)
WINDOW = ObjectionWindowOpened(run_id=RUN, opens_on=OPENS, closes_on=OPENS + timedelta(6), days=7, designated_count=2)
OBJECTION = LodgeObjection(objection_id="o1", village_code=CODE, objector="王某", grounds="本村收入统计有误")
CLERK = Access(Principal(subject="official-120119", role=Role.district_official, district="120119"))


def sealing(text: str) -> Sealed:
    return Sealed(key="objection-test", nonce="n", data=f"<{len(text)} sealed>")


def on(day: date) -> CommandMeta:
    return CommandMeta(actor="test", occurred_at=datetime(day.year, day.month, day.day, 4, tzinfo=UTC))


def lodged(objection_id: str = "o1", by: str = CLERK.principal.subject) -> ObjectionLodged:
    return ObjectionLodged(run_id=RUN, objection_id=objection_id, village_code=CODE, district="120119", listed=True,
                           objector=sealing("王某"), grounds=sealing("理由"), lodged_on=OPENS, lodged_by=by)


def answered(outcome: str) -> ObjectionAnswered:
    return ObjectionAnswered(run_id=RUN, objection_id="o1", village_code=CODE, district="120119", outcome=outcome,
                             reason=sealing("r"), answered_on=OPENS)


def given(*events, day: date = OPENS) -> InMemoryUnitOfWork:
    uow = InMemoryUnitOfWork(on(day))
    uow.given(DesignationObjections, RUN, events)
    uow.given(Village, CODE, [VillageRegistered(code=CODE, name="甲村", district="120119", town="镇",
                                                village_type="agriculture",
                                                income_fen={"2018": 1, "2019": 1, "2020": 1})])
    return uow


def test_objections_are_lodged_in_the_window_answered_and_the_list_confirmed_after_it():
    objections = DesignationObjections(RUN)
    objections.open(OPENS, 7, 2)
    objections.lodge(OBJECTION, "120119", True, OPENS + timedelta(6), "clerk", sealing)
    objections.answer("o1", AnswerObjection(outcome="dismissed", reason="经核实统计无误"), OPENS + timedelta(8),
                      "city", sealing)
    objections.confirm(OPENS + timedelta(7))
    types = [type(e).__name__ for e in objections.pending]
    assert types == ["ObjectionWindowOpened", "ObjectionLodged", "ObjectionAnswered", "DesignationConfirmed"]
    opened, lodge, answer, confirmed = objections.pending
    assert (opened.opens_on, opened.closes_on) == (date(2021, 3, 2), date(2021, 3, 8))
    # Who objected, and why, travel sealed: nothing of them in clear.
    assert "王某" not in lodge.model_dump_json() and "统计" not in answer.model_dump_json()
    assert (confirmed.objections, confirmed.designated_count) == (1, 2)


async def test_a_window_opens_once_and_only_for_a_run_that_exists():
    uow = given(WINDOW)
    uow.given(ScreeningRun, RUN, [ScreeningCompleted(
        run_id=RUN, rule="r", rule_version=1, tie_break="t", quota=2, cutoff_average_fen=1, villages_ranked=4,
        designated_count=2)])
    with pytest.raises(Conflict, match="opened on 2021-03-02"):
        await handlers.open_objection_window(uow, OpenObjectionWindow(), 7, run_id=RUN)
    with pytest.raises(NotFound, match="run-2"):
        await handlers.open_objection_window(uow, OpenObjectionWindow(), 7, run_id="run-2")
    assert uow.events == []


@pytest.mark.parametrize(("history", "day", "cmd", "refusal", "message"), [
    ((), OPENS, OBJECTION, Conflict, "no objection window"),
    ((WINDOW,), OPENS - timedelta(1), OBJECTION, Conflict, "not on 2021-03-01"),
    ((WINDOW,), OPENS + timedelta(7), OBJECTION, Conflict, "not on 2021-03-09"),
    ((WINDOW, lodged()), OPENS, OBJECTION, Conflict, "objection o1 exists"),
    ((WINDOW,), OPENS, OBJECTION.model_copy(update={"village_code": "120119999999"}), NotFound, "120119999999"),
])
async def test_an_objection_outside_the_window_or_twice_is_refused(history, day, cmd, refusal, message):
    uow = given(*history, day=day)
    with pytest.raises(refusal, match=message):
        await handlers.lodge_objection(uow, cmd, CLERK, run_id=RUN)
    assert uow.events == []


@pytest.mark.parametrize(("history", "who", "objection", "refusal", "message"), [
    ((WINDOW, lodged()), CLERK, "o1", Forbidden, "may not answer it"),
    ((WINDOW, lodged()), SYSTEM, "o9", NotFound, "o9"),
    ((WINDOW, lodged(), answered("dismissed")), SYSTEM, "o1", Conflict, "was answered"),
])
async def test_an_objection_is_answered_once_and_never_by_who_recorded_it(history, who, objection, refusal, message):
    uow = given(*history)
    with pytest.raises(refusal, match=message):
        await handlers.answer_objection(uow, AnswerObjection(outcome="upheld", reason="情况属实"), who, run_id=RUN,
                                        objection_id=objection)
    assert uow.events == []


def with_twins(uow: InMemoryUnitOfWork, *runs: ScreeningCompleted) -> InMemoryDataKeys:
    for run in runs:
        uow.given(ScreeningRun, run.run_id, [run])
    tables = uow.provide(PgConstraints, InMemoryConstraints())
    uow.provide(PgEventLog, InMemoryEventLog(uow, tables))
    uow.provide(PgRegisterLock, InMemoryRegisterLock())
    return uow.provide(PgDataKeys, InMemoryDataKeys())


def completed(run_id: str, supersedes: str | None = None) -> ScreeningCompleted:
    return ScreeningCompleted(run_id=run_id, supersedes=supersedes, rule="r", rule_version=1, tie_break="t", quota=2,
                              cutoff_average_fen=1, villages_ranked=4, designated_count=2)


async def test_an_objection_to_the_run_in_force_is_lodged_and_answered_sealed():
    uow = given(WINDOW)
    keys = with_twins(uow, completed(RUN))
    await handlers.lodge_objection(uow, OBJECTION, CLERK, run_id=RUN)
    await handlers.answer_objection(uow, AnswerObjection(outcome="dismissed", reason="经核实统计无误"), SYSTEM,
                                    run_id=RUN, objection_id="o1")
    lodge, answer = uow.events
    show = await keys.opener([lodge.objector.key])
    assert (show(lodge.objector), show(answer.reason)) == ("王某", "经核实统计无误")
    assert "王某" not in lodge.model_dump_json()


async def test_an_objection_to_a_superseded_run_is_refused():
    uow = given(WINDOW)
    with_twins(uow, completed(RUN), completed("run-2", supersedes=RUN))
    with pytest.raises(Conflict, match="superseded by run-2") as refused:
        await handlers.lodge_objection(uow, OBJECTION, CLERK, run_id=RUN)
    assert refused.value.field == "run_id" and uow.events == []


async def test_the_list_is_confirmed_only_after_the_window_with_every_objection_answered_and_none_upheld():
    after = OPENS + timedelta(7)
    for history, day, message in [
        ((), after, "no objection window"),
        ((WINDOW,), OPENS + timedelta(6), "runs to 2021-03-08"),
        ((WINDOW, lodged()), after, r"not yet answered: \['o1'\]"),
        ((WINDOW, lodged(), answered("upheld")), after, "new screening run"),
    ]:
        uow = given(*history, day=day)
        with pytest.raises(Conflict, match=message):
            await handlers.confirm_designation(uow, ConfirmDesignation(), run_id=RUN)
        assert uow.events == []


def test_bad_input_is_refused_by_field():
    with pytest.raises(ValidationError, match="outcome"):
        AnswerObjection(outcome="maybe", reason="理由")
    with pytest.raises(ValidationError, match="objector"):
        LodgeObjection(objection_id="o1", village_code=CODE, objector="", grounds="理由")
    with pytest.raises(ValidationError, match="village_code"):
        LodgeObjection(objection_id="o1", village_code="12011900001", objector="王某", grounds="理由")
