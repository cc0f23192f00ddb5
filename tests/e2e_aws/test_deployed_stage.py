"""`make e2e-aws`: the scenario (tests/e2e_aws/scenario.py) against a deployed stage and its EKS cluster.

Needs, besides AWS credentials and a kubeconfig for the stage's cluster (the Makefile checks both):
- AICORE_E2E_API_URL: the stage's public URL (`PublicUrl`: https://<api-id>.execute-api.<region>.amazonaws.com/dev);
- AICORE_E2E_TOKEN_URL: the identity provider's token endpoint (client-credentials grant);
- AICORE_E2E_TENANT1_CLIENT_ID, _SECRET and AICORE_E2E_TENANT2_CLIENT_ID, _SECRET: two clients whose tokens carry
  two different tenants;
- AICORE_E2E_REPO_URL (and AICORE_E2E_REPO_USERNAME, _PASSWORD for a private one): an https Git repository holding
  what `python -m tests.e2e_aws.content DIR` writes.
AICORE_E2E_PATIENCE (seconds, default 900) bounds every wait: image pulls and KServe's rollouts take minutes.
Without AICORE_E2E_API_URL the module is skipped (`make test` collects it too).
"""
from __future__ import annotations

import os

import pytest

from tests.e2e_aws import scenario
from tests.e2e_aws.http_stage import Credentials, HttpStage, KubeView

pytestmark = pytest.mark.skipif(not os.environ.get("AICORE_E2E_API_URL"),
                                reason="needs a deployed stage: make e2e-aws (infra/README.md)")


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.fail(f"make e2e-aws needs {name} (see tests/e2e_aws/test_deployed_stage.py)")
    return value


@pytest.fixture(scope="module")
def e2e():
    api, token_url = _required("AICORE_E2E_API_URL"), _required("AICORE_E2E_TOKEN_URL")
    tenants = {f"tenant{n}": Credentials(api, token_url, _required(f"AICORE_E2E_TENANT{n}_CLIENT_ID"),
                                         _required(f"AICORE_E2E_TENANT{n}_CLIENT_SECRET")) for n in (1, 2)}
    stage = HttpStage(tenants, _required("AICORE_E2E_REPO_URL"),
                      (os.environ.get("AICORE_E2E_REPO_USERNAME", ""), os.environ.get("AICORE_E2E_REPO_PASSWORD", "")),
                      patience=float(os.environ.get("AICORE_E2E_PATIENCE", "900")), cluster=KubeView())
    return scenario.Scenario(stage).onboard()


@pytest.mark.parametrize("check", scenario.CHECKS, ids=[check.__name__ for check in scenario.CHECKS])
def test_the_aws_scenario_on_a_deployed_stage(e2e, check):
    check(e2e)
