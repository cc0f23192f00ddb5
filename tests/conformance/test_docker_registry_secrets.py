"""Docker registry secrets (tenant level) through ai-core-sdk: names only ever come back."""
import json

import pytest
import requests
from ai_api_client_sdk.exception import AIAPINotFoundException

from tests.support.conformance import bearer

NAME = "conf-registry"
PASSWORD = "conformance-registry-password"


def config(password: str) -> dict:
    return {".dockerconfigjson": json.dumps({"auths": {"docker.io": {"username": "conf", "password": password}}})}


def test_docker_registry_secret_lifecycle(core, stack):
    assert core.docker_registry_secrets.create(NAME, config(PASSWORD)).message
    assert core.docker_registry_secrets.get(NAME).name == NAME
    listed = core.docker_registry_secrets.query()
    assert NAME in [s.name for s in listed.resources] and listed.count == len(listed.resources)

    modified = core.docker_registry_secrets.modify(NAME, config(PASSWORD + "-rotated"))
    assert modified.id == NAME and modified.message

    raw = requests.get(f"{stack.exports['AICORE_BASE_URL']}/admin/dockerRegistrySecrets/{NAME}", timeout=10,
                       headers={"Authorization": bearer(stack.exports)})
    assert raw.json() == {"name": NAME}

    assert core.docker_registry_secrets.delete(NAME).id == NAME
    with pytest.raises(AIAPINotFoundException):
        core.docker_registry_secrets.get(NAME)
    assert NAME not in [s.name for s in core.docker_registry_secrets.query().resources]


def test_other_tenant_does_not_see_it(core, acme):
    core.docker_registry_secrets.create("conf-registry-private", config(PASSWORD))
    core.docker_registry_secrets.create("conf-registry-second", config(PASSWORD))
    first, second = core.docker_registry_secrets.query(top=1), core.docker_registry_secrets.query(top=1, skip=1)
    assert len(first.resources) == len(second.resources) == 1 and first.resources[0].name != second.resources[0].name
    assert "conf-registry-private" not in [s.name for s in acme.docker_registry_secrets.query().resources]
    with pytest.raises(AIAPINotFoundException):
        acme.docker_registry_secrets.get("conf-registry-private")
