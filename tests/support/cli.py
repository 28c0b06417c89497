"""The ``xingcun`` command line run as a child process against a given stack."""

from __future__ import annotations

import os
import subprocess
import sys

from shared.config import REPO_ROOT, Settings


def run_cli(settings: Settings, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run ``xingcun <args>`` on the servers and prefixes of ``settings`` (a private cluster's too)."""
    env = dict(os.environ) | {
        "XINGCUN_STATE_DIR": str(settings.state_dir), "XINGCUN_PG_PORT": str(settings.pg_port), "XINGCUN_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "XINGCUN_DB_PREFIX": settings.db_prefix, "XINGCUN_TOPIC_PREFIX": settings.topic_prefix,
        "COLUMNS": "250",  # tables printed whole, so tests can read them
    }
    return subprocess.run([sys.executable, "-m", "xingcun_cli.main", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
