"""Screening runs (精准识别): rank, designate the bottom N, supersede explicitly."""

from __future__ import annotations

from shared.eventstore import UnitOfWork

from services.registry.domain.screening import RunScreening, ScreeningRun, check_supersedes, rank
from services.registry.domain.teams import Team
from services.registry.domain.village import Village
from services.registry.handlers.ports import constraints, event_log, register_lock


async def run_screening(uow: UnitOfWork, cmd: RunScreening, default_quota: int) -> dict:
    await register_lock(uow).exclusive()
    head = await event_log(uow).screening_head()
    check_supersedes(cmd.supersedes, head)
    run = await uow.load(ScreeningRun, cmd.run_id)
    quota = cmd.quota or default_quota
    state = await event_log(uow).register_state()
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
    unlinked = await constraints(uow).unlink_villages(revoked)
    teams = await uow.load_many(Team, sorted({team_id for team_id, _ in unlinked.values()}))
    for code, (team_id, district) in sorted(unlinked.items()):
        teams[team_id].unassign(code, district, f"撤销认定（筛选批次 {event.run_id}）/ designation revoked by run {event.run_id}")
    await uow.save_all(list(teams.values()))
    return {"run_id": event.run_id, "quota": quota, "villages_ranked": len(event.ranked),
            "designated": len(event.designated), "cutoff_average_fen": event.cutoff_average_fen,
            "supersedes": event.supersedes, "added": event.added, "removed": event.removed,
            "teams_unassigned": sorted(unlinked)}

