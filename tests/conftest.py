"""Shared fixtures: settings in a temporary AICORE_HOME, in-process moto, the app behind chalice.test."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")


@pytest.fixture(autouse=True)
def _os_environ_put_back():
    """chalice.test swaps `os.environ` for a copy holding the stage's variables (AICORE_AUTH_MODE=oidc) during each
    call, then puts back what it found. Two calls overlapping on threads (the AWS wiring's state machines call in
    beside a test's own requests) can leave a copy in place for every later test: put the real one back."""
    original = os.environ
    yield
    if os.environ is not original:
        os.environ = original


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
