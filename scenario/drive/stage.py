"""A stage: chains of commands that run concurrently, each chain in order (the commands
of one aggregate, e.g. a leave request and its decision). Stages run one after another."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rich.progress import Progress

from scenario.drive.client import Api

Chain = Callable[[], Awaitable[None]]


@dataclass
class Stage:
    name: str  # e.g. registry.villages, also the tally's key
    label: str  # shown on the progress bar, Chinese first
    chains: list[Chain]
    total: int  # commands, for the progress bar


async def run_stage(api: Api, stage: Stage, progress: Progress | None) -> None:
    task = progress.add_task(stage.label, total=stage.total) if progress else None
    if progress is not None:
        api.advance = lambda name: progress.advance(task) if name == stage.name else None
    pending = iter(stage.chains)

    async def worker() -> None:
        for chain in pending:  # one shared iterator: each chain runs once
            await chain()

    await asyncio.gather(*(worker() for _ in range(max(1, min(api.concurrency, len(stage.chains))))))
    if progress is not None:
        progress.update(task, completed=stage.total)
