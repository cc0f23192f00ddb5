"""The conformance suite drives the real local stack with the official SAP clients, configured only from
the exports the stack prints (as a user pastes them)."""
from __future__ import annotations

import pytest

from tests.support.stack_process import StackProcess


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    from tests.support.conformance import images_yaml

    home = tmp_path_factory.mktemp("aicore-home")
    (home / "images.yaml").write_text(images_yaml())
    process = StackProcess(home).start()
    yield process
    process.stop()


def core_client(exports: dict):
    from ai_core_sdk.ai_core_v2_client import AICoreV2Client

    return AICoreV2Client(base_url=exports["AICORE_BASE_URL"], auth_url=exports["AICORE_AUTH_URL"],
                          client_id=exports["AICORE_CLIENT_ID"], client_secret=exports["AICORE_CLIENT_SECRET"],
                          resource_group=exports["AICORE_RESOURCE_GROUP"])


def api_client(exports: dict):
    from ai_api_client_sdk.ai_api_v2_client import AIAPIV2Client

    return AIAPIV2Client(base_url=exports["AICORE_BASE_URL"] + "/lm", auth_url=exports["AICORE_AUTH_URL"],
                         client_id=exports["AICORE_CLIENT_ID"], client_secret=exports["AICORE_CLIENT_SECRET"],
                         resource_group=exports["AICORE_RESOURCE_GROUP"])


@pytest.fixture(scope="session")
def core(stack):
    return core_client(stack.exports)


@pytest.fixture(scope="session")
def lm(stack):
    return api_client(stack.exports)


@pytest.fixture(scope="session")
def acme(stack):
    """A second tenant, minted with `make tenant`'s code path while the stack runs."""
    return core_client(stack.mint_tenant("acme"))


@pytest.fixture(scope="session")
def catalog(core, tmp_path_factory):
    """The suite's scenario (tests.support.conformance.SCENARIO), synced from Git once per session."""
    from tests.support.conformance import SCENARIO, onboard, suite_templates

    onboard(core, tmp_path_factory.mktemp("suite-repo"), suite_templates(), "conf-suite-repo", "conf-suite-app")
    return SCENARIO
