"""Settings of every process, read from the environment (prefix ``XINGCUN_``).

One object, so that the local stack, the tests, docker-compose and Kubernetes
all configure the same names.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("registry", "funding", "assessment", "publicity", "monitoring")
REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XINGCUN_", extra="ignore")

    # Where the local stack keeps its state (databases, broker data, logs, pids).
    state_dir: Path = REPO_ROOT / ".state"

    pg_host: str = "127.0.0.1"
    pg_port: int = 55432
    # The owner: creates the databases, owns every schema and runs the migrations (and the
    # CLI's backup, restore and rebuilds).
    pg_user: str = "xingcun"
    pg_password: str = "xingcun"
    # What the services' APIs and workers connect as once migrated: everything on their own
    # tables, but only SELECT and INSERT on the event log (es.events, es.log) — it cannot
    # rewrite, delete or truncate history (the grants hook of the migrations, shared/migrations). Set it to
    # pg_user to run with one role.
    pg_app_user: str = "xingcun_app"
    pg_app_password: str = "xingcun_app"
    # Each service owns one database named <db_prefix><service>.
    db_prefix: str = "xingcun_"

    kafka_bootstrap: str = "127.0.0.1:19092"
    kafka_controller_port: int = 19093
    # How the clients authenticate (docs/kafka.md "Authentication and ACLs"). Unset protocol:
    # SASL_PLAINTEXT when a username is set or the local stack keeps credentials in the state
    # dir (kafka/credentials.json), else PLAINTEXT. Unset username with local credentials: the
    # local stack's super user ``admin`` (the CLI, the tests' administration); the stack gives
    # each service process its own principal. A set username without a password takes it from
    # the local credentials (development only); deployments set both from their secret.
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] | None = None
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256"] = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    # SASL_SSL: the CA that signed the brokers' certificates (Strimzi's cluster CA); unset: the system's.
    kafka_ssl_cafile: Path | None = None
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
    monitoring_port: int = 8005

    # OpenTelemetry: "none", "console" (stderr, or a file given by otel_console_path) or "otlp".
    otel_exporter: str = "none"
    otel_console_path: Path | None = None
    otel_otlp_endpoint: str = "http://127.0.0.1:4318/v1/traces"

    # Public figures never single out a person: counts of people below this are suppressed in
    # every public answer, the others rounded to a multiple of it (publicity's
    # domain/disclosure.py); 1 turns it off. Authenticated officials read exact figures.
    public_min_count: int = Field(5, ge=1, le=100)
    # The host name the public reaches publicity by (the ingress's): requests for it get public
    # reads alone (publicity's entrypoints/public_edge.py). Unset: no such host (local, compose).
    public_host: str | None = None

    # The public live feed (publicity's /stats/feed): open connections in all, and per client address.
    feed_max_connections: int = Field(1_000, ge=1)
    feed_max_per_client: int = Field(8, ge=1)

    # Largest request body an endpoint accepts unless it declares its own (uploads).
    max_body_bytes: int = 1024 * 1024

    # Commands (POST/PUT/PATCH/DELETE) in flight per API process beyond which the next is
    # answered 503 with Retry-After at once (shared/http/admission.py); 0: no limit.
    max_in_flight_commands: int = 64
    # Commands are answered 503 with Retry-After while the oldest event the service accepted
    # and the figure readers (publicity's worker) have not yet consumed is older than this
    # (shared/http/backlog.py), and from a quarter of it on beyond what the pipeline carries
    # in three quarters of it (shared/http/pace.py); 0: off. Off here, on in deploy/ (k8s, compose): a developer's
    # or a test's burst is not refused; production keeps the queue short.
    admission_max_backlog_seconds: float = Field(0.0, ge=0)
    # Monitoring's day close waits at most this long for its watch to read the facts already
    # on the topics when the close arrived, then answers 503 with Retry-After, closing nothing
    # (services/monitoring/entrypoints/facts_read.py).
    day_close_wait_seconds: float = Field(5.0, ge=0)

    # "production" refuses to start without a configured token key (no invented secret).
    env: str = "development"

    # Token keys, one of: a JWKS URL (keys rotate: an unknown ``kid`` makes it fetch again),
    # a static RS256/ES256 public key (PEM), or an HS256 secret. Without any, development
    # invents a secret kept in the state directory; production refuses to start.
    jwt_secret: str | None = None
    jwt_public_key: str | None = None
    jwt_jwks_url: str | None = None
    jwt_jwks_cache_seconds: int = Field(300, ge=0, le=86_400)
    # At most one fetch for an unknown kid per this many seconds: tokens with made-up kids
    # cannot make every request fetch the key set.
    jwt_jwks_cooldown_seconds: float = Field(30, ge=0, le=3600)
    # Checked when set: a token must name this issuer and this audience.
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    # The longest lifetime (exp - iat) a token may claim.
    jwt_max_ttl_seconds: int = Field(24 * 3600, ge=60)

    # Business time (X-Occurred-At): anyone may state a time up to this many days back; the
    # roles that may back-date (shared/http/business_time.py) go further, down to the
    # programme's start, with X-Backdate-Reason. Never in the future beyond the clock skew.
    backdate_window_days: int = Field(31, ge=0)
    clock_skew_seconds: int = Field(300, ge=0, le=3600)

    def dsn(self, service: str) -> str:
        return self.dsn_for(self.db_prefix + service)

    def dsn_for(self, database: str) -> str:
        return (
            f"postgresql://{self.pg_user}:{self.pg_password}"
            f"@{self.pg_host}:{self.pg_port}/{database}"
        )

    def app_dsn(self, service: str) -> str:
        """The service's database, as the application role."""
        return self.app_dsn_for(self.db_prefix + service)

    def app_dsn_for(self, database: str) -> str:
        return f"postgresql://{self.pg_app_user}:{self.pg_app_password}@{self.pg_host}:{self.pg_port}/{database}"

    def topic(self, service: str) -> str:
        return f"{self.topic_prefix}{service}.events"

    def quarantine_topic(self, service: str) -> str:
        """Where a worker announces a record its projection held aside (``proj.quarantine``)."""
        return f"{self.topic_prefix}{service}.quarantine"

    def port(self, service: str) -> int:
        return getattr(self, f"{service}_port")


@lru_cache
def get_settings() -> Settings:
    return Settings()
