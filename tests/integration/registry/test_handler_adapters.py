"""One suite for both implementations of what registry's handlers reach through the unit of work:
the constraint tables (``PgConstraints``: the tables and their keys in PostgreSQL) and the
event log (``PgEventLog``: SQL over ``es.events``), and their in-memory twins of
``adapters/memory.py`` that the handlers' unit tests are given. The same calls get the
same answers and the same refusals (type, field and message)."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts import registry as R
from shared.eventstore import CommandMeta
from shared.eventstore.bulk import append_new_streams
from shared.eventstore.errors import Conflict
from shared.eventstore.memory import InMemoryUnitOfWork
from shared.privacy.sealed import Sealed

from services.registry.adapters.constraints import PgConstraints
from services.registry.adapters.memory import InMemoryConstraints, InMemoryEventLog
from services.registry.adapters.schema import CHAIN
from services.registry.queries.eventlog import PgEventLog
from tests.support.contract import BOTH, module_database, over_both, refusal, rolled_back


pool = module_database("reg_adapters", CHAIN)


tables = over_both(InMemoryConstraints, PgConstraints)


async def refused(tables, act) -> tuple[str | None, str]:
    """The conflict a change meets: (field, message)."""
    conflict = await refusal(tables.conn if isinstance(tables, PgConstraints) else None, act, Conflict)
    return conflict.field, conflict.message


async def test_a_village_has_one_team(tables):
    await tables.link_villages([("120119001001", "t1", "120119"), ("120119001002", "t1", "120119")])
    assert await tables.teams_of_villages(["120119001001", "120119009999"]) == {"120119001001": "t1"}
    field, message = await refused(tables, lambda: tables.link_villages([("120119001001", "t2", "120119")]))
    assert field == "village_code" and "already has team t1" in message
    field, message = await refused(tables, lambda: tables.link_villages([("120119001002", "t1", "120119")]))
    assert field == "village_code" and "just assigned" in message
    assert await tables.unlink_villages(["120119001001", "120119009999"]) == {"120119001001": ("t1", "120119")}
    await tables.link_villages([("120119001001", "t2", "120119")])
    assert await tables.teams_of_villages(["120119001001", "120119001002"]) == {"120119001001": "t2",
                                                                               "120119001002": "t1"}


async def test_a_cadre_is_in_one_team_at_a_time(tables):
    await tables.join_cadres("t1", ["c1", "c2"], "member_ids")
    field, message = await refused(tables, lambda: tables.join_cadres("t2", ["c3", "c2"], "add"))
    assert field == "add" and "cadre c2 is in team t1" in message
    field, message = await refused(tables, lambda: tables.join_cadres("t1", ["c1"], "add"))
    assert field == "add" and "just joined" in message
    await tables.leave_cadres("t1", ["c2"])
    await tables.leave_cadres("t2", ["c1"])  # not that team's: stays
    await tables.join_cadres("t2", ["c2"], "add")
    assert await tables.teams_of_cadres(["c1", "c2", "c9"]) == {"c1": "t1", "c2": "t2"}


async def test_a_unit_takes_part_in_two_teams_at_most_and_a_dissolved_team_frees_its_places(tables):
    await tables.take_unit_slots("t1", ["u1", "u2"])
    await tables.take_unit_slots("t2", ["u2", "u1"])
    field, message = await refused(tables, lambda: tables.take_unit_slots("t3", ["u3", "u1"]))
    assert field == "partner_unit_ids" and "unit u1 already takes part in two teams" in message and "t1、t2" in message
    field, message = await refused(tables, lambda: tables.take_unit_slots("t4", ["u4", "u4"]))
    assert field == "lead_unit_id" and "retry" in message
    await tables.join_cadres("t1", ["c1"], "member_ids")
    await tables.link_villages([("120119001001", "t1", "120119")])
    await tables.release_team("t1")
    assert await tables.teams_of_cadres(["c1"]) == {} and await tables.teams_of_villages(["120119001001"]) == {}
    await tables.take_unit_slots("t3", ["u1"])  # the slot t1 left
    field, _ = await refused(tables, lambda: tables.take_unit_slots("t5", ["u1"]))
    assert field == "lead_unit_id"


# The event log: the same streams given to both, read back alike.

A, B, C = "120119000101", "120119000102", "120114000103"
INCOME = {"2018": 100_00, "2019": 110_00, "2020": 120_00}


def villages() -> dict[str, list]:
    def registered(code: str) -> R.VillageRegistered:
        return R.VillageRegistered(code=code, name="村", district=code[:6], town="镇", village_type="agriculture",
                                   income_fen=INCOME, needs=["roads"])

    def designated(code: str) -> R.VillageDesignated:
        return R.VillageDesignated(code=code, district=code[:6], run_id="r1", rank=1, average_fen=110_00)
    return {
        f"village-{A}": [registered(A), designated(A)],
        f"village-{B}": [registered(B), designated(B),
                         R.DesignationRevoked(code=B, district=B[:6], run_id="r1", reason="达标", reason_code="graduated")],
        f"village-{C}": [registered(C), designated(C), R.VillageIncomeCorrected(
            code=C, district=C[:6], year="2020", income_fen=90_00, previous_fen=120_00, reason="漏报")],
    }


def leaves(cadre: str) -> list:
    """Approved (l1), approved with no request on record (l2, older data), approved then withdrawn
    (l3), rejected (l4), only requested (l5), approved long before (l6)."""
    reason = Sealed.clear(f"cadre-{cadre}", "事由")

    def period(leave_id: str, start: date, end: date) -> dict:
        return dict(leave_id=leave_id, cadre_id=cadre, team_id="t1", start=start, end=end, days=(end - start).days + 1)
    l1, l2, l3 = period("l1", date(2021, 5, 3), date(2021, 5, 4)), period("l2", date(2021, 5, 20), date(2021, 6, 2)), \
        period("l3", date(2021, 5, 10), date(2021, 5, 11))
    l4, l5, l6 = period("l4", date(2021, 5, 12), date(2021, 5, 12)), period("l5", date(2021, 5, 14), date(2021, 5, 14)), \
        period("l6", date(2021, 1, 4), date(2021, 1, 5))
    return [R.LeaveRequested(**l1, reason=reason), R.LeaveApproved(**l1, quota_days=10), R.LeaveApproved(**l2),
            R.LeaveRequested(**l3, reason=reason), R.LeaveApproved(**l3),
            R.LeaveCancelled(**l3, was="approved", reason=reason), R.LeaveRequested(**l4, reason=reason),
            R.LeaveRejected(leave_id="l4", cadre_id=cadre, reason=reason), R.LeaveRequested(**l5, reason=reason),
            R.LeaveRequested(**l6, reason=reason), R.LeaveApproved(**l6)]


def network() -> dict[str, list]:
    def formed(team_id: str, district: str) -> R.WorkTeamFormed:
        return R.WorkTeamFormed(team_id=team_id, lead_unit_id="u1", partner_unit_ids=["u2"], member_ids=["c1"],
                                first_secretary_id="c1", district=district)
    return {
        "unit-u1": [R.UnitRegistered(unit_id="u1", name="市单位", level="city", strengths=["agriculture"])],
        "unit-u2": [R.UnitRegistered(unit_id="u2", name="区单位", level="district", district="120119",
                                     strengths=["finance"])],
        "team-t1": [formed("t1", "120119")],
        "team-t2": [formed("t2", "120114")],
        "team-t3": [formed("t3", "120119"), R.TeamDissolved(
            team_id="t3", district="120119", lead_unit_id="u1", partner_unit_ids=["u2"], member_ids=["c1"],
            first_secretary_id="c1", villages=[], dissolved_on=date(2021, 5, 1), reason="撤销")],
        "cadre-c1": [R.CadreRegistered(cadre_id="c1", unit_id="u1", name=Sealed.clear("cadre-c1", "甲"),
                                       title=Sealed.clear("cadre-c1", "科员"))],
        "cadre-c2": [R.CadreRegistered(cadre_id="c2", unit_id="u2", name=Sealed.clear("cadre-c2", "乙"),
                                       title=Sealed.clear("cadre-c2", "科员")), *leaves("c2")],
        "presence-c1-2021-04": [R.CadrePresenceLogged(cadre_id="c1", team_id="t1", village_code=A,
                                                      day=date(2021, 4, d), togethers=["eat"]) for d in (2, 3)],
    }


def runs() -> dict[str, list]:
    ranked = [R.RankedVillage(code=A, district=A[:6], income_fen=INCOME, average_fen=110_00, rank=1)]
    common = dict(rule="bottom_n_by_average_2018_2020", rule_version=1, tie_break="average asc, code asc", quota=1,
                  cutoff_average_fen=110_00, villages_ranked=1, designated_count=1)
    return {
        "screening-r1": [R.ScreeningCompleted(run_id="r1", ranked=ranked, designated=[A], **common)],
        "screening-r2": [R.ScreeningRankedPage(run_id="r2", page=1, pages=1, ranked=ranked, designated=[A]),
                         R.ScreeningCompleted(run_id="r2", supersedes="r1", pages=1, **common)],
    }


@pytest.fixture(params=BOTH)
async def log(request, pool):
    """(event log, constraint tables) over the same streams, village A served by t1."""
    streams = villages() | network() | runs()
    if request.param == "memory":
        uow = InMemoryUnitOfWork()
        uow.streams.update(streams)
        tables = InMemoryConstraints()
        await tables.link_villages([(A, "t1", "120119")])
        yield InMemoryEventLog(uow, tables), tables
        return
    async with rolled_back(pool) as conn:
        await append_new_streams(conn, list(streams.items()), CommandMeta(actor="test"))
        tables = PgConstraints(conn)
        await tables.link_villages([(A, "t1", "120119")])
        yield PgEventLog(conn), tables


async def test_the_register_and_the_run_in_force_are_read_alike(log):
    events, _ = log
    state = await events.register_state()
    assert sorted(state.villages) == [C, A]  # B graduated: screened no more
    assert state.villages[C].income_fen["2020"] == 90_00
    head = await events.screening_head()
    assert (head.run_id, head.supersedes, head.designated, [r.code for r in head.ranked]) == ("r2", "r1", [A], [A])
    assert await events.run_in_force() == "r2"


async def test_cadres_and_their_presence_are_read_alike(log):
    events, _ = log
    assert sorted(await events.registered_cadres()) == ["c1", "c2"]
    assert await events.presence_days(["c1", "c2"], "2021-04") == {"c1": 2}
    assert await events.presence_days(["c1"], "2021-05") == {}


async def test_a_cadres_approved_leaves_are_read_alike(log):
    events, _ = log
    may, after = (date(2021, 5, 1), date(2021, 5, 31)), (date(2021, 6, 2), date(2021, 6, 30))
    on_record = await events.cadres_on_record(["c1", "c2", "c9"], *may)
    assert set(on_record) == {"c1", "c2"}  # c9 has no stream
    assert on_record["c1"].spans == ()
    assert on_record["c2"].spans == ((date(2021, 5, 3), date(2021, 5, 4)), (date(2021, 5, 20), date(2021, 6, 2)))
    assert [on_record["c2"].cover(date(2021, 5, d)) for d in (2, 3, 4, 5, 10, 12, 14, 31)] == [
        False, True, True, False, False, False, False, True]
    assert (await events.cadres_on_record(["c2"], *after))["c2"].spans == ((date(2021, 5, 20), date(2021, 6, 2)),)
    assert await events.cadres_on_record(["c9"], *after) == {}


async def test_matching_sees_the_same_teams_with_room_and_villages_without_a_team(log):
    events, tables = log
    profiles = await events.team_profiles(["120119"])
    assert [(p.team_id, p.villages, p.lead_strengths, p.partner_strengths) for p in profiles] == [
        ("t1", 1, frozenset({"agriculture"}), frozenset({"finance"}))]
    assert [p.team_id for p in await events.team_profiles([])] == ["t1", "t2"]
    assert [(v.code, v.needs) for v in await events.unserved_villages([])] == [(C, frozenset({"roads"}))]
    await tables.link_villages([(C, "t2", "120114")])
    assert await events.unserved_villages(["120114"]) == []
    await tables.link_villages([("120119000104", "t1", "120119")])
    assert await events.team_profiles(["120119"]) == []  # t1 serves two
