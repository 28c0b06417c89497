"""docs/security.md names the test behind each of its claims (issue 18): all ten items of the
issue are in its item-by-item table, each with a test, and every test the page names exists."""

from __future__ import annotations

import ast
import re

from shared.config import REPO_ROOT

DOC = REPO_ROOT / "docs" / "security.md"
NAMED = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")


def item_rows() -> dict[int, str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## 逐项对应的测试", 1)[1].split("\n## ", 1)[0]
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d+) \|(.*)$", section, re.M)}


def test_every_item_of_the_issue_names_a_test():
    rows = item_rows()
    assert sorted(rows) == list(range(1, 11))
    for item, row in rows.items():
        assert NAMED.search(row.rsplit("|", 2)[-2]), f"item {item} names no test"


def test_every_test_the_page_names_exists():
    missing = []
    for path, name in NAMED.findall(DOC.read_text(encoding="utf-8")):
        file = REPO_ROOT / path
        if not file.is_file():
            missing.append(path)
            continue
        if name:
            defined = {n.name for n in ast.walk(ast.parse(file.read_text(encoding="utf-8")))
                       if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
            if name not in defined:
                missing.append(f"{path}::{name}")
    assert missing == []
