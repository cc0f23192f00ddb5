"""The stand-in's API server: the Kubernetes REST paths the adapter uses, over real HTTP on a loopback port.

Core v1: namespaces, serviceaccounts, secrets, pods (list with labelSelector), pods/{name}/log. Custom resources:
argoproj.io/v1alpha1 workflows and serving.kserve.io/v1beta1 inferenceservices (GET, POST, PUT, PATCH merge-patch,
DELETE). Errors are `Status` bodies with the API server's codes and wording (404 NotFound, 409 AlreadyExists or
Conflict, 422 Invalid naming the field, 401 without the expected bearer token). Every Workflow and InferenceService
is checked with tests/support/cluster_schemas.py (hera's Argo models, the kserve package's models) before it is
stored, as the CRDs' OpenAPI schemas and the admission webhooks check them on a real cluster.
"""
from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlparse

from tests.support.cluster_schemas import inference_service_problems, workflow_problems

from .eks_tokens import eks_token_problem
from .objects import Objects, merge_patch

CUSTOM = {"workflows": ("argoproj.io", "v1alpha1", "Workflow", workflow_problems),
          "inferenceservices": ("serving.kserve.io", "v1beta1", "InferenceService", inference_service_problems)}
CORE = {"serviceaccounts": "ServiceAccount", "secrets": "Secret", "pods": "Pod"}
ROUTES = [
    (re.compile(r"^/api/v1/namespaces/?$"), "namespaces", False),
    (re.compile(r"^/api/v1/namespaces/(?P<name>[^/]+)$"), "namespaces", False),
    (re.compile(r"^/api/v1/namespaces/(?P<ns>[^/]+)/pods/(?P<name>[^/]+)/log$"), "log", True),
    (re.compile(r"^/api/v1/namespaces/(?P<ns>[^/]+)/(?P<res>serviceaccounts|secrets|pods)(/(?P<name>[^/]+))?$"),
     "core", True),
    (re.compile(r"^/apis/rbac\.authorization\.k8s\.io/v1/namespaces/(?P<ns>[^/]+)/(?P<res>rolebindings)"
                r"(/(?P<name>[^/]+))?$"), "rbac", True),
    (re.compile(r"^/apis/(?P<group>argoproj\.io|serving\.kserve\.io)/(?P<version>v1alpha1|v1beta1)/namespaces/"
                r"(?P<ns>[^/]+)/(?P<res>workflows|inferenceservices)(/(?P<name>[^/]+))?$"), "custom", True),
]


class ApiError(Exception):
    def __init__(self, code: int, reason: str, message: str, details: Optional[Dict[str, Any]] = None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details or {}

    def body(self) -> Dict[str, Any]:
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": self.message,
                "reason": self.reason, "details": self.details, "code": self.code}


def not_found(plural: str, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{plural} "{name}" not found', {"name": name, "kind": plural.split(".")[0]})


class Cluster:
    """What the handler serves: the objects, the expected token, and controllers told of every change."""

    def __init__(self, token: str, accept_eks_tokens: bool = False):
        self.token = token
        self.accept_eks_tokens = accept_eks_tokens  # also take eks_token.py's tokens (eks_tokens.py checks them)
        self.objects = Objects()
        self.logs: Dict[Tuple[str, str], List[str]] = {}  # (namespace, pod) -> log lines with timestamps
        self.watchers: List[Callable[[str, str, str, str], None]] = []  # (event, resource, namespace, name)
        self.faults: List[Tuple[str, str, int, str]] = []  # (method, path part, code, message): answered once each

    def authorized(self, header: str) -> bool:
        if header == f"Bearer {self.token}":
            return True
        return self.accept_eks_tokens and header.startswith("Bearer ") and eks_token_problem(header[7:]) is None

    def fail_next(self, method: str, path_part: str, code: int, message: str = "injected by the test") -> None:
        """The next `method` request whose path contains `path_part` gets `code` (429, 500, 503 ...) with a Status
        body: how tests prove retries on transient errors."""
        self.faults.append((method.upper(), path_part, code, message))

    def take_fault(self, method: str, path: str) -> Optional["ApiError"]:
        for fault in list(self.faults):
            if fault[0] == method and fault[1] in path:
                self.faults.remove(fault)
                reasons = {429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable",
                           504: "Timeout", 403: "Forbidden", 400: "BadRequest"}
                return ApiError(fault[2], reasons.get(fault[2], "Unknown"), fault[3])
        return None

    def tell(self, event: str, resource: str, namespace: str, name: str) -> None:
        for watcher in self.watchers:
            watcher(event, resource, namespace, name)


def make_handler(cluster: Cluster):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet in test output
            pass

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def do_PUT(self):
            self._serve("PUT")

        def do_PATCH(self):
            self._serve("PATCH")

        def do_DELETE(self):
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if not cluster.authorized(self.headers.get("Authorization") or ""):
                    raise ApiError(401, "Unauthorized", "Unauthorized")
                url = urlparse(self.path)
                fault = cluster.take_fault(method, url.path)
                if fault is not None:
                    raise fault
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                body = json.loads(raw) if raw else None
                answer = route(cluster, method, url.path, query, body, self.headers.get("Content-Type") or "")
                if isinstance(answer, str):
                    self._send(200, answer.encode("utf-8"), "text/plain")
                else:
                    self._send(201 if method == "POST" else 200, json.dumps(answer).encode(), "application/json")
            except ApiError as err:
                self._send(err.code, json.dumps(err.body()).encode(), "application/json")
            except ValueError as err:
                bad = ApiError(400, "BadRequest", f"the body of the request could not be decoded: {err}")
                self._send(400, json.dumps(bad.body()).encode(), "application/json")

        def _send(self, code: int, data: bytes, kind: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def route(cluster: Cluster, method: str, path: str, query: Dict[str, str], body: Any, content_type: str):
    for pattern, kind, namespaced in ROUTES:
        match = pattern.match(path)
        if not match:
            continue
        params = match.groupdict()
        if kind == "namespaces":
            return namespaces(cluster, method, params.get("name"), body)
        if namespaced and cluster.objects.get(("namespaces", "", params["ns"])) is None and method != "DELETE":
            raise not_found("namespaces", params["ns"])
        if kind == "log":
            lines = cluster.logs.get((params["ns"], params["name"]))
            if lines is None or cluster.objects.get(("pods", params["ns"], params["name"])) is None:
                raise not_found("pods", params["name"])
            stamped = str(query.get("timestamps")).lower() == "true"
            return "".join((line if stamped else line.split(" ", 1)[1]) + "\n" for line in list(lines))
        resource = params["res"]
        if kind == "custom":
            group, version, kindname, check = CUSTOM[resource]
            api = (f"{group}/{version}", kindname, f"{resource}.{group}", check)
        elif kind == "rbac":
            api = ("rbac.authorization.k8s.io/v1", "RoleBinding", f"{resource}.rbac.authorization.k8s.io", None)
        else:
            api = ("v1", CORE[resource], resource, None)
        return objects(cluster, method, resource, params["ns"], params.get("name"), query, body, content_type, api)
    raise ApiError(404, "NotFound", f"the server could not find the requested resource ({path})")


def namespaces(cluster: Cluster, method: str, name: Optional[str], body: Any):
    if method == "POST":
        name = (body.get("metadata") or {}).get("name")
        if cluster.objects.get(("namespaces", "", name)) is not None:
            raise ApiError(409, "AlreadyExists", f'namespaces "{name}" already exists',
                           {"name": name, "kind": "namespaces"})
        created = cluster.objects.create(("namespaces", "", name), dict(body, status={"phase": "Active"}))
        cluster.tell("ADDED", "namespaces", "", name)
        return created
    if name is None:
        return {"kind": "NamespaceList", "apiVersion": "v1", "items": cluster.objects.list("namespaces", "")}
    found = cluster.objects.get(("namespaces", "", name))
    if found is None:
        raise not_found("namespaces", name)
    if method == "DELETE":  # what lives in it goes too (the namespace controller's finalizer)
        cluster.tell("DELETED", "namespaces", "", name)
        with cluster.objects.lock:
            for key in [k for k in cluster.objects.items if k[1] == name]:
                cluster.objects.delete(key)
                cluster.tell("DELETED", key[0], key[1], key[2])
            cluster.objects.delete(("namespaces", "", name))
        return {"kind": "Status", "apiVersion": "v1", "status": "Success", "details": {"name": name}}
    return found


def objects(cluster: Cluster, method: str, resource: str, ns: str, name: Optional[str], query: Dict[str, str],
            body: Any, content_type: str, api):
    api_version, kindname, plural, check = api
    store = cluster.objects
    if method == "GET" and name is None:
        return {"kind": f"{kindname}List", "apiVersion": api_version, "metadata": {},
                "items": store.list(resource, ns, query.get("labelSelector", ""))}
    if method == "POST":
        name = ((body or {}).get("metadata") or {}).get("name")
        body = _in_namespace(body, ns)
        _validate(body, api, name)
        if store.get((resource, ns, name)) is not None:
            raise ApiError(409, "AlreadyExists", f'{plural} "{name}" already exists', {"name": name, "kind": resource})
        created = store.create((resource, ns, name), dict(body, apiVersion=api_version, kind=kindname))
        cluster.tell("ADDED", resource, ns, name)
        return created
    key = (resource, ns, name)
    current = store.get(key)
    if current is None:
        raise not_found(plural, name)
    if method == "GET":
        return current
    if method == "DELETE":
        store.delete(key)
        cluster.tell("DELETED", resource, ns, name)
        return {"kind": "Status", "apiVersion": "v1", "status": "Success", "details": {"name": name, "kind": resource}}
    if method == "PUT":
        version = (body.get("metadata") or {}).get("resourceVersion")
        if version and version != current["metadata"]["resourceVersion"]:
            raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on {plural} "{name}": the object has '
                           "been modified; please apply your changes to the latest version and try again")
        new = dict(_in_namespace(body, ns), apiVersion=api_version, kind=kindname)
        new.setdefault("status", current.get("status"))  # status is a subresource: a PUT of the object keeps it
    elif isinstance(body, list):  # application/json-patch+json: only what a test might send
        raise ApiError(415, "UnsupportedMediaType", "the stand-in takes merge patches only")
    else:
        new = merge_patch(current, body)
    _validate(new, api, name)
    stored = store.put(key, new, spec_changed=new.get("spec") != current.get("spec"))
    cluster.tell("MODIFIED", resource, ns, name)
    return stored


def _in_namespace(body: Any, ns: str) -> Dict[str, Any]:
    """The API server takes the namespace from the path; a body naming another one is refused."""
    meta = dict((body or {}).get("metadata") or {})
    if meta.get("namespace") not in (None, "", ns):
        raise ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent "
                                          "on the request")
    meta["namespace"] = ns
    return dict(body or {}, metadata=meta)


def _validate(body: Any, api, name: Optional[str]) -> None:
    api_version, kindname, plural, check = api
    if check is None:
        return
    manifest = {k: v for k, v in (body or {}).items() if k != "status"}
    meta = dict(manifest.get("metadata") or {})
    for server_field in ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields"):
        meta.pop(server_field, None)
    manifest["metadata"] = meta
    problems = check(manifest)
    if problems:
        group = plural.split(".", 1)[1]
        raise ApiError(422, "Invalid", f'{kindname}.{group} "{name}" is invalid: ' + "; ".join(problems),
                       {"name": name, "group": group, "kind": kindname,
                        "causes": [{"reason": "FieldValueInvalid", "message": p} for p in problems]})
