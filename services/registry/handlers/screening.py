"""Screening runs (精准识别): rank, designate the bottom N, supersede explicitly."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import NotFound

from services.registry.adapters import constraints, eventlog
from services.registry.adapters.locks import register_exclusive
from services.registry.domain.screening import (
    RunScreening,
    ScreeningRun,
    check_supersedes,
    difference,
    rank,
    rederive,
)
from services.registry.domain.teams import Team
from services.registry.domain.village import Village


async def preview_screening(uow: UnitOfWork, quota: int) -> dict:
    """What a run would designate now, and the difference from the run in force. Writes nothing."""
    state = await eventlog.register_state(uow.conn)
    ranking = rank(state.villages.values(), quota)
    head = await eventlog.screening_row(uow.conn)
    added, removed = difference(head[1].designated if head else (), ranking.designated)
    return {"quota": quota, "villages_ranked": len(ranking.ranked), "cutoff_average_fen": ranking.cutoff_average_fen,
            "designated": ranking.designated, "in_force": head[1].run_id if head else None,
            "added": added, "removed": removed}


async def run_screening(uow: UnitOfWork, cmd: RunScreening, default_quota: int) -> dict:
    await register_exclusive(uow.conn)
    head_row = await eventlog.screening_row(uow.conn)
    head = head_row[1] if head_row else None
    check_supersedes(cmd.supersedes, head)
    run = await uow.load(ScreeningRun, cmd.run_id)
    quota = cmd.quota or default_quota
    state = await eventlog.register_state(uow.conn)
    event = run.complete(rank(state.villages.values(), quota), quota, head)
    await uow.save(run)

    villages = await uow.load_many(Village, [*event.added, *event.removed])
    by_code = {r.code: r for r in event.ranked}
    for code in event.added:
        villages[code].designate(event.run_id, by_code[code].rank, by_code[code].average_fen)
    # A village graduated since the run in force is out already (and no longer ranked).
    revoked = [code for code in event.removed if villages[code].designated_by is not None]
    for code in revoked:
        villages[code].revoke(event.run_id, f"筛选批次 {event.run_id} 取代 {head.run_id}，名次 {by_code[code].rank} 高于第 "
                                            f"{quota} 名 / superseded by run {event.run_id}: rank {by_code[code].rank}")
    await uow.save_all(list(villages.values()))

    # A village no longer designated no longer has a team: say so on the team's stream.
    unlinked = await constraints.unlink_villages(uow.conn, revoked)
    teams = await uow.load_many(Team, sorted({team_id for team_id, _ in unlinked.values()}))
    for code, (team_id, district) in sorted(unlinked.items()):
        teams[team_id].unassign(code, district, f"撤销认定（筛选批次 {event.run_id}）/ designation revoked by run {event.run_id}")
    await uow.save_all(list(teams.values()))
    return {"run_id": event.run_id, "quota": quota, "villages_ranked": len(event.ranked),
            "designated": len(event.designated), "cutoff_average_fen": event.cutoff_average_fen,
            "supersedes": event.supersedes, "added": event.added, "removed": event.removed,
            "teams_unassigned": sorted(unlinked)}


async def verify_screening(uow: UnitOfWork, run_id: str) -> dict:
    """Re-derive a stored run from its recorded inputs, and check those inputs against the
    register as it stood when the run was made, and its in/out against the run it replaced."""
    found = await eventlog.screening_row(uow.conn, run_id)
    if found is None:
        raise NotFound(f"未找到筛选批次 {run_id} / screening run {run_id} not found", field="run_id")
    row_id, run = found
    result = rederive(run)
    mismatches = list(result.mismatches)
    register = await eventlog.register_state(uow.conn, before_row=row_id)
    recorded = {r.code: (r.district, dict(r.income_fen)) for r in run.ranked}
    actual = {code: (b.district, b.income_fen) for code, b in register.villages.items()}
    inputs_match = recorded == actual
    if not inputs_match:
        differing = sorted(set(recorded) ^ set(actual) | {c for c in recorded.keys() & actual.keys() if recorded[c] != actual[c]})
        mismatches.append(f"输入与当时的登记不一致 / inputs differ from the register of the time: {differing[:10]}")
    if run.supersedes:
        previous = await eventlog.screening_row(uow.conn, run.supersedes)
        added, removed = difference(previous[1].designated if previous else (), run.designated)
        if (added, removed) != (run.added, run.removed):
            mismatches.append("新增/移出名单与上一批次不符 / in/out lists differ from the superseded run")
    return result.model_copy(update={"matches": not mismatches, "mismatches": mismatches}).model_dump() | {
        "inputs_match_register": inputs_match, "rule": run.rule, "rule_version": run.rule_version,
    }
