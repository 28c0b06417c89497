"""Who may do what on the broker: the one ACL table of the project.

Each service has one principal (its API and its worker share it); ``bureau`` is the read-only
principal another bureau gets; ``admin`` is the super user (``super.users``) that formats,
declares and grants, and needs no ACL. The local stack and the tests apply this table
(``xingcun kafka acls apply``, shared/messaging/kafka_admin.py); deploy/k8s renders it into
the Strimzi ``KafkaUser`` resources and tests/unit/deploy checks they agree.

Topic names carry the environment's prefix (tests use random ones), so the table is a
function of that prefix. Pure data: no IO here.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.config import SERVICES

ADMIN = "admin"
BUREAU = "bureau"
PRINCIPALS = (*SERVICES, BUREAU)
# Consumer groups another bureau's readers use: "<prefix>bureau-<anything>".
BUREAU_GROUP = "bureau-"

# The public topics each service's worker consumes (its projections' sources), its own
# included. tests/unit/foundation/test_acls.py checks this against the workers' projections.
WORKER_SOURCES: dict[str, tuple[str, ...]] = {
    "registry": ("registry",),
    "funding": ("assessment", "funding", "registry"),
    "assessment": ("assessment", "funding", "registry"),
    "publicity": ("assessment", "funding", "publicity", "registry"),
    "monitoring": ("assessment", "funding", "monitoring", "registry"),
}

# The workers whose pace on a service's topic holds back that service's commands (the
# public figures: shared/http/backlog.py); each service may read their groups' offsets.
FIGURE_READERS = ("publicity",)

# Monitoring watches the others: ops.quarantined_event from every <service>.quarantine topic,
# ops.projection_lag from every worker's committed offsets and the records' times at them.
QUARANTINE_WATCHERS = ("monitoring",)


@dataclass(frozen=True, order=True)
class Grant:
    """ALLOW ``operation`` on a resource to ``User:<principal>`` from any host."""

    principal: str
    resource: str  # "topic" | "group"
    pattern: str  # "literal" | "prefixed"
    name: str
    operation: str  # Kafka's names: Read, Write, Describe, Create, All


def app_id(service: str, prefix: str = "") -> str:
    """faust's application id, also its consumer group and the head of its internal topics."""
    return f"{prefix}xingcun-{service}"


def quarantine_group(prefix: str = "") -> str:
    """The consumer group monitoring reads every service's quarantine topic under."""
    return app_id(QUARANTINE_WATCHERS[0], prefix) + "-quarantine"


def _topic(prefix: str, service: str) -> str:
    return f"{prefix}{service}.events"


def _quarantine(prefix: str, service: str) -> str:
    return f"{prefix}{service}.quarantine"


def service_grants(service: str, prefix: str = "") -> list[Grant]:
    own = [_topic(prefix, service), _quarantine(prefix, service)]
    sources = [_topic(prefix, s) for s in WORKER_SOURCES[service] if s != service]
    grants = [Grant(service, "topic", "literal", t, op) for t in own for op in ("Write", "Read", "Describe", "Create")]
    # Reading a source; Create so that whichever worker starts first declares it (as declared:
    # shared/messaging/kafka.py ensure_topics), which is no right to write into it.
    grants += [Grant(service, "topic", "literal", t, op) for t in sources for op in ("Read", "Describe", "Create")]
    # The APIs' /metrics and /stats/lag read every public topic's end offsets (Describe only).
    grants += [Grant(service, "topic", "literal", _topic(prefix, s), "Describe")
               for s in SERVICES if s != service and s not in WORKER_SOURCES[service]]
    # faust: its changelog/repartition topics and its consumer group, all named after its app id.
    grants.append(Grant(service, "topic", "prefixed", app_id(service, prefix) + "-", "All"))
    grants += [Grant(service, "group", "literal", app_id(service, prefix), op) for op in ("Read", "Describe")]
    grants += [Grant(service, "group", "literal", app_id(r, prefix), "Describe") for r in FIGURE_READERS if r != service]
    if service in QUARANTINE_WATCHERS:
        # Every service's held records, read under a group of its own (adapters/quarantine_feed.py).
        grants += [Grant(service, "topic", "literal", _quarantine(prefix, s), op)
                   for s in SERVICES if s != service for op in ("Read", "Describe")]
        grants += [Grant(service, "group", "literal", quarantine_group(prefix), op) for op in ("Read", "Describe")]
        grants += [Grant(service, "group", "literal", app_id(s, prefix), "Describe") for s in SERVICES if s != service]
        grants += [Grant(service, "topic", "literal", _topic(prefix, s), "Read")
                   for s in SERVICES if s != service and s not in WORKER_SOURCES[service]]
    return list(dict.fromkeys(grants))


def bureau_grants(prefix: str = "") -> list[Grant]:
    grants = [Grant(BUREAU, "topic", "literal", _topic(prefix, s), op) for s in SERVICES for op in ("Read", "Describe")]
    grants += [Grant(BUREAU, "group", "prefixed", prefix + BUREAU_GROUP, op) for op in ("Read", "Describe")]
    return grants


def acl_table(prefix: str = "") -> list[Grant]:
    """Every grant of every principal for topics named ``<prefix><service>.events``."""
    return sorted([g for s in SERVICES for g in service_grants(s, prefix)] + bureau_grants(prefix))


_STRIMZI_PATTERN = {"literal": "literal", "prefixed": "prefix"}


def strimzi_users(prefix: str = "", cluster: str = "xingcun") -> list[dict]:
    """The table as Strimzi ``KafkaUser`` resources (SCRAM-SHA-512, simple authorization); the
    User Operator makes each one's password Secret, named after the user."""
    users = []
    for principal in PRINCIPALS:
        ops: dict[tuple[str, str, str], list[str]] = {}
        for g in acl_table(prefix):
            if g.principal == principal:
                ops.setdefault((g.resource, g.pattern, g.name), []).append(g.operation)
        acls = [{"resource": {"type": resource, "name": name, "patternType": _STRIMZI_PATTERN[pattern]},
                 "operations": sorted(operations), "host": "*"}
                for (resource, pattern, name), operations in sorted(ops.items())]
        users.append({
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaUser",
            "metadata": {"name": principal,
                         "labels": {"strimzi.io/cluster": cluster, "app.kubernetes.io/part-of": "xingcun"}},
            "spec": {"authentication": {"type": "scram-sha-512"},
                     "authorization": {"type": "simple", "acls": acls}},
        })
    return users
