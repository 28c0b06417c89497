"""How a process authenticates to Kafka: SASL/SCRAM over PLAINTEXT locally, over TLS in Kubernetes.

The settings name the principal (XINGCUN_KAFKA_SASL_USERNAME/PASSWORD/MECHANISM,
XINGCUN_KAFKA_SECURITY_PROTOCOL, XINGCUN_KAFKA_SSL_CAFILE). The local stack generates one
password per principal into ``<state_dir>/kafka/credentials.json`` (git-ignored, mode 600)
when it formats the broker; a process of that stack finds its password there. Every Kafka
client of the project takes its options from here: aiokafka, faust, the admin client.
"""

from __future__ import annotations

import json
import os
import secrets
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from shared.config import Settings
from shared.messaging.acls import ADMIN, PRINCIPALS


def credentials_path(state_dir: Path) -> Path:
    return state_dir / "kafka" / "credentials.json"


def read_local_credentials(state_dir: Path) -> dict[str, str]:
    try:
        return json.loads(credentials_path(state_dir).read_text())
    except FileNotFoundError:
        return {}


def generate_local_credentials(state_dir: Path) -> dict[str, str]:
    """A random password for ``admin`` and every principal of the ACL table, kept if present."""
    known = read_local_credentials(state_dir)
    wanted = {name: known.get(name) or secrets.token_urlsafe(24) for name in (ADMIN, *PRINCIPALS)}
    if wanted != known:
        path = credentials_path(state_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(wanted, out, indent=1)
    return wanted


class CredentialsError(RuntimeError):
    """A principal named without a password the process can find."""


@dataclass(frozen=True)
class KafkaAuth:
    protocol: str
    mechanism: str | None = None
    username: str | None = None
    password: str | None = None
    cafile: Path | None = None

    @property
    def sasl(self) -> bool:
        return self.protocol.startswith("SASL_")

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.protocol.endswith("SSL"):
            return None
        return ssl.create_default_context(cafile=str(self.cafile) if self.cafile else None)


def kafka_auth(settings: Settings) -> KafkaAuth:
    """The principal and protocol this process uses (see Settings for the rules)."""
    local = read_local_credentials(settings.state_dir)
    username = settings.kafka_sasl_username or (ADMIN if local else None)
    protocol = settings.kafka_security_protocol or ("SASL_PLAINTEXT" if username else "PLAINTEXT")
    if not protocol.startswith("SASL_"):
        return KafkaAuth(protocol, cafile=settings.kafka_ssl_cafile)
    if username is None:
        raise CredentialsError(f"{protocol} 须设 XINGCUN_KAFKA_SASL_USERNAME / needs XINGCUN_KAFKA_SASL_USERNAME")
    password = settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else local.get(username)
    if not password:
        raise CredentialsError(f"Kafka 用户 {username} 无密码 / no password for Kafka user {username} "
                               "(set XINGCUN_KAFKA_SASL_PASSWORD)")
    return KafkaAuth(protocol, settings.kafka_sasl_mechanism, username, password, settings.kafka_ssl_cafile)


def as_principal(settings: Settings, principal: str) -> Settings:
    """The same settings, authenticated as ``principal`` with its local stack password."""
    password = read_local_credentials(settings.state_dir).get(principal)
    return settings.model_copy(update={"kafka_sasl_username": principal,
                                       "kafka_sasl_password": None if password is None else SecretStr(password)})


def pinned(settings: Settings) -> Settings:
    """The same settings with the principal stated outright: still valid with another state dir."""
    auth = kafka_auth(settings)
    return settings.model_copy(update={
        "kafka_security_protocol": auth.protocol, "kafka_sasl_username": auth.username,
        "kafka_sasl_password": SecretStr(auth.password) if auth.password else None})


def client_options(settings: Settings) -> dict[str, Any]:
    """``bootstrap_servers`` and the security options of an aiokafka client."""
    auth = kafka_auth(settings)
    options: dict[str, Any] = {"bootstrap_servers": settings.kafka_bootstrap, "security_protocol": auth.protocol}
    if auth.sasl:
        options |= {"sasl_mechanism": auth.mechanism, "sasl_plain_username": auth.username,
                    "sasl_plain_password": auth.password}
    if (context := auth.ssl_context()) is not None:
        options["ssl_context"] = context
    return options


def faust_credentials(settings: Settings):
    """faust's ``broker_credentials`` (None: PLAINTEXT)."""
    import faust

    auth = kafka_auth(settings)
    if auth.sasl:
        return faust.SASLCredentials(username=auth.username, password=auth.password, mechanism=auth.mechanism,
                                     ssl_context=auth.ssl_context())
    if (context := auth.ssl_context()) is not None:
        return faust.SSLCredentials(context)
    return None


def child_env(settings: Settings, principal: str) -> dict[str, str]:
    """Environment that makes a child process of a local stack connect as ``principal``."""
    auth = kafka_auth(settings)
    if not auth.sasl:
        return {}
    password = read_local_credentials(settings.state_dir).get(principal)
    if password is None:
        raise CredentialsError(f"本地无 Kafka 用户 {principal} / no local Kafka user {principal}")
    return {"XINGCUN_KAFKA_SECURITY_PROTOCOL": auth.protocol, "XINGCUN_KAFKA_SASL_MECHANISM": auth.mechanism or "",
            "XINGCUN_KAFKA_SASL_USERNAME": principal, "XINGCUN_KAFKA_SASL_PASSWORD": password}


def confluent_config(settings: Settings) -> dict[str, str]:
    """The same principal for confluent-kafka's AdminClient (ACLs and SCRAM users)."""
    auth = kafka_auth(settings)
    config = {"bootstrap.servers": settings.kafka_bootstrap, "security.protocol": auth.protocol.lower()}
    if auth.sasl:
        config |= {"sasl.mechanism": auth.mechanism, "sasl.username": auth.username, "sasl.password": auth.password}
    if auth.cafile:
        config["ssl.ca.location"] = str(auth.cafile)
    return config
