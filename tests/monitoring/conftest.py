"""Monitoring tests: a local stack of their own (its operator token and registry start empty), driven over HTTP."""
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


@pytest.fixture(scope="session")
def core(stack):
    from tests.conformance.conftest import core_client

    return core_client(stack.exports)


@pytest.fixture(scope="session")
def catalog(stack, core, tmp_path_factory):
    """The suite's scenario (serving template included) synced from Git once: two applications over the same
    templates would clash. The fixture predictor's image is mapped in the stack's images.yaml."""
    from tests.support.conformance import SCENARIO, onboard, suite_templates
    from tests.support.serving_conformance import map_serve_image

    onboard(core, tmp_path_factory.mktemp("monitoring-repo"), suite_templates(), "monitoring-repo", "monitoring-app")
    map_serve_image(stack.home)
    return SCENARIO
