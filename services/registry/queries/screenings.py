"""Screening runs as the API shows them: the list, one run whole, a preview, a re-derivation."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import NotFound
from shared.money import yuan

from services.registry.domain.screening import difference, rank, rederive
from services.registry.queries.eventlog import register_state, screening_row


def with_yuan(result: dict) -> dict:
    return result | {"cutoff_average_yuan": yuan(result["cutoff_average_fen"])}


async def runs(uow: UnitOfWork) -> dict:
    # Counts from the summary (v2), or from the inline lists of a run recorded as v1.
    rows = [dict(r) for r in await uow.conn.fetch(
        """select payload->>'run_id' as run_id, (payload->>'quota')::int as quota,
                  (payload->>'cutoff_average_fen')::bigint as cutoff_average_fen,
                  coalesce((payload->>'villages_ranked')::int, jsonb_array_length(payload->'ranked')) as villages_ranked,
                  coalesce((payload->>'added_count')::int, jsonb_array_length(payload->'added')) as added,
                  coalesce((payload->>'removed_count')::int, jsonb_array_length(payload->'removed')) as removed,
                  payload->>'supersedes' as supersedes, actor, occurred_at
           from es.events where type = 'ScreeningCompleted' order by id"""
    )]
    in_force = rows[-1]["run_id"] if rows else None
    return {"in_force": in_force, "items": [with_yuan(r) | {"in_force": r["run_id"] == in_force} for r in rows]}


async def _found(uow: UnitOfWork, run_id: str):
    found = await screening_row(uow.conn, run_id)
    if found is None:
        raise NotFound(f"未找到筛选批次 {run_id} / screening run {run_id} not found", field="run_id")
    return found


async def run(uow: UnitOfWork, run_id: str) -> dict:
    """A run whole: inputs, rule, ranking, cut-off (its pages' lists put back)."""
    return (await _found(uow, run_id))[1].model_dump(mode="json")


async def preview(uow: UnitOfWork, quota: int) -> dict:
    """What a run would designate now, and the difference from the run in force. Writes nothing."""
    state = await register_state(uow.conn)
    ranking = rank(state.villages.values(), quota)
    head = await screening_row(uow.conn)
    added, removed = difference(head[1].designated if head else (), ranking.designated)
    return with_yuan({"quota": quota, "villages_ranked": len(ranking.ranked),
                      "cutoff_average_fen": ranking.cutoff_average_fen, "designated": ranking.designated,
                      "in_force": head[1].run_id if head else None, "added": added, "removed": removed})


async def verify(uow: UnitOfWork, run_id: str) -> dict:
    """Re-derive a stored run from its recorded inputs, and check those inputs against the
    register as it stood when the run was made, and its in/out against the run it replaced."""
    row_id, run = await _found(uow, run_id)
    result = rederive(run)
    mismatches = list(result.mismatches)
    register = await register_state(uow.conn, before_row=row_id)
    recorded = {r.code: (r.district, dict(r.income_fen)) for r in run.ranked}
    actual = {code: (b.district, b.income_fen) for code, b in register.villages.items()}
    inputs_match = recorded == actual
    if not inputs_match:
        differing = sorted(set(recorded) ^ set(actual) | {c for c in recorded.keys() & actual.keys() if recorded[c] != actual[c]})
        mismatches.append(f"输入与当时的登记不一致 / inputs differ from the register of the time: {differing[:10]}")
    if run.supersedes:
        previous = await screening_row(uow.conn, run.supersedes)
        added, removed = difference(previous[1].designated if previous else (), run.designated)
        if (added, removed) != (run.added, run.removed):
            mismatches.append("新增/移出名单与上一批次不符 / in/out lists differ from the superseded run")
    return result.model_copy(update={"matches": not mismatches, "mismatches": mismatches}).model_dump() | {
        "inputs_match_register": inputs_match, "rule": run.rule, "rule_version": run.rule_version,
    }
