"""The local stack (PostgreSQL, Kafka, the four services) started by the project itself.

Used by ``xingcun stack ...`` and by test fixtures, e.g. a fault test calls
``stop_kafka(settings)`` and later ``start_kafka(settings)``.
"""

from shared.stack.kafka import ensure_kafka, is_kafka_running, start_kafka, stop_kafka
from shared.stack.postgres import ensure_postgres, is_postgres_running, restart_postgres, start_postgres, stop_postgres
from shared.stack.processes import (
    StackError,
    is_running,
    start_process,
    stop_process,
    stop_processes,
    wait_http_ok,
)
from shared.stack.services import start_services, stop_services


def ensure_infra(settings=None) -> None:
    """PostgreSQL and Kafka, each started only if not already running."""
    ensure_postgres(settings)
    ensure_kafka(settings)


__all__ = [
    "StackError", "ensure_infra", "ensure_kafka", "ensure_postgres", "is_kafka_running",
    "is_postgres_running", "is_running", "restart_postgres", "start_kafka", "start_postgres",
    "start_process", "start_services", "stop_kafka", "stop_postgres", "stop_process",
    "stop_processes", "stop_services", "wait_http_ok",
]
