"""A private PostgreSQL cluster and Kafka broker for the fault tests.

The faults (broker stopped, database restarted) must not disturb the shared stack other
tests use, so the fault suite runs its own on free ports with a state directory of its
own, started and stopped with the same functions as ``xingcun stack``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from shared.config import Settings
from shared.stack import ensure_kafka, ensure_postgres, stop_kafka, stop_postgres
from shared.stack import kafka as kafka_stack
from shared.stack import postgres as pg_stack
from tests.support.stack import free_port


def private_settings(base: Settings) -> Settings:
    # Short and world-traversable: the postgres user must reach the data directory,
    # and the socket path must stay under the kernel's ~107 bytes.
    state = Path(tempfile.mkdtemp(prefix="xingcun-faults-"))
    state.chmod(0o755)
    controller = free_port()
    kafka_port = free_port()
    while controller == kafka_port:
        kafka_port = free_port()
    return base.model_copy(update={
        "state_dir": state,
        "pg_port": free_port(),
        "kafka_bootstrap": f"127.0.0.1:{kafka_port}",
        "kafka_controller_port": controller,
    })


def _share_broker_jars(private: Settings) -> None:
    """Use the jars the shared stack already fetched instead of asking Maven again."""
    shared_libs = kafka_stack.libs_dir(Settings())
    if (shared_libs / f".kafka-{kafka_stack.KAFKA_VERSION}").exists():
        target = kafka_stack.libs_dir(private)
        if not target.exists():
            os.symlink(shared_libs, target)


def start_private_infra(private: Settings) -> float:
    """Start both; returns seconds taken."""
    started = time.monotonic()
    ensure_postgres(private)
    _share_broker_jars(private)
    ensure_kafka(private, timeout=180.0)  # generous: a JVM on a busy 2-core machine
    return time.monotonic() - started


def stop_private_infra(private: Settings) -> None:
    try:
        stop_kafka(private)
    finally:
        stop_postgres(private)
        data = pg_stack.data_dir(private)
        if private.state_dir.resolve() not in data.parents:
            shutil.rmtree(data.parent, ignore_errors=True)  # placed under /var/tmp for the postgres user
        shutil.rmtree(private.state_dir, ignore_errors=True)
