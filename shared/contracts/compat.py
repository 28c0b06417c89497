"""Is a new JSON Schema of an event still able to read everything the old one accepted?

An event type keeps its ``version`` only while every payload stored under that version
still validates: the log keeps events forever, projections are rebuilt from offset zero,
and other bureaus replay the topics. So, within one version:

- a field may be added if it has a default (not required);
- a type, an enumeration or a limit may be widened;
- nothing may be removed, renamed, made required, narrowed or retyped.

``breaking_changes(old, new)`` lists the violations as ``path: reason``. Annotations
(title, description, default, examples) never matter. The comparison understands what
pydantic emits: ``$ref`` into ``$defs``, ``anyOf`` for unions and optionals, ``const``
and ``enum`` for literals, object properties with ``required`` and
``additionalProperties``, array ``items``, and the numeric and length limits.
"""

from __future__ import annotations

import json
from typing import Any

Schema = dict[str, Any]
JSON_TYPES = frozenset({"null", "boolean", "integer", "number", "string", "array", "object"})
# A new lower bound above the old one, or a new upper bound below it, rejects old data.
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
# Any change of these (other than dropping them) may reject old data.
EXACT = ("pattern", "format", "multipleOf", "uniqueItems", "contentEncoding")
UNVERIFIABLE = ("allOf", "not", "if", "then", "else", "prefixItems", "patternProperties",
                "dependentRequired", "dependentSchemas", "propertyNames", "contains")


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    return _Comparison(old, new).compare(old, new, "$")


class _Comparison:
    def __init__(self, old_root: Schema, new_root: Schema):
        self.roots = (old_root, new_root)
        self.seen: set[tuple[int, int]] = set()

    def compare(self, old: Any, new: Any, path: str) -> list[str]:
        old, new = self._resolve(old, 0), self._resolve(new, 1)
        if new is True or new == {}:
            return []
        if old is False:
            return []
        if new is False:
            return [f"{path}: 不再接受任何值 / accepts nothing any more"]
        key = (id(old), id(new))
        if key in self.seen:  # a recursive model: this pair is being compared further up
            return []
        self.seen.add(key)
        try:
            problems: list[str] = []
            candidates = self._alternatives(new, 1)
            # Each old alternative must be accepted by some new one; report the closest miss.
            for alternative in self._alternatives(old, 0):
                best: list[str] | None = None
                for candidate in candidates:
                    found = self._compare_one(alternative, candidate, path)
                    if best is None or len(found) < len(best):
                        best = found
                    if not found:
                        break
                problems.extend(best or [])
            return problems
        finally:
            self.seen.discard(key)

    def _compare_one(self, old: Schema, new: Schema, path: str) -> list[str]:
        problems: list[str] = []
        for keyword in UNVERIFIABLE:
            if _canonical(old.get(keyword)) != _canonical(new.get(keyword)):
                problems.append(f"{path}: {keyword} 已变更，无法证明兼容 / changed, compatibility cannot be shown")
        old_types, new_types = _types(old), _types(new)
        lost = {t for t in old_types - new_types if not (t == "integer" and "number" in new_types)}
        if lost:
            problems.append(f"{path}: 不再接受类型 / no longer accepts type {', '.join(sorted(lost))}")
            return problems
        old_values, new_values = _values(old), _values(new)
        if new_values is not None:
            if old_values is None:
                problems.append(f"{path}: 取值被限定 / values newly restricted to {_show(new_values)}")
            elif missing := [v for v in old_values if v not in new_values]:
                problems.append(f"{path}: 不再接受取值 / no longer accepts {_show(missing)}")
        problems += _limits(old, new, path)
        if "object" in old_types and ({"properties", "required", "additionalProperties"} & (old.keys() | new.keys())):
            problems += self._compare_objects(old, new, path)
        if "array" in old_types and ("items" in old or "items" in new):
            problems += self.compare(old.get("items", True), new.get("items", True), f"{path}[]")
        return problems

    def _compare_objects(self, old: Schema, new: Schema, path: str) -> list[str]:
        problems: list[str] = []
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        old_extra, new_extra = old.get("additionalProperties", True), new.get("additionalProperties", True)
        for name in sorted(new_required - old_required):
            what = "新增必填字段 / new required field" if name not in old_props else "字段变为必填 / became required"
            problems.append(f"{path}.{name}: {what}")
        for name, old_prop in old_props.items():
            if name in new_props:
                problems += self.compare(old_prop, new_props[name], f"{path}.{name}")
            elif new_extra is False:
                problems.append(f"{path}.{name}: 字段被删除或改名 / field removed or renamed")
            else:
                problems += self.compare(old_prop, new_extra, f"{path}.{name}")
        if old_extra is not False:
            if new_extra is False:
                problems.append(f"{path}: 不再接受其他字段 / no longer accepts other fields")
            else:
                problems += self.compare(old_extra, new_extra, f"{path}.*")
        return problems

    def _resolve(self, schema: Any, side: int) -> Any:
        hops = 0
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"only local references are supported, not {ref!r}")
            target: Any = self.roots[side]
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **siblings} if siblings else target
            hops += 1
            if hops > 50:
                raise ValueError(f"reference loop at {ref}")
        return schema

    def _alternatives(self, schema: Any, side: int) -> list[Schema]:
        schema = self._resolve(schema, side)
        if not isinstance(schema, dict):
            return [{} if schema is True else {"not": {}}]
        union = schema.get("anyOf") or schema.get("oneOf")
        if not union:
            return [schema]
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
        flat: list[Schema] = []
        for member in union:
            for alternative in self._alternatives(member, side):
                flat.append({**rest, **alternative})
        return flat


def _types(schema: Schema) -> set[str]:
    if "type" in schema:
        declared = schema["type"]
        return set(declared) if isinstance(declared, list) else {declared}
    values = _values(schema)
    if values is not None:
        return {_json_type(v) for v in values}
    return set(JSON_TYPES)


def _values(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    if "enum" in schema:
        return list(schema["enum"])
    return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _limits(old: Schema, new: Schema, path: str) -> list[str]:
    problems = []
    for keyword in LOWER_BOUNDS:
        if keyword in new and (keyword not in old or new[keyword] > old[keyword]):
            problems.append(f"{path}: {keyword} 收紧 / tightened to {new[keyword]} (was {old.get(keyword, 'none')})")
    for keyword in UPPER_BOUNDS:
        if keyword in new and (keyword not in old or new[keyword] < old[keyword]):
            problems.append(f"{path}: {keyword} 收紧 / tightened to {new[keyword]} (was {old.get(keyword, 'none')})")
    for keyword in EXACT:
        if keyword in new and new[keyword] != old.get(keyword):
            problems.append(f"{path}: {keyword} 变更 / changed to {new[keyword]!r} (was {old.get(keyword)!r})")
    return problems


def _canonical(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


def _show(values: list[Any]) -> str:
    return ", ".join(json.dumps(v, ensure_ascii=False) for v in values)
