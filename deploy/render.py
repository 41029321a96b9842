#!/usr/bin/env python3
"""Render a kustomize overlay of deploy/k8s into one multi-document YAML.

`kubectl kustomize` is not available on every machine this project runs on,
so this script implements the small subset of kustomize that deploy/k8s
uses, and refuses everything else (an unknown kustomization key is an error,
never silently ignored):

  resources   files (one or more YAML documents) and directories holding a
              kustomization.yaml (rendered recursively, as kustomize does)
  patches     `- path: FILE` only: a strategic-merge-like patch whose
              apiVersion/kind/metadata.name names exactly one resource
  namespace   sets metadata.namespace on every namespaced resource
  images      `name` with `newName`, `newTag` and/or `digest`, applied to
              every containers[].image / initContainers[].image

Patch merge rules (a subset of strategic merge patch, enough for the patches
in this tree):
  * mappings merge key by key, recursively; a null value deletes the key;
  * lists whose items are all mappings with a `name` key (containers, env,
    volumes, ports with names) merge item by item on `name`; new names are
    appended;
  * every other list, and every scalar, is replaced by the patch's value.

Order of operations per kustomization (as kustomize): resources, then
patches, then namespace, then images. Output order follows kustomize's
"legacy" kind order so that Namespaces come first.

Usage:
  python3 deploy/render.py deploy/k8s/overlays/prod            > prod.yaml
  python3 deploy/render.py deploy/k8s/overlays/prod -o prod.yaml
  python3 deploy/render.py deploy/k8s/overlays/prod --same-as kubectl.yaml
      (exit 1 unless the rendering equals that file, document for document)
"""

from __future__ import annotations

import argparse
import copy
import pathlib
import sys
from typing import Any

import yaml

ALLOWED_KEYS = {"apiVersion", "kind", "resources", "patches", "namespace", "images"}
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
}
# kustomize's legacy sort order (api/resid/gvk.go): these kinds first, in
# this order, then all other kinds alphabetically, then the webhook kinds.
ORDER_FIRST = [
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
]
ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]


class RenderError(Exception):
    """A kustomization that this renderer cannot render exactly."""


def load_docs(path: pathlib.Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    for d in docs:
        if not isinstance(d, dict) or "kind" not in d or "metadata" not in d:
            raise RenderError(f"{path}: every document needs kind and metadata")
    return docs


def key(doc: dict[str, Any]) -> tuple[str, str]:
    return doc["kind"], doc["metadata"]["name"]


def merge(base: Any, patch: Any) -> Any:
    """Strategic-merge-like merge of `patch` into `base` (see module doc)."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            if v is None:
                out.pop(k, None)
            elif k in out:
                out[k] = merge(out[k], v)
            else:
                out[k] = copy.deepcopy(v)
        return out
    if isinstance(base, list) and isinstance(patch, list) and _named(base) and _named(patch):
        out = list(base)
        index = {item["name"]: i for i, item in enumerate(out)}
        for item in patch:
            if item["name"] in index:
                i = index[item["name"]]
                out[i] = merge(out[i], item)
            else:
                out.append(copy.deepcopy(item))
        return out
    return copy.deepcopy(patch)


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "name" in i for i in items)


def split_image(image: str) -> tuple[str, str]:
    """'repo/name:tag@sha256:..' -> ('repo/name', ':tag@sha256:..')."""
    name, at, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon:] + at + digest
    return name, at + digest


def set_images(node: Any, images: list[dict[str, Any]]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("containers", "initContainers") and isinstance(v, list):
                for c in v:
                    if isinstance(c, dict) and isinstance(c.get("image"), str):
                        c["image"] = new_image(c["image"], images)
            set_images(v, images)
    elif isinstance(node, list):
        for v in node:
            set_images(v, images)


def new_image(image: str, images: list[dict[str, Any]]) -> str:
    name, suffix = split_image(image)
    for rule in images:
        unknown = set(rule) - {"name", "newName", "newTag", "digest"}
        if unknown:
            raise RenderError(f"images: unsupported keys {sorted(unknown)}")
        if rule["name"] != name:
            continue
        name = rule.get("newName", name)
        if "digest" in rule:
            suffix = "@" + str(rule["digest"])
        elif "newTag" in rule:
            suffix = ":" + str(rule["newTag"])
        return name + suffix
    return image


def render(directory: pathlib.Path) -> list[dict[str, Any]]:
    kfile = directory / "kustomization.yaml"
    if not kfile.is_file():
        raise RenderError(f"{directory}: no kustomization.yaml")
    with kfile.open(encoding="utf-8") as f:
        k = yaml.safe_load(f) or {}
    unknown = set(k) - ALLOWED_KEYS
    if unknown:
        raise RenderError(f"{kfile}: unsupported kustomization keys {sorted(unknown)}")

    docs: list[dict[str, Any]] = []
    for res in k.get("resources", []):
        path = (directory / res).resolve()
        docs.extend(render(path) if path.is_dir() else load_docs(path))
    seen: set[tuple[str, str]] = set()
    for d in docs:
        if key(d) in seen:
            raise RenderError(f"{directory}: duplicate resource {key(d)}")
        seen.add(key(d))

    for p in k.get("patches", []):
        if set(p) != {"path"}:
            raise RenderError(f"{kfile}: only `- path: FILE` patches are supported")
        for patch in load_docs(directory / p["path"]):
            targets = [i for i, d in enumerate(docs) if key(d) == key(patch)
                       and d.get("apiVersion") == patch.get("apiVersion")]
            if len(targets) != 1:
                raise RenderError(f"{p['path']}: patch target {key(patch)} not found")
            docs[targets[0]] = merge(docs[targets[0]], patch)

    if "namespace" in k:
        for d in docs:
            if d["kind"] not in CLUSTER_SCOPED:
                d["metadata"]["namespace"] = k["namespace"]

    if "images" in k:
        for d in docs:
            set_images(d, k["images"])
    return docs


def legacy_order(doc: dict[str, Any]) -> tuple[int, str, str, str]:
    kind = doc["kind"]
    if kind in ORDER_FIRST:
        rank = ORDER_FIRST.index(kind)
    elif kind in ORDER_LAST:
        rank = len(ORDER_FIRST) + 1 + ORDER_LAST.index(kind)
    else:
        rank = len(ORDER_FIRST)
    meta = doc["metadata"]
    return rank, kind, meta.get("namespace", ""), meta["name"]


def dump(docs: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False, default_flow_style=False)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("overlay", type=pathlib.Path, help="directory with kustomization.yaml")
    ap.add_argument("-o", "--output", type=pathlib.Path, help="write here instead of stdout")
    ap.add_argument("--same-as", type=pathlib.Path,
                    help="compare with another rendering (e.g. kubectl kustomize output)")
    args = ap.parse_args(argv)
    try:
        docs = sorted(render(args.overlay.resolve()), key=legacy_order)
    except (RenderError, OSError, yaml.YAMLError) as e:
        print(f"render.py: {e}", file=sys.stderr)
        return 2
    if args.same_as:
        theirs = sorted(load_docs(args.same_as), key=legacy_order)
        if theirs != docs:
            mine_k = [key(d) for d in docs]
            their_k = [key(d) for d in theirs]
            print(f"render.py: {args.overlay} differs from {args.same_as}", file=sys.stderr)
            if mine_k != their_k:
                print(f"  resources: {mine_k} vs {their_k}", file=sys.stderr)
            for a, b in zip(docs, theirs):
                if a != b:
                    print(f"  {key(a)} differs:\n--- render.py\n{dump([a])}--- other\n{dump([b])}",
                          file=sys.stderr)
            return 1
        return 0
    text = dump(docs)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
