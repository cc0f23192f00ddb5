"""A stand-in Kubernetes cluster for tests: a loopback API server the official `kubernetes` client talks to over
real HTTP (api_server.py), with Argo Workflows' and KServe's controllers played by workflows.py and serving.py, and
an ingress routing by Host to ready predictors.

    with kube_standin() as kube:                   # or the fixture in fixtures.py
        cluster = KubernetesCluster(kube.api_client())
        ...
        kube.workflows.wait(namespace, name)       # a Workflow's run ended
        kube.workflows.gc_pods(namespace, name)    # its pods (and logs) gone, as after podGC
        kube.fail_next("POST", "/workflows", 503)  # the next submit meets a transient error
        http.client.HTTPConnection(...ingress port...).request("POST", path, headers={"Host": status.url's host})

    kube_standin(accept_eks_tokens=True)           # also takes eks_token.py's tokens: eks_auth.eks_cluster(kube.url,
                                                   # "", name, region) reaches it as the task functions reach EKS
    kube_standin(s3_endpoint_url=moto_server_url)  # artifacts via a moto server instead of in-process moto

Every Workflow and InferenceService is validated with tests/support/cluster_schemas.py (hera's and kserve's models)
and refused with 422 naming the field, as the CRDs' schemas and webhooks refuse it.

Where it differs from a real cluster (each module says more): containers are host processes (images are not
pulled, nothing is isolated, `python` is this interpreter, declared container paths are mapped into a temp folder);
no scheduling, resource limits, node selectors, image pull secrets or service account permissions are enforced
(secretKeyRefs are: a pod reads only its own namespace's Secrets); no watches (clients poll); Argo's node names
lack the `[i]` step-group indices and pod names end in a sequence number instead of a hash; KServe runs only
custom predictor containers (`spec.predictor.containers`), one replica, no autoscaling, readiness by TCP connect
or the readinessProbe's httpGet path.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator, Optional

from .api_server import Cluster, make_handler
from .objects import QuietServer
from .artifacts import S3Access, secret_reader
from .serving import ServingController, make_ingress
from .workflows import WorkflowController

TEST_TOKEN = "stand-in-test-token"


class KubeStandIn:
    def __init__(self, token: str = TEST_TOKEN, s3_endpoint_url: Optional[str] = None, domain: str = "example.com",
                 accept_eks_tokens: bool = False):
        """`accept_eks_tokens`: also take the tokens eks_token.py makes (checked as EKS's authenticator checks
        them, eks_tokens.py), for tests that go through the EKS wiring (eks_auth.eks_api_client)."""
        self.token = token
        self.cluster = Cluster(token, accept_eks_tokens)
        self.s3 = S3Access(secret_reader(self.cluster.objects), s3_endpoint_url)
        self.workflows = WorkflowController(self.cluster, self.s3)
        self.serving = ServingController(self.cluster, domain)
        self.server = QuietServer(("127.0.0.1", 0), make_handler(self.cluster))
        self.server.daemon_threads = True
        self.ingress = make_ingress(self.serving)
        self._threads = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def ingress_url(self) -> str:
        return f"http://127.0.0.1:{self.ingress.server_address[1]}"

    def start(self) -> "KubeStandIn":
        for server in (self.server, self.ingress):
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self.workflows.stop_all()
        self.serving.stop_all()
        for server in (self.server, self.ingress):
            server.shutdown()
            server.server_close()

    def fail_next(self, method: str, path_part: str, code: int, message: str = "injected by the test") -> None:
        """The next matching request is answered `code` with a Status body (e.g. 503, 429, 500)."""
        self.cluster.fail_next(method, path_part, code, message)

    def configuration(self, token: Optional[str] = None):
        from kubernetes import client
        config = client.Configuration()
        config.host = self.url
        config.api_key["authorization"] = token or self.token
        config.api_key_prefix["authorization"] = "Bearer"
        return config

    def api_client(self, token: Optional[str] = None):
        """A `kubernetes.client.ApiClient` configured for this stand-in (bearer token, plain HTTP on loopback)."""
        from kubernetes import client
        return client.ApiClient(self.configuration(token))


@contextlib.contextmanager
def kube_standin(**kwargs) -> Iterator[KubeStandIn]:
    standin = KubeStandIn(**kwargs).start()
    try:
        yield standin
    finally:
        standin.stop()
