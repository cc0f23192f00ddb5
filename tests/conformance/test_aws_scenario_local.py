"""The AWS path's scenario (tests/e2e_aws/scenario.py, what `make e2e-aws` runs against a deployed stage) over real
HTTP against the local stack: the same HTTP stage, tokens from the printed token URL, two tenants (the second
minted as `make tenant` does). There is no cluster to look at here, so the checks that need one are left out;
the rest must hold for the local engine as for Argo and KServe. It onboards twice, as a second `make e2e-aws`
against the same stage does."""
from __future__ import annotations

import pytest

from tests.e2e_aws import scenario
from tests.e2e_aws.content import templates
from tests.e2e_aws.http_stage import Credentials, HttpStage
from tests.support.git_repo import commit_tree


def _credentials(exports) -> Credentials:
    return Credentials(exports["AICORE_BASE_URL"].removesuffix("/v2"), exports["AICORE_AUTH_URL"],
                       exports["AICORE_CLIENT_ID"], exports["AICORE_CLIENT_SECRET"])


@pytest.fixture(scope="module")
def e2e(stack, tmp_path_factory):
    repo = tmp_path_factory.mktemp("e2e-aws-repo")
    commit_tree(repo, templates())
    tenants = {"first": _credentials(stack.exports), "second": _credentials(stack.mint_tenant("e2e-second"))}
    stage = HttpStage(tenants, repo.as_uri(), patience=60.0)
    scenario.Scenario(stage).onboard()  # a stage keeps what an earlier run made: the scenario runs again over it
    return scenario.Scenario(stage).onboard()


@pytest.mark.parametrize("check", scenario.CHECKS, ids=[check.__name__ for check in scenario.CHECKS])
def test_the_aws_scenario_on_the_local_stack(e2e, check):
    check(e2e)
