"""The stand-in's KServe controller (serverless mode, as KServe runs over Knative) and its ingress.

An applied InferenceService becomes a revision `<name>-predictor-<00001..>` (Knative's revision naming) whose
predictor container (`spec.predictor.containers[0]`, a custom container; model-format predictors need a serving
runtime image and are reported not ready) runs as a host process (processes.py). Port: Knative passes the
container's port to it in `PORT` (8080 unless `ports[0].containerPort` says otherwise); the stand-in sets `PORT`
to a free loopback port instead and routes to that, so the predictor must listen on `$PORT` (as Knative asks).
Ready when the port accepts connections (or the readinessProbe's httpGet path answers 2xx).

Status moves as KServe reports it: conditions PredictorReady, IngressReady and Ready (False, then True), `url`
`http://<name>-<namespace>.<domain>` (KServe's default ingress.domainTemplate), `address.url`, `components.predictor` (latestCreatedRevision,
latestReadyRevision, url, traffic). A predictor that exits before it is ready: Ready False with reason
RevisionFailed and Knative's message `Revision "<rev>" failed with message: Container failed with: <last log
line>.`, `modelStatus` FailedToLoad/BlockedByFailedLoad with the exit code (KServe's
inference_service_status.go); its pod and log are kept. A new spec rolls over: the new revision must be ready before
traffic moves to it and the old one stops; when it fails, traffic stays on the last ready revision. Delete stops
everything. `spec.predictor.canaryTrafficPercent` on a new spec: once the new revision is ready it takes that share
(traffic tags latest/prev, chosen at random per request) and the previous one keeps the rest; changing only the
percent moves the split, and removing it (or 100) promotes the canary and retires the previous revision, as
KServe's canary rollout does, without a new revision.

The ingress (`Ingress`) is a loopback HTTP server routing by `Host` to the ready revision, as the cluster's
Istio/Kourier gateway does.
"""
from __future__ import annotations

import copy
import http.client
import random
import shutil
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, Dict, List, Optional

from .api_server import Cluster
from .objects import QuietServer, now_text
from .processes import HostProcess

ISVC_LABEL = "serving.kserve.io/inferenceservice"
READY_TIMEOUT = 30.0
DRAIN_SECONDS = 1.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _condition(kind: str, ok: bool, reason: str = "", message: str = "") -> Dict[str, Any]:
    condition = {"type": kind, "status": "True" if ok else "False", "lastTransitionTime": now_text()}
    if reason:
        condition["reason"] = reason
    if message:
        condition["message"] = message
    return condition


class _Revision:
    def __init__(self, name: str, pod: str, port: int):
        self.name, self.pod, self.port = name, pod, port
        self.process: Optional[HostProcess] = None
        self.ready = False
        self.workdir: Optional[str] = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


class _Service:
    def __init__(self):
        self.lock = threading.Lock()
        self.revisions: List[_Revision] = []
        self.serving: Optional[_Revision] = None  # where the route sends traffic (the rolled-out revision)
        self.canary: Optional[_Revision] = None  # the new revision taking `percent` of it (canaryTrafficPercent)
        self.percent = 0
        self.spec: Optional[Dict[str, Any]] = None
        self.deleted = False


class ServingController:
    def __init__(self, cluster: Cluster, domain: str = "example.com"):
        self.cluster = cluster
        self.domain = domain
        self.services: Dict[tuple, _Service] = {}
        self.lock = threading.Lock()
        cluster.watchers.append(self._on_event)

    def _on_event(self, event: str, resource: str, namespace: str, name: str) -> None:
        if resource != "inferenceservices":
            return
        key = (namespace, name)
        with self.lock:
            service = self.services.setdefault(key, _Service()) if event != "DELETED" else self.services.pop(key, None)
        if service is None:
            return
        if event == "DELETED":
            with service.lock:
                service.deleted = True
                for revision in service.revisions:
                    revision.stop()
                    self.cluster.objects.delete(("pods", namespace, revision.pod))
                    self.cluster.logs.pop((namespace, revision.pod), None)
            return
        manifest = self.cluster.objects.get(("inferenceservices", namespace, name)) or {}
        with service.lock:
            generation = len(service.revisions) + 1
            if event == "MODIFIED" and service.revisions and manifest.get("spec") == service.spec:
                return  # a metadata change: nothing to roll
            if event == "MODIFIED" and service.revisions and _without_canary(manifest.get("spec")) == \
                    _without_canary(service.spec):
                service.spec = copy.deepcopy(manifest.get("spec"))
                retired = self._shift(service, _canary_percent(manifest))
                latest = service.revisions[-1]
            else:
                retired, latest = None, None
        if latest is not None:  # only the traffic split changed: no new revision (KServe's promotion)
            if retired is not None:
                threading.Thread(target=self._drain, args=(namespace, retired), daemon=True).start()
            self._status(namespace, name, service, latest, None)
            return
        with service.lock:
            service.spec = copy.deepcopy(manifest.get("spec"))
            revision = _Revision(f"{name}-predictor-{generation:05d}", f"{name}-predictor-{generation:05d}-deployment",
                                 free_port())
            service.revisions.append(revision)
        threading.Thread(target=self._roll, args=(namespace, name, service, revision, manifest), daemon=True,
                         name=f"kserve-{revision.name}").start()

    # -- a revision's life ------------------------------------------------------------------------------------
    def _roll(self, namespace: str, name: str, service: _Service, revision: _Revision, manifest: Dict[str, Any]):
        predictor = (manifest.get("spec") or {}).get("predictor") or {}
        self._status(namespace, name, service, revision, None)
        containers = predictor.get("containers") or []
        if not containers:
            self._status(namespace, name, service, revision, ("RevisionFailed", "The stand-in runs custom predictor "
                                                              "containers only (spec.predictor.containers)."))
            return
        container = containers[0]
        argv = [str(a) for a in (container.get("command") or []) + (container.get("args") or [])]
        env = {e["name"]: str(e.get("value", "")) for e in container.get("env") or [] if "value" in e}
        env["PORT"] = str(revision.port)
        env.update({"K_REVISION": revision.name, "K_SERVICE": f"{name}-predictor", "K_CONFIGURATION":
                    f"{name}-predictor"})
        log = self.cluster.logs.setdefault((namespace, revision.pod), [])
        self.cluster.objects.create(("pods", namespace, revision.pod), {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": revision.pod, "labels": {ISVC_LABEL: name, "component": "predictor",
                                                          "serving.knative.dev/revision": revision.name}},
            "spec": {"containers": [{"name": "kserve-container", "image": container.get("image")},
                                    {"name": "queue-proxy", "image": "knative/queue"}]},
            "status": {"phase": "Running", "startTime": now_text()}})
        with service.lock:
            if service.deleted:
                return
            revision.workdir = tempfile.mkdtemp(prefix=f"{revision.name}-")
            revision.process = HostProcess(argv, env, revision.workdir, log) if argv else None
        if revision.process is None:
            self._crashed(namespace, name, service, revision, "the stand-in needs a command (images are not run)", 1)
            return
        probe = ((container.get("readinessProbe") or {}).get("httpGet") or {}).get("path")
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if revision.process.wait(0.05):
                last = next((line.split(" ", 1)[1] for line in reversed(log) if line.split(" ", 1)[1:] != [""]), "")
                self._crashed(namespace, name, service, revision, last, revision.process.exit_code)
                return
            if _answers(revision.port, probe):
                break
        else:
            revision.process.kill()
            self._crashed(namespace, name, service, revision, "not ready within the progress deadline", None)
            return
        with service.lock:
            if service.deleted:
                revision.stop()
                return
            revision.ready = True
            retired = [service.canary] if service.canary is not None else []
            percent = _canary_percent(manifest)
            if percent is not None and service.serving is not None:  # a canary: the old one keeps the rest
                service.canary, service.percent = revision, percent
            else:
                retired.append(service.serving)
                service.serving, service.canary = revision, None
        for old in retired:  # the new revision is ready first: no request is dropped
            if old is not None and old is not revision:
                threading.Thread(target=self._drain, args=(namespace, old), daemon=True).start()
        self._status(namespace, name, service, revision, None)
        threading.Thread(target=self._watch, args=(namespace, name, service, revision), daemon=True).start()

    @staticmethod
    def _shift(service: _Service, percent: Optional[int]) -> Optional[_Revision]:
        """A new canaryTrafficPercent on the same predictor: promote the canary (none or 100) or move the split.
        Returns the revision that no longer gets traffic."""
        if service.canary is None:
            return None
        if percent is None:
            retired, service.serving, service.canary = service.serving, service.canary, None
            return retired
        service.percent = percent
        return None

    def _drain(self, namespace: str, old: _Revision) -> None:
        """Requests already sent to the old revision finish (Knative's queue-proxy drains) before it stops."""
        time.sleep(DRAIN_SECONDS)
        old.stop()
        self._pod_ended(namespace, old.pod, 0, "Completed")

    def _watch(self, namespace, name, service, revision) -> None:
        """A ready predictor that exits: the pod ends (Knative would restart it; the stand-in reports the crash)."""
        process = revision.process
        while not process.wait(0.2):
            pass
        with service.lock:
            if service.deleted or service.serving is not revision:
                return
            service.serving = None
        log = self.cluster.logs.get((namespace, revision.pod)) or []
        last = next((line.split(" ", 1)[1] for line in reversed(log)), "")
        self._crashed(namespace, name, service, revision, last, process.exit_code)

    def _crashed(self, namespace, name, service, revision, last_line: str, exit_code) -> None:
        message = f'Revision "{revision.name}" failed with message: Container failed with: {last_line}.'
        self._pod_ended(namespace, revision.pod, exit_code, "Error")
        self._status(namespace, name, service, revision, ("RevisionFailed", message), exit_code)

    def _pod_ended(self, namespace: str, pod_name: str, exit_code, reason: str) -> None:
        pod = self.cluster.objects.get(("pods", namespace, pod_name))
        if pod is None:
            return
        pod["status"] = {"phase": "Succeeded" if reason == "Completed" else "Failed",
                         "startTime": pod["status"].get("startTime"),
                         "containerStatuses": [{"name": "kserve-container", "state": {"terminated": {
                             "exitCode": exit_code if exit_code is not None else 1, "reason": reason,
                             "finishedAt": now_text()}}}]}
        self.cluster.objects.put(("pods", namespace, pod_name), pod)

    def _status(self, namespace, name, service, revision, failure, exit_code=None) -> None:
        key = ("inferenceservices", namespace, name)
        current = self.cluster.objects.get(key)
        if current is None or service.deleted:
            return
        with service.lock:
            serving, canary, percent = service.serving, service.canary, service.percent
            ready = failure is None and revision in (serving, canary)
        url = f"http://{name}-{namespace}.{self.domain}"
        predictor_url = f"http://{name}-predictor-{namespace}.{self.domain}"
        status: Dict[str, Any] = {"observedGeneration": current["metadata"].get("generation", 1)}
        reason, message = failure or ("", "")
        if ready:
            conditions = [_condition("IngressReady", True), _condition("PredictorReady", True),
                          _condition("Ready", True)]
        else:
            conditions = [_condition("IngressReady", serving is not None),
                          _condition("PredictorReady", False, reason, message),
                          _condition("Ready", False, reason, message)]
        status["conditions"] = conditions
        if serving is not None:
            status["url"] = url
            status["address"] = {"url": f"http://{name}.{namespace}.svc.cluster.local"}
        component: Dict[str, Any] = {"latestCreatedRevision": revision.name}
        if canary is not None and serving is not None:
            component.update(latestReadyRevision=canary.name, latestRolledoutRevision=serving.name,
                             url=predictor_url,
                             traffic=[{"revisionName": canary.name, "percent": percent, "latestRevision": True,
                                       "tag": "latest"},
                                      {"revisionName": serving.name, "percent": 100 - percent,
                                       "latestRevision": False, "tag": "prev"}])
        elif serving is not None:
            component.update(latestReadyRevision=serving.name, latestRolledoutRevision=serving.name,
                             url=predictor_url,
                             traffic=[{"revisionName": serving.name, "percent": 100,
                                       "latestRevision": serving is revision}])
        status["components"] = {"predictor": component}
        if failure:
            status["modelStatus"] = {"transitionStatus": "BlockedByFailedLoad",
                                     "states": {"activeModelState": "Loaded" if serving else "",
                                                "targetModelState": "FailedToLoad"},
                                     "lastFailureInfo": {"reason": "ModelLoadFailed", "location": revision.pod,
                                                         "message": message, "exitCode": exit_code or 0}}
        elif ready:
            status["modelStatus"] = {"transitionStatus": "UpToDate",
                                     "states": {"activeModelState": "Loaded", "targetModelState": "Loaded"}}
        else:
            status["modelStatus"] = {"transitionStatus": "InProgress",
                                     "states": {"activeModelState": "Loaded" if serving else "Pending",
                                                "targetModelState": "Pending"}}
        self.cluster.objects.update_status(key, status)

    def route(self, host: str) -> Optional[int]:
        """The loopback port serving `host` (`<name>[-predictor]-<namespace>.<domain>`), or None."""
        host = host.split(":", 1)[0]
        with self.lock:
            service = next((s for (namespace, name), s in self.services.items()
                            if host in (f"{name}-{namespace}.{self.domain}",
                                        f"{name}-predictor-{namespace}.{self.domain}")), None)
        if service is None:
            return None
        with service.lock:
            if service.canary is not None and random.uniform(0, 100) < service.percent:
                return service.canary.port
            return service.serving.port if service.serving is not None else None

    def stop_all(self) -> None:
        with self.lock:
            services = list(self.services.values())
        for service in services:
            with service.lock:
                service.deleted = True
                for revision in service.revisions:
                    revision.stop()


def _canary_percent(manifest: Dict[str, Any]) -> Optional[int]:
    """spec.predictor.canaryTrafficPercent, None when absent or 100 (all traffic to the latest revision)."""
    value = (((manifest.get("spec") or {}).get("predictor") or {}).get("canaryTrafficPercent"))
    return None if value in (None, 100, "100") else int(value)


def _without_canary(spec: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    if not isinstance(spec, dict):
        return spec
    predictor = {k: v for k, v in (spec.get("predictor") or {}).items() if k != "canaryTrafficPercent"}
    return dict(spec, predictor=predictor)


def _answers(port: int, path: Optional[str]) -> bool:
    try:
        if not path:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        connection.request("GET", path)
        ok = 200 <= connection.getresponse().status < 300
        connection.close()
        return ok
    except OSError:
        return False


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
              "proxy-authenticate"}


def make_ingress(controller: ServingController) -> QuietServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _proxy(self):
            port = controller.route(self.headers.get("Host") or "")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if port is None:
                data = b"no route to host\n"
                self.send_response(404)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            upstream = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            self.send_response(answer.status, answer.reason)
            for k, v in answer.getheaders():
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while True:  # streamed as the predictor writes it
                chunk = answer.read1(65536) if hasattr(answer, "read1") else answer.read(65536)
                if not chunk:
                    break
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            upstream.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _proxy

    server = QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server
