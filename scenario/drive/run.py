"""The whole programme, stage by stage, with a progress bar and a summary at the end.

The order follows the programme's own dependencies: the register and the network first;
budget lines; projects and their milestones (allocations name those milestones); money;
outcomes; and, once every event has been applied everywhere, the annual assessments
(computed from the history as of each year's end).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from scenario import alerts
from scenario.drive import assessment, funding, registry
from scenario.drive.client import Api
from scenario.drive.patience import CEILING_SECONDS, STALL_SECONDS, Patience
from scenario.drive.settle import SETTLING, heads, settle
from scenario.drive.stage import Stage, run_stage
from scenario.model import Scenario


@dataclass
class Summary:
    rows: list[tuple[str, int, dict, float]] = field(default_factory=list)  # stage, planned, tally, seconds
    seconds: float = 0.0
    events: dict[str, int] = field(default_factory=dict)
    not_settled: list[str] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)  # seconds of each wait for the events to be applied
    stopped_at: str | None = None  # the stage whose failures stopped the run

    @property
    def failed(self) -> int:
        return sum(t.get("failed", 0) for _, _, t, _ in self.rows)


def plan(s: Scenario, api: Api) -> list[list[Stage] | str]:
    return [
        registry.stages(s, api),
        funding.setup_stages(s, api),
        assessment.work_stages(s, api),
        [funding.allocation_stage(s, api), funding.disbursement_stage(s, api), assessment.cancellation_stage(s, api),
         registry.rescreening_stage(s, api)],
        assessment.outcome_stages(s, api),
        "settle",
        [assessment.annual_stage(s, api)],
        "settle",
        [alerts.days_stage(s, api)],
    ]


async def drive(s: Scenario, api: Api, console: Console, only: set[str] | None = None,
                settle_stall: float = STALL_SECONDS, settle_ceiling: float = CEILING_SECONDS,
                without: frozenset[str] = frozenset()) -> Summary:
    """``only``/``without``: stages (or services, the part of a stage's name before the dot)
    to run, or to leave out. Each wait for the events to be applied gives up after
    ``settle_stall`` seconds without progress, or ``settle_ceiling`` in all."""
    summary = Summary()
    started = time.monotonic()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        for step in plan(s, api):
            if summary.stopped_at:
                break
            if step == "settle":
                task = progress.add_task("等待事件传播 / waiting for the events to be applied everywhere", total=None)
                t0 = time.monotonic()
                summary.not_settled = await settle(api, Patience(
                    *SETTLING, stall=settle_stall, ceiling=settle_ceiling, say=progress.console.print))
                summary.waits.append(time.monotonic() - t0)
                progress.update(task, total=1, completed=1)
                continue
            for stage in step:
                if only and stage.name.split(".")[0] not in only and stage.name not in only:
                    continue
                if stage.name in without or stage.name.split(".")[0] in without:
                    continue
                t0 = time.monotonic()
                await run_stage(api, stage, progress)
                tally = dict(api.tally.by_stage.get(stage.name, {}))
                summary.rows.append((stage.name, stage.total, tally, time.monotonic() - t0))
                if tally.get("failed"):
                    # Later stages build on this one (a month's allowances on its check-ins): stop here.
                    summary.stopped_at = stage.name
                    break
    summary.seconds = time.monotonic() - started
    summary.events = await heads(api)
    return summary


def show(summary: Summary, api: Api, console: Console) -> None:
    table = Table(title="情景运行结果 / scenario run")
    table.add_column("阶段 / stage", no_wrap=True)
    for col in ("计划\nplanned", "新建\ncreated", "已有/完成\nok", "等待\nwaited", "失败\nfailed", "秒\ns"):
        table.add_column(col, justify="right")
    for name, planned, tally, seconds in summary.rows:
        table.add_row(name, str(planned), str(tally.get("created", 0)), str(tally.get("ok", 0)),
                      str(tally.get("waited", 0)), str(tally.get("failed", 0)), f"{seconds:.1f}")
    console.print(table)
    if summary.waits:
        console.print("等待事件传播用时 / waiting for the events to be applied took " +
                      ", ".join(f"{w:.1f} s" for w in summary.waits))
    console.print("事件日志 / events in each service's log: " +
                  ", ".join(f"{k} {v:,}" for k, v in summary.events.items()) +
                  f"；用时 / took {summary.seconds:.0f} s")
    if summary.stopped_at:
        console.print(f"[red]在 {summary.stopped_at} 阶段出错后停止；排除原因后重新运行，已完成的命令不会重复 / stopped "
                      f"after failures in {summary.stopped_at}: fix the cause and run again — what was done is not "
                      f"done twice[/red]")
    if summary.not_settled:
        console.print("[yellow]尚未传播完 / still behind:[/yellow] " + "; ".join(summary.not_settled[:5]))
    for f in api.tally.failures[:20]:
        console.print(f"[red]{f.stage} {f.status}[/red] {f.key}: {f.detail[:300]}")
    if len(api.tally.failures) > 20:
        console.print(f"[red]… 另有 {len(api.tally.failures) - 20} 条失败 / more failures[/red]")
