"""Shared fixtures: settings in a temporary AICORE_HOME, in-process moto, the app behind chalice.test."""
from __future__ import annotations

import contextlib
import os

import pytest

# The AWS scenario's checks live in a plain module shared by three test modules: show their failures' values.
pytest.register_assert_rewrite("tests.e2e_aws.scenario")

from chalice import test as chalice_test  # noqa: E402

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")


@contextlib.contextmanager
def _stage_variables_not_applied(self, environment_variables):
    """chalice.test swaps `os.environ` for a copy with the stage's variables (.chalice/config.json: AICORE_AUTH_MODE=
    oidc) during each call and puts back what it found. Not thread-safe: calls overlapping on threads (the AWS wiring's
    state machines call the functions beside a test's own requests) left a copy in place for every later test, and
    stacks started later inherited oidc. The tests configure the app's settings themselves, so nothing is applied."""
    yield


chalice_test.BaseClient._patched_env_vars = _stage_variables_not_applied


@pytest.fixture
def settings(tmp_path):
    from chalicelib.settings import Settings

    return Settings(home=tmp_path / "aicore", stage="tst", aws_endpoint_url=None)


@pytest.fixture
def aws(settings):
    """In-process moto with this stage's tables and bucket created from the production definitions."""
    from moto import mock_aws

    from chalicelib.adapters.local.emulator import provision

    with mock_aws():
        provision(settings)
        yield settings


@pytest.fixture
def api(aws):
    from app import app
    from chalicelib import bootstrap
    from tests.support.api_client import Api

    bootstrap.configure(aws)
    yield Api(app, aws)
    bootstrap.reset()
