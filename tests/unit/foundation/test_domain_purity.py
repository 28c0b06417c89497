"""The domain is pure: importing any ``services/*/domain`` module loads no IO library.

The checks run in a fresh interpreter with the libraries blocked, because this test process
has long since imported all of them; one interpreter per layer, reporting each module.
"""

from __future__ import annotations

import json
import subprocess
import sys
from shared.config import REPO_ROOT

IO_LIBRARIES = ("asyncpg", "aiokafka", "faust", "fastapi", "starlette", "uvicorn", "opentelemetry")
WEB_LIBRARIES = ("fastapi", "starlette", "uvicorn")

PROBE = """
import importlib, json, sys
blocked = set(sys.argv[1].split(","))
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"{name} imported")
sys.meta_path.insert(0, Block())
failures = {}
for module in sys.argv[2:]:
    try:
        importlib.import_module(module)
    except ImportError as e:
        failures[module] = str(e)
print(json.dumps(failures))
"""


def _modules(layer: str) -> list[str]:
    found = []
    for path in sorted((REPO_ROOT / "services").glob(f"*/{layer}/**/*.py")) + sorted(
        (REPO_ROOT / "services").glob(f"*/{layer}.py")
    ):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def _failures(modules: list[str], blocked: tuple[str, ...]) -> dict[str, str]:
    """``{module: what it imported}`` for each module that could not be imported without ``blocked``."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(blocked), *modules],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=True,
    )
    return json.loads(done.stdout)


DOMAIN = _modules("domain")
HANDLERS = _modules("handlers")


def test_every_service_has_a_domain():
    assert {m.split(".")[1] for m in DOMAIN} >= {"registry", "funding", "assessment", "publicity"}


def test_domain_modules_import_no_io():
    assert _failures(DOMAIN, IO_LIBRARIES) == {}


def test_service_layer_imports_no_web_framework():
    assert _failures(HANDLERS, WEB_LIBRARIES) == {}


def test_the_probe_can_fail():
    # An entrypoint needs FastAPI: the same probe must say so, or the checks above prove nothing.
    found = _failures(["services.registry.entrypoints.api"], WEB_LIBRARIES)
    assert "fastapi" in found["services.registry.entrypoints.api"]
