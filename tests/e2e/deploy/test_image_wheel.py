"""The image is the product: the wheel built from exactly the Docker build context (what
.dockerignore lets through, read by docker-py's own implementation), installed in a fresh
virtual environment outside the repository, runs every documented command, and its
publicity and monitoring APIs serve their dashboards with the third-party files (ECharts,
Tianjin's geometry, the SSE parser) from the npm stage's lock file.

No Docker engine here: the Dockerfile's steps are repeated on the host — ``pip wheel`` of
the context, ``npm ci`` of shared/dashboard's lock file, ``deploy/docker/install_vendor.py``.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from docker.utils.build import tar

from shared.config import REPO_ROOT
from tests.support.stack import ServiceStack, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


def dockerignore_patterns() -> list[str]:
    # As docker-py's APIClient.build reads the file.
    lines = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def run(argv: list, *, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600,
        check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if check:
        assert done.returncode == 0, f"{argv}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def context(tmp_path_factory) -> Path:
    """The build context, byte for byte what `docker build .` would send."""
    out = tmp_path_factory.mktemp("context")
    archive = tar(str(REPO_ROOT), exclude=dockerignore_patterns(), dockerfile=("Dockerfile", None))
    with tarfile.open(fileobj=io.BytesIO(archive.read())) as t:
        t.extractall(out, filter="data")
    return out


@pytest.fixture(scope="module")
def installed(context, tmp_path_factory) -> dict:
    """The wheel of the context installed into a new venv, the vendor files put in as the image does."""
    work = tmp_path_factory.mktemp("install")
    dist = work / "dist"
    started = time.monotonic()
    # Time is in installing the dependencies, not in what is checked: the new venv gets no pip
    # of its own (this one installs into it), and no bytecode is compiled (scipy alone is
    # thousands of files).
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, context],
        cwd=work)
    wheel = next(dist.glob("xingcun-*.whl"))
    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=work)
    run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", "--no-compile",
         "--disable-pip-version-check", wheel], cwd=work)
    run([venv / "bin" / "python", context / "deploy" / "docker" / "install_vendor.py",
         npm_stage(context, work)], cwd=work)
    return {"wheel": wheel, "venv": venv, "work": work, "context": context,
            "seconds": time.monotonic() - started}


def locked(lock_file: Path) -> dict[str, tuple]:
    packages = json.loads(lock_file.read_text())["packages"]
    return {path: (p.get("version"), p.get("integrity")) for path, p in packages.items() if path}


def npm_stage(context: Path, work: Path) -> Path:
    """The npm stage's node_modules: `make dashboard` already ran `npm ci` of this lock file
    (the geometry package makes another one cost a minute), so its tree is taken when npm's
    own record of what it installed is exactly the context's lock; otherwise `npm ci` again."""
    lock = context / "shared" / "dashboard" / "package-lock.json"
    made = REPO_ROOT / "shared" / "dashboard" / "node_modules"
    if (made / ".package-lock.json").exists() and locked(made / ".package-lock.json") == locked(lock):
        return made
    dashboard = work / "dashboard"
    dashboard.mkdir()
    for name in ("package.json", "package-lock.json"):
        shutil.copy(lock.parent / name, dashboard / name)
    run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=dashboard)
    return dashboard / "node_modules"


@pytest.fixture
def env(settings, tmp_path) -> dict[str, str]:
    """Nothing of the repository on the path: only the installed wheel can answer."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"XINGCUN_STATE_DIR": str(tmp_path), "XINGCUN_OTEL_EXPORTER": "none"})
    return env


def test_the_context_and_the_wheel_hold_the_product_only(context, installed):
    assert (context / "xingcun_cli" / "main.py").exists()
    assert not (context / "scenario").exists() and not (context / "bench").exists()
    assert not list(context.rglob("node_modules")), "node_modules comes from the npm stage only"
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert not [n for n in names if "node_modules" in n]
    assert {n.split("/")[0] for n in names if n.endswith(".py")} == {"shared", "services", "xingcun_cli"}
    # The migrations are package data: `xingcun db migrate` in the image finds every chain.
    for sql in ("shared/migrations/event_store/0001_event_store.sql", "shared/migrations/event_store/post-apply-grants.sql",
                "shared/migrations/privacy/0001_privacy_data_keys.sql", "shared/migrations/directory/0001_village_directory.sql",
                *(f"services/{s}/adapters/migrations/0001_{s}.sql" for s in ("registry", "funding", "assessment",
                                                                          "publicity", "monitoring"))):
        assert sql in names, sql
    size = installed["wheel"].stat().st_size
    assert size < 5 * 1024 * 1024, f"wheel of {size} bytes: something large got in"


def test_every_documented_command_runs_from_the_installation(installed, env):
    venv, work = installed["venv"], installed["work"]
    xingcun = venv / "bin" / "xingcun"
    help_text = run([xingcun, "--help"], cwd=work, env=env).stdout
    for command in ("stack", "db", "projections", "tokens", "audit", "backup", "contracts", "registry", "funding"):
        assert command in help_text
    # The code installed is the code whose contract is published in the repository.
    run([xingcun, "contracts", "check", "--dir", REPO_ROOT / "docs" / "contracts"], cwd=work, env=env)
    token = run([xingcun, "tokens", "issue", "city_office"], cwd=work, env=env).stdout.strip()
    assert token.count(".") == 2
    assert "SERVICE" in run([xingcun, "projections", "rebuild", "--help"], cwd=work, env=env).stdout.upper()
    for sub in ("dump", "restore"):
        assert sub in run([xingcun, "backup", "--help"], cwd=work, env=env).stdout
    # As `docker compose run --rm cli tokens issue …` runs it: through the image's entrypoint.
    via_entrypoint = run([venv / "bin" / "python", installed["context"] / "deploy" / "docker" / "entrypoint.py",
                          "xingcun", "tokens", "issue", "city_office"], cwd=work, env=env).stdout.strip()
    assert via_entrypoint.count(".") == 2
    # The scenario is not shipped: its commands say so instead of the whole command failing.
    for command in (["scenario", "run"], ["demo"]):
        refused = run([xingcun, *command], cwd=work, env=env, check=False)
        assert refused.returncode == 2 and "not part of this installation" in refused.stderr


def test_the_installation_holds_one_copy_of_each_vendor_file(installed):
    site = installed["venv"] / "lib"
    for name in ("echarts.min.js", "tianjin.geojson", "jixian.geojson"):
        assert len(list(site.rglob(name))) == 1, name


@pytest.mark.parametrize(("service", "page", "module"), [
    ("publicity", "/dashboard/", "services.publicity.entrypoints.api:app"),
    ("monitoring", "/dashboard/officials", "services.monitoring.entrypoints.api:app"),
])
def test_the_installed_api_serves_its_dashboard_and_the_vendor_files(installed, settings, tmp_path, service, page,
                                                                     module):
    stack = ServiceStack(settings, tmp_path, namespace=f"whl{secrets.token_hex(2)}")
    env = {k: v for k, v in stack.env(f"{service}-api").items() if k != "PYTHONPATH"}
    env["COLUMNS"] = "250"  # rich wraps at 80 columns when not on a terminal
    port = free_port()
    env[f"XINGCUN_{service.upper()}_PORT"] = str(port)
    # As the k8s Job and compose's migrate service run it, before the API: the API never migrates.
    xingcun = installed["venv"] / "bin" / "xingcun"
    dry = run([xingcun, "db", "migrate", "--service", service, "--dry-run"], cwd=installed["work"], env=env).stdout
    assert f"0001_{service}" in dry
    first = run([xingcun, "db", "migrate", "--service", service], cwd=installed["work"], env=env).stdout
    assert "0001_event_store" in first and f"0001_{service}" in first
    again = run([xingcun, "db", "migrate", "--service", service], cwd=installed["work"], env=env).stdout
    assert "up to date" in again and f"0001_{service}" not in again
    assert "pending" not in run([xingcun, "db", "status", "--service", service], cwd=installed["work"], env=env).stdout
    log = (tmp_path / "api.log").open("wb")
    proc = subprocess.Popen([installed["venv"] / "bin" / "python", "-m", "uvicorn", module,
                             "--host", "127.0.0.1", "--port", str(port)],
                            cwd=installed["work"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp_path / "api.log").read_text()[-3000:]
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "api.log").read_text()[-3000:]
            time.sleep(0.3)
        html = httpx.get(base + page, timeout=10)
        assert html.status_code == 200 and "vendor/echarts.min.js" in html.text
        echarts = httpx.get(base + "/dashboard/vendor/echarts.min.js", timeout=10)
        assert echarts.status_code == 200, echarts.text[:300]
        assert echarts.headers["content-type"].startswith("text/javascript") and len(echarts.content) > 500_000
        assert b"echarts" in echarts.content[:2000].lower()
        if service == "publicity":
            geometry = httpx.get(base + "/dashboard/vendor/tianjin-districts.geojson", timeout=10)
            assert geometry.status_code == 200, geometry.text[:300]
            assert len(geometry.json()["features"]) == 16
        else:
            parser = httpx.get(base + "/dashboard/vendor/eventsource-parser.js", timeout=10)
            assert parser.status_code == 200 and "createParser" in parser.text, parser.text[:300]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
