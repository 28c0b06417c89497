"""deploy/k8s, base and overlays: every object valid (Kubernetes' own schemas for core kinds,
our subsets of the Strimzi and CloudNativePG CRDs for theirs), and the system they describe
is the one the code needs."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import kubernetes_validate
import pytest
from jsonschema import Draft202012Validator

from shared.config import REPO_ROOT, SERVICES, Settings
from tests.unit.deploy.kustomize import KustomizeError, render

K8S = REPO_ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.33.0"
LAYOUTS = ("base", "overlays/dev", "overlays/prod")
# Settings a cluster does not set; every other field of shared/config.py must be configured.
NOT_FOR_CLUSTERS = {
    "kafka_controller_port": "the local single-process broker's controller port",
    "otel_console_path": "console span export is for tests",
    "jwt_secret": "production verifies the identity provider's public key; dev overlay only",
    "jwt_jwks_url": "the identity provider's JWKS URL, issuer and audience: set by the operator who knows them",
    "jwt_issuer": "see jwt_jwks_url",
    "jwt_audience": "see jwt_jwks_url",
}
# Secrets the operators write; any other referenced secret must be documented for the operator.
OPERATOR_SECRETS = {"xingcun-pg-app"}
DOCUMENTED_SECRETS = {"xingcun-jwt", "xingcun-pg-app-role"}


@cache
def crd_validators() -> dict[tuple[str, str], Draft202012Validator]:
    out = {}
    for path in (K8S / "schemas").glob("*.json"):
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        out[(schema["properties"]["apiVersion"]["const"], schema["properties"]["kind"]["const"])] = \
            Draft202012Validator(schema)
    return out


def validate(obj: dict) -> None:
    validator = crd_validators().get((obj["apiVersion"], obj["kind"]))
    if validator is not None:
        validator.validate(obj)
    else:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


@pytest.fixture(scope="module", params=LAYOUTS)
def layout(request):
    objects = render(K8S / request.param)
    return request.param, objects


def default_port(service: str) -> int:
    """The code's default, whatever the environment of this test run says."""
    return Settings.model_fields[f"{service}_port"].default


def of(objects, kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def containers(objects):
    for deployment in of(objects, "Deployment").values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            yield deployment, container


def test_every_object_is_valid(layout):
    _, objects = layout
    for obj in objects:
        validate(obj)


def test_validation_has_teeth():
    objects = render(K8S / "base")
    topic = dict(of(objects, "KafkaTopic")["registry.events"])
    with pytest.raises(Exception, match="partitons"):
        validate(topic | {"spec": topic["spec"] | {"partitons": 3}})
    deployment = of(objects, "Deployment")["registry-api"]
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}
    with pytest.raises(Exception, match="livenessprobe"):
        validate(broken)
    cluster = of(objects, "Cluster")["xingcun-pg"]
    with pytest.raises(Exception):
        validate(cluster | {"spec": cluster["spec"] | {"instances": "three"}})


def test_the_renderer_refuses_what_it_does_not_know(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: [a.yaml]\ncommonLabels: {a: b}\n")
    with pytest.raises(KustomizeError, match="commonLabels"):
        render(tmp_path)
    (tmp_path / "kustomization.yaml").write_text(f"resources: ['{K8S / 'base'}']\npatches:\n  - path: p.yaml\n")
    (tmp_path / "p.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nosuch\ndata: {}\n")
    with pytest.raises(KustomizeError, match="matches no resource"):
        render(tmp_path)


def test_an_api_and_a_worker_per_service_with_probes_resources_and_budgets(layout):
    _, objects = layout
    deployments, budgets, autoscalers, services = (of(objects, k) for k in (
        "Deployment", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Service"))
    assert set(deployments) == {f"{s}-{r}" for s in SERVICES for r in ("api", "worker")}
    for service in SERVICES:
        api = deployments[f"{service}-api"]["spec"]["template"]["spec"]["containers"][0]
        worker = deployments[f"{service}-worker"]["spec"]["template"]["spec"]["containers"][0]
        assert api["args"] == ["api", service] and worker["args"] == ["worker", service]
        assert api["ports"] == [{"name": "http", "containerPort": default_port(service)}]
        # Liveness never depends on the database (/livez), readiness does (/healthz).
        assert api["readinessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        for probe in ("startupProbe", "livenessProbe"):
            assert api[probe]["httpGet"] == {"path": "/livez", "port": "http"}
        for probe in ("startupProbe", "livenessProbe"):
            assert worker[probe]["exec"]["command"] == ["xingcun-container", "probe"]
        for container in (api, worker):
            assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"]
        assert services[f"{service}-api"]["spec"]["ports"][0]["port"] == default_port(service)
        assert autoscalers[f"{service}-api"]["spec"]["scaleTargetRef"]["name"] == f"{service}-api"
        assert f"{service}-worker" not in autoscalers  # workers follow partitions, not load
        for name in (f"{service}-api", f"{service}-worker"):
            selector = budgets[name]["spec"]["selector"]["matchLabels"]
            assert selector == deployments[name]["spec"]["selector"]["matchLabels"]


def test_pods_run_unprivileged(layout):
    _, objects = layout
    for deployment, container in containers(objects):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["runAsUser"] != 0
        assert container["securityContext"]["readOnlyRootFilesystem"]
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["image"].startswith("xingcun:")


def test_configuration_is_shared_configs_and_secrets_stay_out(layout):
    name, objects = layout
    assert not of(objects, "Secret"), "secrets are created out of band, never in the repository"
    config = of(objects, "ConfigMap")["xingcun-config"]["data"]
    fields = set(Settings.model_fields)
    for deployment, container in containers(objects):
        assert container["envFrom"] == [{"configMapRef": {"name": "xingcun-config"}}]
        from_secrets = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"]}
        names = {n.removeprefix("XINGCUN_").lower() for n in [*config, *from_secrets]}
        assert names <= fields, sorted(names - fields)
        expected = fields - NOT_FOR_CLUSTERS.keys() | ({"jwt_secret"} if name == "overlays/dev" else set())
        assert names == expected, (deployment["metadata"]["name"], sorted(expected ^ names))
        assert {ref["name"] for ref in from_secrets.values()} <= OPERATOR_SECRETS | DOCUMENTED_SECRETS
    settings = Settings(**{k.removeprefix("XINGCUN_").lower(): v for k, v in config.items()})
    kafka = next(iter(of(objects, "Kafka")))
    assert settings.kafka_bootstrap == f"{kafka}-kafka-bootstrap:9092"
    assert settings.pg_host == f"{next(iter(of(objects, 'Cluster')))}-rw"


def test_kafka_topics_replicate_and_workers_fit_the_partitions(layout):
    _, objects = layout
    config = of(objects, "ConfigMap")["xingcun-config"]["data"]
    settings = Settings(**{k.removeprefix("XINGCUN_").lower(): v for k, v in config.items()})
    topics = {t["spec"]["topicName"]: t["spec"] for t in of(objects, "KafkaTopic").values()}
    assert set(topics) == {settings.topic(s) for s in SERVICES}
    brokers = sum(p["spec"]["replicas"] for p in of(objects, "KafkaNodePool").values() if "broker" in p["spec"]["roles"])
    assert brokers >= 3
    for topic in topics.values():
        assert topic["replicas"] == 3 and topic["config"]["min.insync.replicas"] == 2
        assert topic["config"]["retention.ms"] == -1
        assert topic["partitions"] == settings.topic_partitions
    for deployment in of(objects, "Deployment").values():
        if deployment["metadata"]["labels"]["app.kubernetes.io/component"] == "worker":
            assert deployment["spec"]["replicas"] <= settings.topic_partitions
    kafka = next(iter(of(objects, "Kafka").values()))
    assert kafka["spec"]["kafka"]["config"]["min.insync.replicas"] == 2
    assert kafka["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False


def test_topics_come_only_from_their_declaration(layout):
    """The processes never create a topic on the cluster; what they check for is what the
    KafkaTopics declare (partitions, replication factor, min.insync.replicas)."""
    _, objects = layout
    config = of(objects, "ConfigMap")["xingcun-config"]["data"]
    settings = Settings(**{k.removeprefix("XINGCUN_").lower(): v for k, v in config.items()})
    assert settings.topic_create is False
    for topic in (t["spec"] for t in of(objects, "KafkaTopic").values()):
        assert (topic["partitions"], topic["replicas"], topic["config"]["min.insync.replicas"]) == (
            settings.topic_partitions, settings.topic_replication_factor, settings.topic_min_insync_replicas)


def test_strimzi_runs_the_kafka_release_of_the_local_stack(layout):
    """One Kafka 4 release everywhere: the Maven-fetched broker, compose and Strimzi (v1 API)."""
    from shared.stack.kafka import KAFKA_VERSION, POM

    _, objects = layout
    kafka = next(iter(of(objects, "Kafka").values()))
    assert kafka["apiVersion"] == "kafka.strimzi.io/v1" and "annotations" not in kafka["metadata"]
    assert kafka["spec"]["kafka"]["version"] == KAFKA_VERSION and KAFKA_VERSION.startswith("4.")
    major_minor = ".".join(KAFKA_VERSION.split(".")[:2])
    assert kafka["spec"]["kafka"]["metadataVersion"].startswith(f"{major_minor}-IV")
    assert f"<kafka.version>{KAFKA_VERSION}</kafka.version>" in POM.read_text()
    for pool in of(objects, "KafkaNodePool").values():
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] in of(objects, "Kafka")


def test_postgres_cluster_and_a_database_per_service(layout):
    _, objects = layout
    config = of(objects, "ConfigMap")["xingcun-config"]["data"]
    (cluster_name, cluster), = of(objects, "Cluster").items()
    assert cluster["spec"]["instances"] == 3
    owner = cluster["spec"]["bootstrap"]["initdb"]["owner"]
    databases = {d["spec"]["name"]: d["spec"] for d in of(objects, "Database").values()}
    assert set(databases) == {config["XINGCUN_DB_PREFIX"] + s for s in SERVICES}
    assert all(d["cluster"]["name"] == cluster_name and d["owner"] == owner for d in databases.values())


def test_only_publicity_is_reachable_from_outside(layout):
    _, objects = layout
    policies = of(objects, "NetworkPolicy")
    deny = policies["default-deny-ingress"]["spec"]
    assert deny["podSelector"] == {} and deny["policyTypes"] == ["Ingress"] and "ingress" not in deny
    pods = {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"] for d in of(objects, "Deployment").values()}
    for name, policy in policies.items():
        selects = policy["spec"]["podSelector"].get("matchLabels", {})
        targets = {p for p, labels in pods.items() if selects.items() <= labels.items()} if selects else set(pods)
        for rule in policy["spec"].get("ingress", []):
            outside = [peer for peer in rule.get("from", [{}]) if "namespaceSelector" in peer or "ipBlock" in peer]
            if outside and targets & set(pods):
                assert targets == {"publicity-api"}, (name, targets)
    backends = Counter(
        path["backend"]["service"]["name"]
        for ingress in of(objects, "Ingress").values()
        for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]
    )
    assert set(backends) == {"publicity-api"}


def test_overlays_change_what_they_say(layout):
    name, objects = layout
    namespaces = {o["metadata"].get("namespace") for o in objects}
    expected = {"base": {None}, "overlays/dev": {"xingcun-dev"}, "overlays/prod": {"xingcun"}}[name]
    assert namespaces == expected
    scaled = {h["spec"]["scaleTargetRef"]["name"] for h in of(objects, "HorizontalPodAutoscaler").values()}
    deployments = of(objects, "Deployment")
    # An HPA's target carries no replicas: each `kubectl apply -k` would reset its scaling.
    assert scaled and all("replicas" not in deployments[name]["spec"] for name in scaled)
    replicas = {d["spec"]["replicas"] for n, d in deployments.items() if n not in scaled}
    assert replicas == {"base": {2}, "overlays/dev": {1}, "overlays/prod": {3}}[name]


def test_every_manifest_file_is_used():
    import yaml

    used = set()
    for name in LAYOUTS:
        directory = K8S / name
        spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
        used.add(directory / "kustomization.yaml")
        used |= {directory / r for r in spec.get("resources", []) if (directory / r).is_file()}
        used |= {directory / p["path"] for p in spec.get("patches", [])}
    assert set(K8S.rglob("*.yaml")) == used


def test_the_way_in_is_tls_only(layout):
    _, objects = layout
    readme = (K8S / "README.md").read_text()
    for ingress in of(objects, "Ingress").values():
        spec = ingress["spec"]
        covered = {h for t in spec["tls"] for h in t["hosts"]}
        assert all(rule.get("host") in covered for rule in spec["rules"]), "a rule without TLS"
        assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/force-ssl-redirect"] == "true"
        for t in spec["tls"]:
            assert t["secretName"] in readme, f"{t['secretName']}: tell the operator how it is made"
