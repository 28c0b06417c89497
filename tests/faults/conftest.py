"""The fault suite's own PostgreSQL, Kafka and services, and the figures it reports.

Figures of every fault go to ``test-artifacts/faults.json`` (git-ignored), quoted in
docs/reliability.md, and are printed at the end of the run.
"""

from __future__ import annotations

import json
import signal
import time

import pytest

from shared.config import REPO_ROOT
from shared.http.auth import Principal, Role, issue_token
from shared.stack import is_kafka_running, is_postgres_running, start_kafka, start_postgres
from tests.faults.checks import (
    assert_clients_saw_no_error,
    assert_exactly_once,
    assert_rebuild_equals_live,
    assert_topic_order,
    wait_converged,
)
from tests.faults.infra import private_settings, start_private_infra, stop_private_infra
from tests.faults.load import CommandStream
from tests.support.stack import ServiceStack

ARTIFACT = REPO_ROOT / "test-artifacts" / "faults.json"
SERVICES = ("registry", "publicity")
FIGURES: dict = {"faults": {}}


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def private(settings):
    """Settings of the private cluster and broker (same prefixes and secret as the session)."""
    private = private_settings(settings)
    # A run stopped with SIGTERM still tears down (pytest runs finalizers on KeyboardInterrupt):
    # the private cluster and broker must not outlive it.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        FIGURES["infra_start_s"] = round(start_private_infra(private), 1)
        yield private
    finally:
        stop_private_infra(private)
        signal.signal(signal.SIGTERM, previous)
        ARTIFACT.parent.mkdir(exist_ok=True)
        ARTIFACT.write_text(json.dumps(FIGURES, ensure_ascii=False, indent=2) + "\n")


@pytest.fixture(scope="session")
def fault_stack(private, tmp_path_factory):
    stack = ServiceStack(private, tmp_path_factory.mktemp("fault-stack"))
    try:
        yield stack.start(SERVICES)
    finally:
        stack.stop_all()


@pytest.fixture(scope="session")
def city(private) -> dict[str, str]:
    principal = Principal(subject="fault-client", role=Role.city_office)
    return {"Authorization": f"Bearer {issue_token(private, principal)}"}


@pytest.fixture
async def stream(fault_stack, city):
    """A running command stream; the test stops it (or, if it failed first, this does)."""
    running = CommandStream(fault_stack.url("registry"), city).start()
    yield running
    await running.stop()


@pytest.fixture(autouse=True)
def whole_again(request):
    """After each fault, whatever a failed test left down is brought back, so one failure
    does not cascade into the next test."""
    yield
    if "fault_stack" not in request.fixturenames:
        return
    private = request.getfixturevalue("private")
    stack = request.getfixturevalue("fault_stack")
    if not is_postgres_running(private):
        start_postgres(private)
    if not is_kafka_running(private):
        start_kafka(private, 180.0)
    for service in SERVICES:
        if (proc := stack.procs.get(f"{service}-worker")) is None or proc.poll() is not None:
            stack.procs.pop(f"{service}-worker", None)
            stack.start_worker(service)


async def settle_and_check(name: str, private, stack, stream: CommandStream, *, fault_ended: float,
                           **extra) -> dict:
    """Stop the stream, wait for the system to catch up, check everything, record figures."""
    figures = await stream.stop()
    record = FIGURES["faults"][name] = figures.as_dict() | extra
    await wait_converged(private)
    record["recovered_s"] = round(time.monotonic() - fault_ended, 1)
    assert_clients_saw_no_error(figures)
    checked = await assert_exactly_once(private, stack, set(figures.acknowledged))
    record["events_checked"] = checked + await assert_topic_order(private)
    record["events_checked"] += await assert_rebuild_equals_live(private)
    record["rebuild_equals_live"] = True
    print(f"\n{name}: {record}")
    return record


def pytest_runtest_logreport(report):
    # Setup, call and teardown of the fault tests alone, also when the whole suite runs.
    if report.nodeid.startswith("tests/faults/"):
        FIGURES["suite_s"] = round(FIGURES.get("suite_s", 0.0) + report.duration, 1)


def pytest_terminal_summary(terminalreporter):
    if not FIGURES["faults"] and "chaos" not in FIGURES:
        return
    tr = terminalreporter
    tr.section("故障测试数据 / fault-test figures")
    if chaos := FIGURES.get("chaos"):
        tr.write_line(f"chaos: seed {chaos['seed']}, {chaos['faults']} faults {chaos['by_kind']}, "
                      f"{chaos.get('commands_acknowledged', '?')} commands acknowledged, events {chaos.get('events', '?')}")
    for name, f in FIGURES["faults"].items():
        tr.write_line(
            f"{name}: {f['commands_sent']} commands, {f['acknowledged']} acknowledged, {f['503_seen']} × 503, "
            f"{f['connection_errors_seen']} connection errors, {f.get('events_checked', '?')} events checked, "
            f"recovered in {f.get('recovered_s', '?')} s")
    tr.write_line(f"fault suite: {FIGURES.get('suite_s')} s; written to {ARTIFACT.relative_to(REPO_ROOT)}")
