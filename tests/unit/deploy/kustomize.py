"""Renders deploy/k8s overlays without the kustomize binary, for the features they use.

Supported: ``resources`` (files, or directories holding a kustomization.yaml), ``namespace``,
``images`` (newName/newTag) and ``patches`` given as strategic-merge patch files, optionally
with a ``target`` (kind, name, labelSelector of ``key=value`` pairs). Anything else in a
kustomization is refused, so the manifests cannot come to depend on something this renderer
would get wrong. Strategic merge as kustomize does it for these objects: maps merge, ``null``
deletes, the core lists below merge by their key, every other list is replaced.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "images", "patches"}
PATCH_FIELDS = {"path", "target"}
TARGET_FIELDS = {"kind", "name", "labelSelector"}
# patchMergeKey of the Kubernetes API for the lists our patches touch (core kinds only;
# kustomize knows no merge keys for custom resources and replaces their lists).
MERGE_KEYS = {"containers": "name", "initContainers": "name", "env": "name", "volumes": "name",
              "volumeMounts": "mountPath"}
CORE_GROUPS = {"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v2", "networking.k8s.io/v1"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}

Object = dict[str, Any]


class KustomizeError(ValueError):
    pass


def render(directory: Path) -> list[Object]:
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    unknown = set(spec) - SUPPORTED
    if unknown:
        raise KustomizeError(f"{directory}: unsupported kustomization fields {sorted(unknown)}")
    objects: list[Object] = []
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        objects += render(path) if path.is_dir() else load(path)
    for patch in spec.get("patches", []):
        apply_patch(objects, directory, patch)
    if "namespace" in spec:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = spec["namespace"]
    for image in spec.get("images", []):
        set_image(objects, image)
    ids = [(o["kind"], o["metadata"]["name"]) for o in objects]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise KustomizeError(f"{directory}: resources defined twice: {sorted(duplicates)}")
    return objects


def load(path: Path) -> list[Object]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def apply_patch(objects: list[Object], directory: Path, patch: dict) -> None:
    if set(patch) - PATCH_FIELDS or "path" not in patch:
        raise KustomizeError(f"only patches with a path (and a target) are supported: {patch}")
    target = patch.get("target")
    for body in load(directory / patch["path"]):
        if target is not None:
            if set(target) - TARGET_FIELDS:
                raise KustomizeError(f"unsupported target fields: {target}")
            selector = dict(pair.split("=", 1) for pair in target.get("labelSelector", "").split(",") if pair)
            matched = [o for o in objects if o["kind"] == target.get("kind", o["kind"])
                       and o["metadata"]["name"] == target.get("name", o["metadata"]["name"])
                       and selector.items() <= o["metadata"].get("labels", {}).items()]
        else:
            matched = [o for o in objects if o["kind"] == body["kind"]
                       and o["metadata"]["name"] == body["metadata"]["name"]]
        if not matched:
            raise KustomizeError(f"{patch['path']}: the patch matches no resource")
        for obj in matched:
            content = {k: v for k, v in body.items() if k not in ("apiVersion", "kind", "metadata")}
            if "metadata" in body:
                content["metadata"] = {k: v for k, v in body["metadata"].items() if k != "name"}
            merged = merge(obj, content, core=obj["apiVersion"] in CORE_GROUPS)
            obj.clear()
            obj.update(merged)


def merge(base: Any, patch: Any, *, core: bool, key: str | None = None) -> Any:
    if isinstance(patch, dict):
        if "$patch" in patch or any(k.startswith("$") for k in patch):
            raise KustomizeError(f"patch directives are not supported: {sorted(patch)}")
        if not isinstance(base, dict):
            return copy.deepcopy(patch)
        out = copy.deepcopy(base)
        for k, v in patch.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = merge(out.get(k), v, core=core, key=k)
        return out
    if isinstance(patch, list) and isinstance(base, list) and core and key in MERGE_KEYS:
        merge_key = MERGE_KEYS[key]
        out = copy.deepcopy(base)
        for item in patch:
            index = next((i for i, b in enumerate(out) if b.get(merge_key) == item.get(merge_key)), None)
            if index is None:
                out.append(copy.deepcopy(item))
            else:
                out[index] = merge(out[index], item, core=core)
        return out
    return copy.deepcopy(patch)


def set_image(objects: list[Object], image: dict) -> None:
    for obj in objects:
        pod = obj.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            name, _, tag = container["image"].partition(":")
            if name == image["name"]:
                container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"
