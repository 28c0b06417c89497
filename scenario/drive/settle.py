"""Waiting for the events to travel: every service's log, as it stands now, applied by
the projections that read it (publicity's statistics, assessment's facts)."""

from __future__ import annotations

import asyncio

from shared.config import SERVICES

from scenario.drive import people
from scenario.drive.client import Api
from scenario.drive.patience import Patience, while_progressing

SETTLING = ("事件传播", "the events to be applied everywhere")


async def heads(api: Api) -> dict[str, int]:
    return {s: (await api.get(s, "/healthz"))["log_position"] or 0 for s in SERVICES}


async def behind(api: Api, target: dict[str, int]) -> list[tuple[str, int]]:
    """What has not yet applied ``target``, and by how many positions:
    ``[("publicity/statistics ← funding (120 < 130)", 10), …]``."""
    out = []
    lag = await api.get("publicity", "/stats/lag")
    for p in lag.get("projections", []):
        for t in p.get("topics", []):
            applied, want = t.get("applied_position") or 0, target.get(t.get("source"), 0)
            if applied < want:
                out.append((f"publicity/{p.get('projection')} ← {t.get('source')} ({applied} < {want})",
                            want - applied))
    try:
        facts = await api.get("assessment", "/facts/status", who=people.assessor(api))
    except Exception:  # noqa: BLE001 — an assessment service without facts has nothing to wait for
        facts = {}
    for source, applied in (facts.get("watermarks") or {}).items():
        want = target.get(source, 0)
        if (applied or 0) < want:
            out.append((f"assessment/facts ← {source} ({applied} < {want})", want - (applied or 0)))
    return out


async def settle(api: Api, patience: Patience | None = None) -> list[str]:
    """Wait until everything committed so far is applied, for as long as the projections keep
    catching up; what is still behind when ``patience`` runs out.

    A service's log position trails its commits a little (the sequencer orders them after
    they commit), so a target once reached is read again: settled means the logs stood
    still while the projections caught up with them."""
    patience = patience or Patience(*SETTLING)
    target = await heads(api)
    late: list[tuple[str, int]] = []

    async def left() -> int | None:
        nonlocal target, late
        late = await behind(api, target)
        if late:
            return sum(n for _, n in late)
        await asyncio.sleep(1.0)
        now = await heads(api)
        if now == target:
            return 0
        target = now  # more was committed meanwhile: how far is measured against it from here on
        patience.aim_anew()
        return None

    return [] if await while_progressing(left, patience) else [what for what, _ in late]
