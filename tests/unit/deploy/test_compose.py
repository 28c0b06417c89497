"""docker-compose.yml: valid by the Compose specification's schema, and the same system and
configuration as the code (no Docker engine here, so nothing is started)."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
import yaml

from shared.config import REPO_ROOT, SERVICES, Settings
from shared.messaging.acls import ADMIN, PRINCIPALS
from shared.stack.kafka import KAFKA_VERSION

COMPOSE = REPO_ROOT / "docker-compose.yml"
# Settings that only the local stack or a particular choice uses; every other field must be set.
NOT_FOR_CONTAINERS = {
    "kafka_controller_port": "the local single-process broker's controller port",
    "otel_console_path": "console span export is for tests; containers export OTLP",
    "jwt_public_key": "production's RS256 keys (Kubernetes); compose signs development tokens",
    "jwt_jwks_url": "the identity provider's JWKS URL, issuer and audience: set by the operator who knows them",
    "jwt_issuer": "see jwt_jwks_url",
    "jwt_audience": "see jwt_jwks_url",
    "public_host": "the Kubernetes ingress's host; compose publishes nothing beyond 127.0.0.1",
}
# Distroless images: no shell or binary to run a health check in.
NO_HEALTHCHECK = {"otel-collector", "jaeger"}


def default_port(service: str) -> int:
    """The code's default, whatever the environment of this test run says."""
    return Settings.model_fields[f"{service}_port"].default


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def env_of(compose: dict, name: str) -> dict[str, str]:
    return {k: str(v) for k, v in compose["services"][name]["environment"].items()}


def resolved(value: str) -> str:
    """Compose's ${VAR:-default} with nothing set; ${VAR:?error} becomes a placeholder."""
    value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)
    return re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", "set-by-the-operator", value)


def test_valid_by_the_compose_specification():
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_has_teeth(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  kafka:\n    image: apache/kafka:3.9.1\n    comand: [api, registry]\n")  # a typo
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(broken)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 1


def test_every_service_has_its_api_and_worker(compose):
    services = compose["services"]
    for service in SERVICES:
        api, worker = services[f"{service}-api"], services[f"{service}-worker"]
        assert api["command"] == ["api", service] and worker["command"] == ["worker", service]
        port = int(env_of(compose, f"{service}-api")[f"XINGCUN_{service.upper()}_PORT"])
        assert port == default_port(service)
        assert f"127.0.0.1:{port}:{port}" in api["ports"]
        for process in (api, worker):
            assert process["image"] == services["registry-api"]["image"]
            assert process["healthcheck"]["test"] == ["CMD", "xingcun-container", "probe"]
            assert {k: v["condition"] for k, v in process["depends_on"].items()} == {
                "postgres": "service_healthy", "kafka": "service_healthy",
                "kafka-acls": "service_completed_successfully", "migrate": "service_completed_successfully"}


def test_a_one_shot_migrate_runs_before_the_services(compose):
    """The services never migrate (docs/deployment.md): `xingcun db migrate --all` once, as the
    owner, and every API and worker waits for it to have succeeded."""
    migrate = compose["services"]["migrate"]
    assert migrate["entrypoint"] == ["xingcun-container", "xingcun"]
    assert migrate["command"] == ["db", "migrate", "--all"]
    assert migrate["restart"] == "no" and migrate["image"] == compose["services"]["registry-api"]["image"]
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_the_configuration_is_shared_configs_own(compose):
    fields = set(Settings.model_fields)
    env = env_of(compose, "registry-worker")
    names = {k.removeprefix("XINGCUN_").lower() for k in env}
    assert names <= fields, f"not in shared/config.py: {sorted(names - fields)}"
    assert names == fields - NOT_FOR_CONTAINERS.keys(), f"not configured: {sorted(fields - names - NOT_FOR_CONTAINERS.keys())}"
    settings = Settings(**{k.removeprefix("XINGCUN_").lower(): resolved(v) for k, v in env.items()})
    hosts = {
        urlsplit(f"//{settings.kafka_bootstrap}").hostname,
        settings.pg_host,
        urlsplit(settings.otel_otlp_endpoint).hostname,
    }
    assert hosts <= compose["services"].keys(), hosts
    assert settings.otel_exporter == "otlp"
    principal = {"XINGCUN_KAFKA_SASL_USERNAME", "XINGCUN_KAFKA_SASL_PASSWORD"}
    for service in compose["services"]:
        if compose["services"][service].get("image", "").startswith("xingcun:"):
            own = env_of(compose, service)
            assert {k: v for k, v in own.items() if k not in principal} == {
                k: v for k, v in env.items() if k not in principal}, service


def test_each_process_is_its_services_kafka_user_with_a_required_password(compose):
    for name, service in compose["services"].items():
        if not service.get("image", "").startswith("xingcun:"):
            continue
        env = env_of(compose, name)
        if name == "migrate":  # PostgreSQL only: it is given no Kafka user at all
            assert "XINGCUN_KAFKA_SASL_PASSWORD" not in env
            continue
        user = env["XINGCUN_KAFKA_SASL_USERNAME"]
        assert user == (name.rsplit("-", 1)[0] if name.endswith(("-api", "-worker")) else ADMIN), name
        assert env["XINGCUN_KAFKA_SASL_PASSWORD"].startswith(f"${{XINGCUN_KAFKA_{user.upper()}_PASSWORD:?"), name
        assert env["XINGCUN_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
    assert ":-" not in "".join(re.findall(r"\$\{XINGCUN_KAFKA_[A-Z_]+[^}]*\}", COMPOSE.read_text())), "no default password"


def test_kafka_is_the_official_image_in_kraft_mode(compose):
    kafka = compose["services"]["kafka"]
    assert kafka["image"] == f"apache/kafka:{KAFKA_VERSION}"
    env = {k: str(v) for k, v in kafka["environment"].items()}
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert not any("ZOOKEEPER" in k for k in env)
    assert len(base64.urlsafe_b64decode(env["CLUSTER_ID"] + "==")) == 16
    assert "INTERNAL://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    # Every listener but the controller's authenticates; everything not granted is denied.
    protocols = dict(item.split(":") for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert {n: p for n, p in protocols.items() if n != "CONTROLLER"} == {"INTERNAL": "SASL_PLAINTEXT",
                                                                      "EXTERNAL": "SASL_PLAINTEXT"}
    assert env["KAFKA_AUTHORIZER_CLASS_NAME"].endswith("StandardAuthorizer")
    assert env["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    # Every principal of the ACL table gets its SCRAM credentials when the volume is formatted.
    scram = [a for a in compose["services"]["kafka-format"]["command"] if a.startswith("--add-scram=")]
    assert {re.search(r"name=(\w+),", a)[1] for a in scram} == {ADMIN, *PRINCIPALS}
    # One broker: topics only as the workers declare them, with the only replication that fits.
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    xingcun = env_of(compose, "registry-worker")
    assert (xingcun["XINGCUN_TOPIC_REPLICATION_FACTOR"], xingcun["XINGCUN_TOPIC_MIN_INSYNC_REPLICAS"]) == ("1", "1")


def test_health_checks_and_dependencies(compose):
    services = compose["services"]
    for name, service in services.items():
        if name not in NO_HEALTHCHECK:
            assert "healthcheck" in service, name
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
    pipeline = yaml.safe_load(compose["configs"]["otel-collector"]["content"])
    exporter = pipeline["exporters"]["otlp/jaeger"]["endpoint"]
    assert exporter.split(":")[0] in services


def test_images_are_pinned(compose):
    for name, service in compose["services"].items():
        image = service.get("image", "")
        assert re.search(r":\d+(\.\d+)+(-[a-z0-9.]+)?$", image), f"{name}: {image} is not pinned to a version"
