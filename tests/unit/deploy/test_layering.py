"""shared/ is the library every service builds on: it imports no service and no scenario,
so an installation holds only what it needs (the image ships no scenario). The command
line's composition root, xingcun_cli/, is where they are put together."""

from __future__ import annotations

import ast

from shared.config import REPO_ROOT

FORBIDDEN = ("services", "scenario", "bench", "xingcun_cli")


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in (
                "import_module", "__import__") and node.args:
            # importlib.import_module(f"services.{name}...") names its target in its first argument.
            first = node.args[0]
            text = first.value if isinstance(first, ast.Constant) else ast.unparse(first).lstrip("f").strip("'\"")
            found.append((node.lineno, str(text)))
    return found


def offending(root) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        for line, module in imported_modules(ast.parse(path.read_text(), str(path))):
            if module.split(".")[0] in FORBIDDEN:
                out.append(f"{path.relative_to(root)}:{line}: {module}")
    return out


def test_shared_imports_no_service_no_scenario():
    assert offending(REPO_ROOT / "shared") == []


def test_the_check_sees_static_and_dynamic_imports(tmp_path):
    (tmp_path / "a.py").write_text("import importlib\nfrom scenario.cli import app\n"
                                   "importlib.import_module(f'services.{x}.projections')\n")
    (tmp_path / "b.py").write_text("import shared.config\n")
    found = [f.split(": ")[1] for f in offending(tmp_path)]
    assert found == ["scenario.cli", "services.{x}.projections"]

