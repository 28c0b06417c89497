"""The image (no Docker engine here): parsed by BuildKit's own parser, then checked for a
multi-stage build, a pinned base, a non-root user and an entrypoint that exists."""

from __future__ import annotations

import re
import tomllib

import dockerfile
import pytest

from shared.config import REPO_ROOT

DOCKERFILE = REPO_ROOT / "Dockerfile"


@pytest.fixture(scope="module")
def commands():
    return dockerfile.parse_file(str(DOCKERFILE))


def args_of(commands) -> dict[str, str]:
    return dict(c.value[0].split("=", 1) for c in commands if c.cmd == "ARG" and "=" in c.value[0])


def test_multi_stage_from_a_pinned_python_of_the_projects_minor(commands):
    base = args_of(commands)["PYTHON_IMAGE"]
    m = re.fullmatch(r"python:(3)\.(\d+)\.(\d+)-slim-bookworm", base)
    assert m, base
    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert f">={m[1]}.{m[2]}" in requires
    stages = {c.value[2]: c.value[0] for c in commands if c.cmd == "FROM"}
    # Python builds and runs; Node only fetches the dashboard's ECharts in a stage of its own.
    assert stages == {"dashboard": "${NODE_IMAGE}", "build": "${PYTHON_IMAGE}", "runtime": "${PYTHON_IMAGE}"}
    assert re.fullmatch(r"node:\d+\.\d+\.\d+-bookworm-slim", args_of(commands)["NODE_IMAGE"])
    assert any(f.startswith("--from=") for c in commands if c.cmd == "COPY" for f in c.flags)


def test_the_dashboard_stage_installs_exactly_the_lock_file(commands):
    start = next(i for i, c in enumerate(commands) if c.cmd == "FROM" and c.value[2] == "dashboard")
    end = next(i for i, c in enumerate(commands) if c.cmd == "FROM" and i > start)
    stage = commands[start:end]
    copied = [v for c in stage if c.cmd == "COPY" for v in c.value[:-1]]
    assert copied == ["shared/dashboard/package.json", "shared/dashboard/package-lock.json"]
    assert any(c.cmd == "RUN" and c.value[0].startswith("npm ci ") for c in stage)
    # Into the build stage goes node_modules; the wheel itself never holds it.
    assert any(c.cmd == "COPY" and "--from=dashboard" in c.flags for c in commands[end:])
    assert "*node_modules*" in tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())[
        "tool"]["setuptools"]["packages"]["find"]["exclude"]


def test_runs_as_a_numeric_non_root_user(commands):
    last_stage = max(i for i, c in enumerate(commands) if c.cmd == "FROM")
    users = [c.value[0] for c in commands[last_stage:] if c.cmd == "USER"]
    assert users, "the final stage must switch user"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0


def test_entrypoint_health_check_and_copied_paths_exist(commands):
    entrypoint = next(c for c in commands if c.cmd == "ENTRYPOINT")
    assert entrypoint.json and entrypoint.value == ("xingcun-container",)
    health = next(c for c in commands if c.cmd == "HEALTHCHECK")
    assert health.value == ("CMD", "xingcun-container", "probe")
    installed = {c.value[-1]: c.value[0] for c in commands if c.cmd == "COPY" and not c.flags[:1] == ("--from=build",)}
    assert installed["/usr/local/bin/xingcun-container"] == "deploy/docker/entrypoint.py"
    for c in commands:
        if c.cmd == "COPY" and not any(f.startswith("--from=") for f in c.flags):
            for source in c.value[:-1]:
                assert (REPO_ROOT / source).exists(), source


def test_build_context_leaves_local_state_out():
    ignore = (REPO_ROOT / ".dockerignore").read_text().split()
    assert ignore[ignore.index("*") if "*" in ignore else 0] == "*"
    for needed in ("!pyproject.toml", "!shared/", "!services/", "!xingcun_cli/", "!deploy/docker/"):
        assert needed in ignore
    assert "**/node_modules" in ignore
