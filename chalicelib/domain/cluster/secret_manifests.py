"""The tenant's secrets as Kubernetes Secrets in the resource group's namespace, where pods can use them:
docker registry secrets for `imagePullSecrets`, generic secrets for `secretKeyRef`/`secretRef`, and an object
store's credentials for Argo's `accessKeySecret`/`secretKeySecret`.

Names: the tenant's own name when Kubernetes takes it as a Secret name (a DNS-1123 subdomain), so the names
templates write (`imagePullSecrets: [{name: my-registry}]`, `secretKeyRef: {name: my-secret}`) work unchanged; a
name Kubernetes refuses (a docker secret may hold '_') gets a derived one, which `kubernetes_secret_name` gives the
renderers too. Labels say what a Secret is for and never carry a secret's value.
"""
from __future__ import annotations

import base64
import json
from typing import Any, Dict, List, Mapping, Union

from .names import is_subdomain, label_name

MANAGED_BY = {"app.kubernetes.io/managed-by": "aicore"}
KIND_LABEL = "ai.sap.com/secretKind"
DOCKER_CONFIG_KEY = ".dockerconfigjson"
ACCESS_KEY, SECRET_KEY = "accessKey", "secretKey"  # the keys Argo's examples and our Workflows name


def kubernetes_secret_name(name: str) -> str:
    return name if is_subdomain(name) else label_name("aic-secret", name)


def object_store_secret_name(store: str) -> str:
    """Ours, not the tenant's: prefixed so it never shadows a generic secret the tenant named the same."""
    return label_name("aic-objectstore", store)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _secret(name: str, namespace: str, kind: str, secret_type: str, data: Dict[str, str],
            source: str) -> Dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "namespace": namespace,
                         "labels": {**MANAGED_BY, KIND_LABEL: kind},
                         # the tenant's name of the secret (not a value): how a person finds its source
                         "annotations": {"ai.sap.com/secretName": source}},
            "type": secret_type, "data": data}


def docker_registry_secret(name: str, namespace: str, config: Union[str, Mapping[str, Any]]) -> Dict[str, Any]:
    """`config`: the Docker config (`{"auths": {...}}`, as DockerRegistrySecretService.read_config gives it) or its
    JSON text (what the record holds under `.dockerconfigjson`)."""
    text = config if isinstance(config, str) else json.dumps(config)
    return _secret(kubernetes_secret_name(name), namespace, "docker-registry", "kubernetes.io/dockerconfigjson",
                   {DOCKER_CONFIG_KEY: _b64(text)}, name)


def generic_secret(name: str, namespace: str, data: Mapping[str, str]) -> Dict[str, Any]:
    """`data`: the generic secret's data as AI Core takes it, each value already base64 (Kubernetes' encoding)."""
    return _secret(kubernetes_secret_name(name), namespace, "generic", "Opaque", dict(data), name)


def object_store_secret(store: str, namespace: str, access_key_id: str, secret_access_key: str) -> Dict[str, Any]:
    """The credentials of object store secret `store` (its AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), under the
    keys S3Location.credentials_secret promises."""
    return _secret(object_store_secret_name(store), namespace, "object-store", "Opaque",
                   {ACCESS_KEY: _b64(access_key_id), SECRET_KEY: _b64(secret_access_key)}, store)


def referenced_secrets(node: Any) -> List[str]:
    """The Secret names a pod spec (or any part of one) refers to through env `secretKeyRef` or envFrom
    `secretRef`, as written (the tenant's generic secret names), in order, once each."""
    found: List[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            for key in ("secretKeyRef", "secretRef"):
                ref = item.get(key)
                if isinstance(ref, dict) and isinstance(ref.get("name"), str):
                    found.append(ref["name"])
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(node)
    return list(dict.fromkeys(found))
