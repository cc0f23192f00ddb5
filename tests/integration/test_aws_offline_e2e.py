"""The AWS path end to end, offline: the scenario of tests/e2e_aws/scenario.py (the one `make e2e-aws` runs against a
deployed stage) on the Chalice app with `AICORE_ENGINE=stepfunctions`.

What is real here: the Chalice app and its routes (chalice's test client), the packaged state machines executed by
moto's Step Functions (tests/support/aws_wiring.py), the real `cluster_task` handler and ClusterRunSteps in this
process, the real KubernetesCluster and the logs endpoints' PodLogReader talking HTTP to the stand-in cluster with
EKS tokens (STS presigned, as on EKS), KMS keys, DynamoDB and S3 on moto, the templates synced from a Git repository
by the git-poll function. What stands in: the cluster (tests/support/kube_standin: its pods are host processes),
and API Gateway's own hop in front of the inference path: a prediction invokes the `inference_authorizer` function
(chalice's Lambda test client) with the REQUEST event API Gateway would send for `deploymentUrl`, then sends the
request to the cluster's ingress with the Host the authorizer returned (`context.host`), as the VPC link's
HTTP_PROXY integration does. moto's DynamoDB and S3 are serialized (tests/support/moto_serial.py): not thread-safe.

One scenario for the module (onboarding and syncing cost more than the runs); each test starts its own runs.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

kube = pytest.importorskip("tests.support.kube_standin")
pytest.importorskip("moto")

from chalicelib.domain.cluster.inference_service import inference_service_name  # noqa: E402
from chalicelib.domain.cluster.namespaces import namespace_for  # noqa: E402
from tests.e2e_aws import scenario  # noqa: E402
from tests.e2e_aws.content import templates  # noqa: E402
from tests.e2e_aws.http_stage import KubeView  # noqa: E402
from tests.support import aws_e2e  # noqa: E402

DOMAIN = "e2e.example.com"  # KServe's ingressDomain: the stand-in's and the stack's (AICORE_INGRESS_DOMAIN)


class StandinView(KubeView):
    """The ClusterView `make e2e-aws` uses (the kubernetes client from a kubeconfig) on the stand-in; only podGC is
    the stand-in's own (its pods are host processes: their logs go with them)."""

    def __init__(self, standin, kubeconfig: Path):
        kubeconfig.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "standin",
            "clusters": [{"name": "standin", "cluster": {"server": standin.url}}],
            "users": [{"name": "tests", "user": {"token": standin.token}}],
            "contexts": [{"name": "standin", "context": {"cluster": "standin", "user": "tests"}}]}))
        super().__init__(str(kubeconfig))
        self.standin = standin

    def gc_pods(self, namespace, workflow):
        self.standin.workflows.gc_pods(namespace, workflow)


class OfflineStage:
    tenants = ("t1", "t2")
    patience = 40.0
    repo_auth = ("", "")

    def __init__(self, api, standin, root: Path):
        self.api, self.standin, self.repo_url = api, standin, str(root / "repo")
        self.cluster = StandinView(standin, root / "kubeconfig")

    def call(self, method, path, body=None, *, tenant, rg="default", headers=None, raw=None):
        return self.api.call(method, path, body, tenant=tenant, rg=rg, headers=headers, raw=raw)

    def sync_now(self):
        """EventBridge's git-poll rule firing: the function syncs what was refreshed."""
        tick = self.api.client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={},
            resources=["arn:aws:events:eu-central-1:123456789012:rule/poll"])
        self.api.client.lambda_.invoke("git-poll", tick)

    def authorize(self, tenant, deployment, proxy):
        """The `inference_authorizer` function's answer to the event API Gateway sends for `{deploymentUrl}/{proxy}`
        (invoked as Lambda runs it, with the stack's settings: the ingress domain and KServe's domain template)."""
        event = aws_e2e.authorizer_event(deployment["deploymentUrl"], self.api.token(tenant), "default", proxy)
        return self.api.client.lambda_.invoke("inference_authorizer", event).payload

    def predict(self, tenant, deployment, proxy=scenario.PREDICT):
        """API Gateway's hop: the authorizer decides and names the Host; the ingress routes by it."""
        policy = self.authorize(tenant, deployment, proxy)
        if policy["policyDocument"]["Statement"][0]["Effect"] != "Allow":
            return 403, {"message": "User is not authorized to access this resource"}  # API Gateway's answer
        host = policy["context"]["host"]
        isvc = self.cluster.get("inferenceservices", namespace_for(tenant, "default"),
                                inference_service_name(deployment["id"]))
        # the host the authorizer names is the one KServe reports serving the InferenceService under
        assert isvc is not None and isvc["status"]["url"] == f"http://{host}", (host, isvc and isvc.get("status"))
        return aws_e2e.through_ingress(self.standin.ingress_url, host, proxy)


@pytest.fixture(scope="module")
def e2e(tmp_path_factory):
    import boto3

    from app import app
    from chalicelib import bootstrap
    from chalicelib.settings import Settings
    from tests.support.api_client import Api
    from tests.support.aws_wiring import aws_wiring
    from tests.support.git_repo import commit_tree
    from tests.support.moto_serial import serialized_moto

    root = tmp_path_factory.mktemp("aws-e2e")
    settings = Settings(home=root / "aicore", stage="tst", aws_endpoint_url=None,
                        # Wait states of 0 s (the stand-in moves fast); a serving deployment is polled each second
                        cluster_poll_pending_seconds=0, cluster_poll_running_seconds=0,
                        cluster_poll_serving_seconds=1, eks_cluster_name="aicore-tst", ingress_domain=DOMAIN,
                        eks_ca_data="bm90IHVzZWQgb3ZlciBodHRw",  # the stand-in speaks plain HTTP: never read
                        eks_role_arn="arn:aws:iam::123456789012:role/aicore-tst-engine")
    with kube.kube_standin(accept_eks_tokens=True, domain=DOMAIN) as standin, aws_wiring(settings) as wiring, \
            serialized_moto():  # moto's backends are not thread-safe; DynamoDB and S3 are
        kms = boto3.client("kms", region_name=settings.aws_region)
        keys = {"kms_key_id": kms.create_key()["KeyMetadata"]["Arn"],
                "tracking_mac_key_id": kms.create_key(KeySpec="HMAC_256",
                                                      KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["Arn"]}
        wiring.settings = settings.model_copy(update={"eks_endpoint": standin.url, **keys})
        container = wiring.configure()
        commit_tree(root / "repo", templates())
        yield scenario.Scenario(OfflineStage(Api(app, container.settings), standin, root)).onboard()
    bootstrap.reset()


@pytest.mark.parametrize("check", scenario.CHECKS, ids=[check.__name__ for check in scenario.CHECKS])
def test_the_aws_scenario_offline(e2e, check):
    check(e2e)
