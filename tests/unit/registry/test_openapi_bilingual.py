"""Every registry endpoint, parameter, tag and request field is described in Chinese and English."""

from __future__ import annotations

import re

from services.registry.entrypoints.api import app

CJK, LATIN = re.compile(r"[\u4e00-\u9fff]"), re.compile(r"[A-Za-z]")


def bilingual(text: str | None) -> bool:
    return bool(text and CJK.search(text) and LATIN.search(text))


def test_every_operation_parameter_and_field_is_bilingual():
    spec = app.openapi()
    missing = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if not bilingual(op.get("summary")):
                missing.append(f"{method} {path}: summary")
            missing += [f"{method} {path}: tag {t}" for t in op.get("tags", []) if not bilingual(t)]
            missing += [f"{method} {path}: {p['name']}" for p in op.get("parameters", []) if not bilingual(p.get("description"))]
    for name, schema in spec["components"]["schemas"].items():
        if name in ("HTTPValidationError", "ValidationError"):
            continue
        missing += [f"{name}.{field}" for field, s in schema.get("properties", {}).items() if not bilingual(s.get("description"))]
    assert missing == []
    assert len(spec["paths"]) >= 30
