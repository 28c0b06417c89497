"""Waiting for the events to travel: every service's log, as it stands now, applied by
the projections that read it (publicity's statistics, assessment's facts)."""

from __future__ import annotations

import asyncio
import time

from shared.config import SERVICES

from scenario.drive import people
from scenario.drive.client import Api


async def heads(api: Api) -> dict[str, int]:
    return {s: (await api.get(s, "/healthz"))["log_position"] or 0 for s in SERVICES}


async def behind(api: Api, target: dict[str, int]) -> list[str]:
    """What has not yet applied ``target``: ``["publicity/statistics ← funding (120 < 130)", …]``."""
    out = []
    lag = await api.get("publicity", "/stats/lag")
    for p in lag.get("projections", []):
        for t in p.get("topics", []):
            applied, want = t.get("applied_position") or 0, target.get(t.get("source"), 0)
            if applied < want:
                out.append(f"publicity/{p.get('projection')} ← {t.get('source')} ({applied} < {want})")
    try:
        facts = await api.get("assessment", "/facts/status", who=people.assessor(api))
    except Exception:  # noqa: BLE001 — an assessment service without facts has nothing to wait for
        facts = {}
    for source, applied in (facts.get("watermarks") or {}).items():
        if (applied or 0) < target.get(source, 0):
            out.append(f"assessment/facts ← {source} ({applied} < {target[source]})")
    return out


async def settle(api: Api, timeout: float = 600.0) -> list[str]:
    """Wait until everything committed so far is applied; what is still behind after ``timeout``.

    A service's log position trails its commits a little (the sequencer orders them after
    they commit), so a target once reached is read again: settled means the logs stood
    still while the projections caught up with them."""
    target = await heads(api)
    deadline = time.monotonic() + timeout
    while True:
        late = await behind(api, target)
        if not late:
            await asyncio.sleep(1.0)
            now = await heads(api)
            if now == target:
                return []
            target = now
            continue
        if time.monotonic() > deadline:
            return late
        await asyncio.sleep(0.5)
