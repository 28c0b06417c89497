"""Deployment defaults (issue 18 item 10): docker-compose has no default password, publishes
every port on 127.0.0.1 alone and not the tracing UI; the Kubernetes ingress routes publicity's
public paths alone (published reports' images included), over TLS, and publicity answers its
host with public reads alone (no report or image writes, no editorial queue)."""

from __future__ import annotations

import re

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.config import REPO_ROOT, get_settings
from services.publicity.entrypoints.public_edge import PUBLIC_PREFIXES, PublicEdge
from tests.unit.deploy.test_kubernetes import of, render

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
TRACING_UI = 16686


def _values(node) -> list[str]:
    if isinstance(node, dict):
        return [v for x in node.values() for v in _values(x)]
    if isinstance(node, list):
        return [v for x in node for v in _values(x)]
    return [str(node)]


def test_compose_has_no_default_password():
    passwords = {}
    for name, service in COMPOSE["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|SECRET", key):
                passwords[(name, key)] = str(value)
    assert passwords
    for where, value in passwords.items():
        # required (${VAR:?…}): compose refuses to start without it; never ${VAR:-default} nor a literal
        assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]*\}", value), (where, value)


def test_compose_binds_every_port_to_localhost_and_hides_the_tracing_ui():
    published = [(name, str(p)) for name, service in COMPOSE["services"].items() for p in service.get("ports", [])]
    assert published  # the APIs, PostgreSQL and Kafka's external listener
    for name, port in published:
        assert port.startswith("127.0.0.1:"), (name, port)
    assert not any(port.endswith(f":{TRACING_UI}") or port == str(TRACING_UI) for _, port in published)
    assert "ports" not in COMPOSE["services"]["jaeger"]


@pytest.fixture(scope="module")
def layout():
    # The overlays patch no Ingress (test_kubernetes.py checks TLS in each of them).
    return render("base")


def test_the_ingress_routes_only_public_paths_over_tls(layout):
    config = next(iter(of(layout, "ConfigMap").values()))["data"]
    paths = set()
    for ingress in of(layout, "Ingress").values():
        spec = ingress["spec"]
        tls_hosts = {h for t in spec["tls"] for h in t["hosts"]}
        assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/force-ssl-redirect"] == "true"
        for rule in spec["rules"]:
            assert rule["host"] in tls_hosts
            # publicity knows this host and answers it with reads alone
            assert rule["host"] == config["XINGCUN_PUBLIC_HOST"]
            paths |= {(p["path"], p["pathType"]) for p in rule["http"]["paths"]}
    assert {p for p, _ in paths} == set(PUBLIC_PREFIXES)  # /images included, nothing else
    assert all(kind == "Prefix" for _, kind in paths)


@pytest.fixture
def edge(monkeypatch):
    monkeypatch.setenv("XINGCUN_PUBLIC_HOST", "stats.example.cn")
    get_settings.cache_clear()
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "DELETE"])
    async def anything(path: str) -> dict:
        return {"reached": path}

    app.add_middleware(PublicEdge)
    yield TestClient(app)
    monkeypatch.delenv("XINGCUN_PUBLIC_HOST")
    get_settings.cache_clear()


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/reports"), ("PUT", "/reports/r1"), ("POST", "/reports/r1/submit"), ("POST", "/reports/r1/return"),
    ("POST", "/reports/r1/publish"), ("GET", "/reports/editorial"), ("GET", "/reports/editorial/"),
    ("POST", "/images"), ("POST", "/notices"), ("GET", "/docs"), ("GET", "/openapi.json"), ("GET", "/metrics"),
    ("GET", "/stats/lag"), ("DELETE", "/stats/headline"),
])
def test_the_public_host_gets_no_write_and_no_inside_page(edge, method, path):
    r = edge.request(method, path, headers={"Host": "stats.example.cn"})
    assert r.status_code == 404 and r.json()["detail"][0]["type"] == "not_found"
    # from inside (the service's own name) the same request reaches the route
    assert edge.request(method, path, headers={"Host": "publicity-api:8004"}).status_code == 200


@pytest.mark.parametrize("path", ["/stats/headline", "/reports", "/reports/r1", "/images/abc", "/notices/n1",
                                  "/open-data/statistics.csv", "/dashboard/"])
def test_the_public_host_reads_public_paths(edge, path):
    assert edge.get(path, headers={"Host": "STATS.example.cn:443"}).status_code == 200
