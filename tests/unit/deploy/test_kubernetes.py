"""deploy/k8s, base and overlays, rendered by kustomize itself: every object valid (kubeconform,
strictly, against Kubernetes' schemas and the operators' CRDs: `make k8s-check`), and the system
they describe is the one the code needs — one base for every service, least privilege,
pooling and a connection budget that adds up at the autoscalers' maximum."""

from __future__ import annotations

import importlib

import json
import re
import subprocess
from collections import Counter
from functools import cache

import pytest
import yaml

from shared.config import REPO_ROOT, SERVICES, Settings
from shared.db import SESSION

K8S = REPO_ROOT / "deploy" / "k8s"
TOOLS = REPO_ROOT / "build" / "k8s-check"
LAYOUTS = ("base", "overlays/dev", "overlays/prod")
# The services deployed: the code's, and monitoring, whose manifests come before its code
# (its port is the one its settings will have).
DEPLOYED = tuple(dict.fromkeys((*SERVICES, "monitoring")))
PLANNED_PORTS = {"monitoring": 8005}
# Settings a cluster does not set; every other field of shared/config.py must be configured.
NOT_FOR_CLUSTERS = {
    "kafka_controller_port": "the local single-process broker's controller port",
    "otel_console_path": "console span export is for tests",
    "jwt_secret": "production verifies the identity provider's public key; dev overlay only",
    "jwt_jwks_url": "the identity provider's JWKS URL, issuer and audience: set by the operator who knows them",
    "jwt_issuer": "see jwt_jwks_url",
    "jwt_audience": "see jwt_jwks_url",
}
# The owner role's settings: only the migrate Job has them (the services connect as the application role).
OWNER_ONLY = {"pg_user", "pg_password"}
# Secrets referenced, all made out of band and documented for the operator (deploy/k8s/README.md).
DOCUMENTED_SECRETS = {"xingcun-jwt"} | {f"xingcun-{s}-{r}" for s in DEPLOYED for r in ("owner", "app")}
# Made by Strimzi's User Operator for each KafkaUser (base/kafka-users.yaml): its SCRAM password.
KAFKA_USER_SECRETS = set(DEPLOYED)
# Connections PostgreSQL keeps for itself and our tools beside the services (docs/scaling.md):
# superuser_reserved_connections (3), the operator's instance manager and monitoring, a
# migration or backup Job, an operator's psql.
RESERVED_CONNECTIONS = 3 + 17


def tool(name: str) -> str:
    path = TOOLS / "bin" / name
    if not path.exists():
        pytest.fail(f"{name} missing: run `make k8s-tools` (installs kustomize and kubeconform once)")
    return str(path)


@cache
def rendered(layout: str) -> str:
    return subprocess.run([tool("kustomize"), "build", str(K8S / layout)], check=True,
                          capture_output=True, text=True).stdout


def render(layout: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(rendered(layout)) if doc]


def kubeconform(manifests: str) -> subprocess.CompletedProcess:
    """The objects validated as `make k8s-check` does (deploy/k8s/check/check.sh)."""
    versions = dict(line.split("=", 1) for line in (K8S / "check" / "versions.env").read_text().splitlines()
                    if line and not line.startswith("#"))
    schemas = TOOLS / "schemas"
    return subprocess.run([
        tool("kubeconform"), "-strict", "-summary", "-output", "json", "-kubernetes-version", versions["KUBERNETES_VERSION"],
        "-schema-location",
        f"{schemas}/{{{{ .NormalizedKubernetesVersion }}}}-standalone{{{{ .StrictSuffix }}}}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json",
        "-schema-location", f"{schemas}/crds/{{{{ .Group }}}}_{{{{ .ResourceKind }}}}_{{{{ .ResourceAPIVersion }}}}.json",
        "-"], input=manifests, capture_output=True, text=True)


@pytest.fixture(scope="module", params=LAYOUTS)
def layout(request):
    return request.param, render(request.param)


def default_port(service: str) -> int:
    """The code's default, whatever the environment of this test run says."""
    field = Settings.model_fields.get(f"{service}_port")
    return field.default if field is not None else PLANNED_PORTS[service]


def of(objects, kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def containers(objects):
    for deployment in of(objects, "Deployment").values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            yield deployment, container


def test_every_object_is_valid(layout):
    name, objects = layout
    result = kubeconform(rendered(name))
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["summary"]["valid"] == len(objects)


def test_validation_has_teeth():
    objects = render("base")
    topic = of(objects, "KafkaTopic")["registry.events"]
    deployment = json.loads(json.dumps(of(objects, "Deployment")["registry-api"]))
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}
    pooler = of(objects, "Pooler")["xingcun-pg-pooler-rw"]
    cluster = of(objects, "Cluster")["xingcun-pg"]
    for broken, word in (
            (topic | {"spec": topic["spec"] | {"partitons": 3}}, "partitons"),
            (deployment, "livenessprobe"),
            (pooler | {"spec": pooler["spec"] | {"instances": "three"}}, "instances"),
            (cluster | {"spec": cluster["spec"] | {"instance": 3}}, "instance"),
            ({"apiVersion": "example.com/v1", "kind": "Unknown", "metadata": {"name": "x"}}, "could not find schema")):
        result = kubeconform(yaml.safe_dump(broken))
        assert result.returncode != 0 and word in result.stdout, (word, result.stdout)


def test_an_api_and_a_worker_per_service_with_probes_resources_and_budgets(layout):
    _, objects = layout
    deployments, budgets, autoscalers, services = (of(objects, k) for k in (
        "Deployment", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Service"))
    assert set(deployments) == {f"{s}-{r}" for s in DEPLOYED for r in ("api", "worker")}
    for service in DEPLOYED:
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


def test_a_migrate_job_per_service_runs_xingcun_db_migrate(layout):
    """Migrations run once per release, as a Job per service, never at a pod's start
    (docs/deployment.md): `xingcun db migrate --service S` as S's owner, to the primary, with
    the egress policy of S's pods."""
    _, objects = layout
    jobs = of(objects, "Job")
    assert set(jobs) == {f"{s}-migrate" for s in DEPLOYED}
    config = of(objects, "ConfigMap")["xingcun-config"]["data"]
    policies = list(of(objects, "NetworkPolicy").values())
    for service in DEPLOYED:
        job = jobs[f"{service}-migrate"]["spec"]
        pod = job["template"]["spec"]
        (container,) = pod["containers"]
        assert container["args"] == ["xingcun", "db", "migrate", "--service", service]
        assert pod["restartPolicy"] == "Never" and job["ttlSecondsAfterFinished"] > 0
        assert "XINGCUN_PG_HOST" not in env_of(container) and config["XINGCUN_PG_HOST"].endswith("-rw")
        assert pod["securityContext"]["runAsNonRoot"] and container["securityContext"]["readOnlyRootFilesystem"]
        assert container["image"].startswith("xingcun:") and container["envFrom"] == [
            {"configMapRef": {"name": "xingcun-config"}}]
        labels = job["template"]["metadata"]["labels"]
        assert labels["xingcun.cn/service"] == service and labels["app.kubernetes.io/component"] == "migrate"
        assert any(selected(p["spec"]["podSelector"], labels) and p["spec"].get("egress") for p in policies)


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
        from_secrets = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"] if "valueFrom" in e}
        values = {e["name"] for e in container["env"] if "value" in e}
        names = {n.removeprefix("XINGCUN_").lower() for n in [*config, *from_secrets, *values]}
        ports = {f"{s}_port" for s in DEPLOYED}
        assert names <= fields | ports, sorted(names - fields - ports)
        expected = ((fields | ports) - NOT_FOR_CLUSTERS.keys() - OWNER_ONLY
                    | ({"jwt_secret"} if name == "overlays/dev" else set()))
        assert names == expected, (deployment["metadata"]["name"], sorted(expected ^ names))
        assert {ref["name"] for ref in from_secrets.values()} <= DOCUMENTED_SECRETS | KAFKA_USER_SECRETS
    settings = Settings(**{k.removeprefix("XINGCUN_").lower(): v for k, v in config.items()})
    kafka = next(iter(of(objects, "Kafka")))
    assert settings.kafka_bootstrap == f"{kafka}-kafka-bootstrap:9093"
    assert settings.pg_host == f"{next(iter(of(objects, 'Cluster')))}-rw"


def test_each_service_connects_as_its_own_kafka_user_over_tls(layout):
    """SASL_SSL only, each Deployment as the KafkaUser of its service, whose password Secret it
    reads; the users are the ACL table's (tests/unit/foundation/test_kafka_acls.py)."""
    _, objects = layout
    (kafka,) = of(objects, "Kafka").values()
    listeners = kafka["spec"]["kafka"]["listeners"]
    assert all(lst["tls"] and lst["authentication"]["type"] == "scram-sha-512" for lst in listeners)
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"
    config = of(objects, "ConfigMap")["xingcun-config"]["data"]
    assert config["XINGCUN_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    users = of(objects, "KafkaUser")
    assert set(users) == {*DEPLOYED, "bureau"}
    for deployment, container in containers(objects):
        service = deployment["metadata"]["labels"]["xingcun.cn/service"]
        env = {e["name"]: e for e in container["env"]}
        assert env["XINGCUN_KAFKA_SASL_USERNAME"]["value"] == service
        assert env["XINGCUN_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": service, "key": "password"}
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        assert config["XINGCUN_KAFKA_SSL_CAFILE"].startswith(mounts["kafka-ca"] + "/")


def test_kafka_topics_replicate_and_workers_fit_the_partitions(layout):
    _, objects = layout
    config = of(objects, "ConfigMap")["xingcun-config"]["data"]
    settings = Settings(**{k.removeprefix("XINGCUN_").lower(): v for k, v in config.items()})
    topics = {t["spec"]["topicName"]: t["spec"] for t in of(objects, "KafkaTopic").values()}
    assert set(topics) == {t for s in DEPLOYED for t in (settings.topic(s), settings.quarantine_topic(s))}
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
    # Every topic a worker checks for at start (its own, what its projections read, its
    # quarantine topic) is declared: a missing one stops the worker.
    from shared.worker import ServiceResources

    declared = {t["spec"]["topicName"] for t in of(objects, "KafkaTopic").values()}
    for service in DEPLOYED:
        projections = importlib.import_module(f"services.{service}.projections").PROJECTIONS
        chain = importlib.import_module(f"services.{service}.adapters.schema").CHAIN
        missing = set(ServiceResources(service, settings, projections, chain).topics) - declared
        assert not missing, (service, missing)


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
    assert set(databases) == {config["XINGCUN_DB_PREFIX"] + s for s in DEPLOYED}
    assert all(d["cluster"]["name"] == cluster_name for d in databases.values())
    # Each database is owned by its service's owner role, not by the cluster's initial owner.
    assert all(d["owner"] == name != owner for name, d in databases.items())


def test_the_cluster_archives_wal_and_backs_up_nightly(layout):
    _, objects = layout
    (name, cluster), = of(objects, "Cluster").items()
    backup = cluster["spec"]["backup"]
    store = backup["barmanObjectStore"]
    assert store["destinationPath"].startswith("s3://") and store["wal"]["compression"]
    assert backup["retentionPolicy"].endswith("d")
    secrets = {ref["name"] for ref in store["s3Credentials"].values()}
    assert secrets == {"xingcun-pg-backup-s3"}  # made out of band: no credential in the repository
    (scheduled,) = of(objects, "ScheduledBackup").values()
    assert scheduled["spec"]["cluster"]["name"] == name and scheduled["spec"]["immediate"] is True
    assert scheduled["spec"]["method"] == "barmanObjectStore"


def test_point_in_time_recovery_is_into_a_new_cluster_from_the_archive():
    objects = [doc for doc in yaml.safe_load_all(rendered("recovery")) if doc]
    result = kubeconform(rendered("recovery"))
    assert result.returncode == 0, result.stdout + result.stderr
    (recovered,) = objects
    base_cluster = of(render("base"), "Cluster")["xingcun-pg"]
    assert recovered["metadata"]["name"] != base_cluster["metadata"]["name"]
    recovery = recovered["spec"]["bootstrap"]["recovery"]
    assert recovery["recoveryTarget"]["targetTime"]
    (source,) = [c for c in recovered["spec"]["externalClusters"] if c["name"] == recovery["source"]]
    archive = base_cluster["spec"]["backup"]["barmanObjectStore"]
    assert source["barmanObjectStore"]["destinationPath"] == archive["destinationPath"]
    assert source["barmanObjectStore"]["serverName"] == base_cluster["metadata"]["name"]


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
    used = set()

    def walk(directory):
        spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
        used.add(directory / "kustomization.yaml")
        for entry in [*spec.get("resources", []), *spec.get("components", [])]:
            path = (directory / entry).resolve()
            walk(path) if path.is_dir() else used.add(path)
        used.update((directory / p["path"]).resolve() for p in spec.get("patches", []))

    for name in (*LAYOUTS, "recovery"):
        walk(K8S / name)
    assert {p.resolve() for p in K8S.rglob("*.yaml")} == used


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


def test_every_service_is_the_one_base_with_its_name_and_port():
    """The services differ by their name and port alone: what one gets, all get."""
    objects = render("base")

    def generic(obj: dict, service: str) -> str:
        text = json.dumps(obj, sort_keys=True)
        text = text.replace(f'"containerPort": {default_port(service)}', '"containerPort": PORT')
        text = text.replace(f'"port": {default_port(service)}', '"port": PORT')
        return re.sub(rf"(?<![a-z]){service}(?![a-z])", "SERVICE", text)

    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Database",
                 "KafkaTopic", "NetworkPolicy"):
        shapes = {}
        for service in DEPLOYED:
            mine = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] in {
                f"{service}-api", f"{service}-worker", f"xingcun-{service}", f"{service}.events", f"{service}-egress"}]
            assert mine, (kind, service)
            shapes[service] = sorted(generic(o, service) for o in mine)
        assert len({json.dumps(v) for v in shapes.values()}) == 1, kind
    for service in DEPLOYED:
        values = yaml.safe_load((K8S / "base" / "services" / service / "values.yaml").read_text())
        assert values["data"] == {"service": service, "port": str(default_port(service))}


def env_of(container: dict) -> dict[str, object]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_each_service_has_its_own_roles(layout):
    """An owner that migrates (its migrate Job alone holds its secret) and an application role
    (the API and the worker), per service, each from its own secret, managed by CloudNativePG;
    no service connects as another's role or the cluster's owner."""
    _, objects = layout
    (cluster,) = of(objects, "Cluster").values()
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    for service in DEPLOYED:
        for process in ("api", "worker"):
            env = env_of(of(objects, "Deployment")[f"{service}-{process}"]["spec"]["template"]["spec"]["containers"][0])
            for variable, secret in (("XINGCUN_PG_APP_USER", "app"), ("XINGCUN_PG_APP_PASSWORD", "app")):
                assert env[variable]["secretKeyRef"]["name"] == f"xingcun-{service}-{secret}"
            assert not {"XINGCUN_PG_USER", "XINGCUN_PG_PASSWORD"} & env.keys(), (service, process)
        job = env_of(of(objects, "Job")[f"{service}-migrate"]["spec"]["template"]["spec"]["containers"][0])
        for variable, secret in (("XINGCUN_PG_USER", "owner"), ("XINGCUN_PG_PASSWORD", "owner"),
                                 ("XINGCUN_PG_APP_USER", "app")):
            assert job[variable]["secretKeyRef"]["name"] == f"xingcun-{service}-{secret}"
        assert "XINGCUN_PG_APP_PASSWORD" not in job
        for role, secret in ((f"xingcun_{service}", "owner"), (f"xingcun_{service}_app", "app")):
            assert roles[role]["passwordSecret"]["name"] == f"xingcun-{service}-{secret}"
            assert roles[role]["login"] and not any(roles[role][k] for k in ("superuser", "createdb", "createrole"))
    assert len(roles) == 2 * len(DEPLOYED)


def test_apis_pool_through_pgbouncer_and_workers_connect_directly(layout):
    _, objects = layout
    (pooler,) = of(objects, "Pooler").values()
    (cluster_name, cluster), = of(objects, "Cluster").items()
    config = of(objects, "ConfigMap")["xingcun-config"]["data"]
    assert pooler["spec"]["cluster"]["name"] == cluster_name and pooler["spec"]["type"] == "rw"
    bouncer = pooler["spec"]["pgbouncer"]
    assert bouncer["poolMode"] == "transaction"
    # asyncpg prepares every statement: PgBouncer must track them in transaction mode.
    assert int(bouncer["parameters"]["max_prepared_statements"]) > 0
    # What shared/db.py sets per session cannot pass a transaction pooler: PgBouncer ignores
    # it, and the cluster sets it for everyone.
    ignored = set(bouncer["parameters"]["ignore_startup_parameters"].split(","))
    for setting, value in SESSION.items():
        assert setting in ignored and cluster["spec"]["postgresql"]["parameters"][setting] == value
    for service in DEPLOYED:
        api = of(objects, "Deployment")[f"{service}-api"]["spec"]["template"]["spec"]["containers"][0]
        worker = of(objects, "Deployment")[f"{service}-worker"]["spec"]["template"]["spec"]["containers"][0]
        assert env_of(api)["XINGCUN_PG_HOST"] == pooler["metadata"]["name"]
        # The relay's session advisory lock and LISTEN need a session of their own.
        assert "XINGCUN_PG_HOST" not in env_of(worker) and config["XINGCUN_PG_HOST"] == f"{cluster_name}-rw"


def selected(selector: dict, labels: dict) -> bool:
    if not all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", expression
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def test_every_pod_is_covered_by_network_policies(layout):
    """Every service pod: denied by default both ways, let in by a rule, and let out only to its
    database (pooler or primary), Kafka, DNS and the OTLP collector."""
    _, objects = layout
    policies = list(of(objects, "NetworkPolicy").values())
    allowed_ports = {5432, 9093, 53, 4318}
    for deployment in of(objects, "Deployment").values():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        mine = [p["spec"] for p in policies if selected(p["spec"]["podSelector"], labels)]
        for direction, key in (("Ingress", "ingress"), ("Egress", "egress")):
            applying = [p for p in mine if direction in p["policyTypes"]]
            assert any(key not in p for p in applying), (deployment["metadata"]["name"], f"no default deny {key}")
            rules = [rule for p in applying for rule in p.get(key, [])]
            # A worker serves nothing: no way in at all.
            serves = key == "egress" or labels["app.kubernetes.io/component"] == "api"
            assert bool(rules) == serves, (deployment["metadata"]["name"], key, rules)
        egress = [rule for p in mine if "Egress" in p["policyTypes"] for rule in p.get("egress", [])]
        for rule in egress:
            assert rule.get("to") and {port["port"] for port in rule["ports"]} <= allowed_ports, rule
        databases = [peer for rule in egress for peer in rule["to"] if "podSelector" in peer and any(
            k.startswith("cnpg.io/") for k in peer["podSelector"].get("matchLabels", {}))]
        assert databases, deployment["metadata"]["name"]
    # The pooler takes connections from the services, and reaches the database.
    (pooler,) = of(objects, "Pooler").values()
    pooler_pod = {"cnpg.io/poolerName": pooler["metadata"]["name"],
                  **pooler["spec"]["template"]["metadata"]["labels"]}
    assert any(selected(p["spec"]["podSelector"], pooler_pod) and p["spec"].get("ingress") for p in policies)
    database = of(objects, "NetworkPolicy")["postgres"]["spec"]
    assert any(selected(peer["podSelector"], pooler_pod)
               for rule in database["ingress"] for peer in rule["from"] if "podSelector" in peer)


def pool_sizes() -> dict[str, int]:
    """The asyncpg pools' max_size, as the code opens them (API: shared/http/app.py; worker:
    shared/worker.py): the application role's only (the owner's is the migrate Job's, one
    connection per service at a release)."""
    sizes = {}
    for process, path in (("api", "shared/http/app.py"), ("worker", "shared/worker.py")):
        source = (REPO_ROOT / path).read_text()
        assert not re.findall(r"create_pool\([^)]*\.dsn\(", source), f"{path} opens an owner's pool"
        (size,) = re.findall(r"create_pool\([^)]*\.app_dsn\([^)]*\)[^)]*max_size=(\d+)", source)
        sizes[f"{process}_app"] = int(size)
    return sizes


def connection_budget(objects: list[dict]) -> dict[str, int]:
    """PostgreSQL connections at the HPAs' maximum (docs/scaling.md, "Connections")."""
    sizes = pool_sizes()
    (pooler,) = of(objects, "Pooler").values()
    bouncer = pooler["spec"]["pgbouncer"]["parameters"]
    databases = len(of(objects, "Database")) + 1  # and `postgres`, where a starting process looks
    deployments = of(objects, "Deployment")
    workers = sum(d["spec"]["replicas"] for d in deployments.values()
                  if d["metadata"]["labels"]["app.kubernetes.io/component"] == "worker")
    apis = sum(h["spec"]["maxReplicas"] for h in of(objects, "HorizontalPodAutoscaler").values())
    (cluster,) = of(objects, "Cluster").values()
    return {
        "pooler": pooler["spec"]["instances"] * databases * int(bouncer["max_db_connections"]),
        "workers": workers * sizes["worker_app"],
        "reserved": RESERVED_CONNECTIONS,
        "max_connections": int(cluster["spec"]["postgresql"]["parameters"]["max_connections"]),
        "api_clients": apis * sizes["api_app"],
        "max_client_conn": int(bouncer["max_client_conn"]),
    }


def test_the_connection_budget_adds_up_at_the_autoscalers_maximum(layout):
    _, objects = layout
    budget = connection_budget(objects)
    assert budget["pooler"] + budget["workers"] + budget["reserved"] <= budget["max_connections"], budget
    # One pooler instance takes every API connection when the others are away.
    assert budget["api_clients"] <= budget["max_client_conn"], budget


def test_the_budget_in_the_docs_is_the_rendered_one():
    text = (REPO_ROOT / "docs" / "scaling.md").read_text()
    budget = connection_budget(render("overlays/prod"))
    total = budget["pooler"] + budget["workers"] + budget["reserved"]
    for figure in (budget["pooler"], budget["workers"], total, budget["max_connections"], budget["api_clients"]):
        assert re.search(rf"\b{figure}\b", text), figure


def test_the_budget_counts_what_grows():
    """A fourth pooler instance and the prod budget no longer fits: the sum follows the manifests."""
    objects = json.loads(json.dumps(render("overlays/prod")))
    base = connection_budget(objects)
    (pooler,) = of(objects, "Pooler").values()
    pooler["spec"]["instances"] += 1
    grown = connection_budget(objects)
    assert grown["pooler"] == base["pooler"] + base["pooler"] // (pooler["spec"]["instances"] - 1)
    assert grown["pooler"] + grown["workers"] + grown["reserved"] > grown["max_connections"]
