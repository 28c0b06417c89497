"""Settings of every process, read from the environment (prefix ``XINGCUN_``).

One object, so that the local stack, the tests, docker-compose and Kubernetes
all configure the same names.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("registry", "funding", "assessment", "publicity")
REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XINGCUN_", extra="ignore")

    # Where the local stack keeps its state (databases, broker data, logs, pids).
    state_dir: Path = REPO_ROOT / ".state"

    pg_host: str = "127.0.0.1"
    pg_port: int = 55432
    pg_user: str = "xingcun"
    pg_password: str = "xingcun"
    # Each service owns one database named <db_prefix><service>.
    db_prefix: str = "xingcun_"

    kafka_bootstrap: str = "127.0.0.1:19092"
    kafka_controller_port: int = 19093
    # Topics are <topic_prefix><service>.events; tests use a prefix of their own.
    topic_prefix: str = ""
    topic_partitions: int = 3
    # How the topics are declared in this environment. Replication factor 1 fits only a
    # single broker (the local stack, compose); Kubernetes declares 3 and 2 (KafkaTopics),
    # and there topic_create is false: the processes check the topics exist and never make one.
    topic_replication_factor: int = Field(1, ge=1)
    topic_min_insync_replicas: int = Field(1, ge=1)
    topic_create: bool = True
    # A projection applies at most one batch every this many seconds; the first record after
    # a quiet spell goes at once. 0 makes every record a transaction in every worker: the
    # scenario ran ≈ 40 % slower for a latency gain of a few ms at most (docs/benchmarks.md).
    batch_spacing: float = Field(0.01, ge=0, le=1)

    registry_port: int = 8001
    funding_port: int = 8002
    assessment_port: int = 8003
    publicity_port: int = 8004

    # OpenTelemetry: "none", "console" (stderr, or a file given by otel_console_path) or "otlp".
    otel_exporter: str = "none"
    otel_console_path: Path | None = None
    otel_otlp_endpoint: str = "http://127.0.0.1:4318/v1/traces"

    # Largest request body an endpoint accepts unless it declares its own (uploads).
    max_body_bytes: int = 1024 * 1024

    # HS256 secret for development tokens; production configures RS256 public keys.
    jwt_secret: str | None = None
    jwt_public_key: str | None = None

    def dsn(self, service: str) -> str:
        return self.dsn_for(self.db_prefix + service)

    def dsn_for(self, database: str) -> str:
        return (
            f"postgresql://{self.pg_user}:{self.pg_password}"
            f"@{self.pg_host}:{self.pg_port}/{database}"
        )

    def topic(self, service: str) -> str:
        return f"{self.topic_prefix}{service}.events"

    def port(self, service: str) -> int:
        return getattr(self, f"{service}_port")


@lru_cache
def get_settings() -> Settings:
    return Settings()
