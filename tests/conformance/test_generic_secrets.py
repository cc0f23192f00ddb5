"""Generic secrets through ai-core-sdk: tenant level by default (the client sends AI-Tenant-Scope: true), or in
one resource group; data is write-only."""
import base64

import pytest
import requests
from ai_api_client_sdk.exception import AIAPINotFoundException

from tests.support.conformance import bearer, provisioned_group

RG = "conf-generic"
VALUE = base64.b64encode(b"conformance generic secret").decode()
OTHER = base64.b64encode(b"rotated generic secret").decode()


@pytest.fixture(scope="module", autouse=True)
def group(core):
    provisioned_group(core, RG)


def names(listing) -> list:
    return sorted(s.name for s in listing.resources)


def test_tenant_scope_by_default(core, stack):
    assert core.secrets.create("conf-tenant-secret", {"api_key": VALUE}).message
    assert "conf-tenant-secret" in names(core.secrets.query())
    assert "conf-tenant-secret" not in names(core.secrets.query(resource_group=RG, ai_tenant_scope=False))

    raw = requests.get(stack.exports["AICORE_BASE_URL"] + "/admin/secrets", timeout=10,
                       headers={"Authorization": bearer(stack.exports), "AI-Tenant-Scope": "true"})
    assert "conf-tenant-secret" in raw.text and VALUE not in raw.text
    assert all("data" not in s for s in raw.json()["resources"])

    assert core.secrets.modify("conf-tenant-secret", {"api_key": OTHER}).message
    assert core.secrets.delete("conf-tenant-secret").message
    assert "conf-tenant-secret" not in names(core.secrets.query())
    with pytest.raises(AIAPINotFoundException):
        core.secrets.delete("conf-tenant-secret")


def test_resource_group_secret(core):
    created = core.secrets.create("conf-group-secret", {"api_key": VALUE}, resource_group=RG, ai_tenant_scope=False)
    assert created.message
    assert names(core.secrets.query(resource_group=RG, ai_tenant_scope=False)) == ["conf-group-secret"]
    assert "conf-group-secret" not in names(core.secrets.query())
    assert core.secrets.modify("conf-group-secret", {"other_key": OTHER}, resource_group=RG,
                               ai_tenant_scope=False).message
    with pytest.raises(AIAPINotFoundException):  # not at tenant level
        core.secrets.modify("conf-group-secret", {"api_key": VALUE})
    assert core.secrets.delete("conf-group-secret", resource_group=RG, ai_tenant_scope=False).message
    assert names(core.secrets.query(resource_group=RG, ai_tenant_scope=False)) == []


def test_listing_pages_with_dollar_top_and_skip(core):
    for name in ("conf-page-a", "conf-page-b"):
        core.secrets.create(name, {"k": VALUE}, resource_group=RG, ai_tenant_scope=False)
    first = core.secrets.query(top=1, resource_group=RG, ai_tenant_scope=False)
    second = core.secrets.query(top=1, skip=1, resource_group=RG, ai_tenant_scope=False)
    assert names(first) + names(second) == ["conf-page-a", "conf-page-b"]


def test_tenant_wide_secret_reaches_every_group(core, stack):
    # AI-Tenant-Scope: true (the client's default) with AI-Resource-Group: * -> replicated to every group.
    assert core.secrets.create("conf-wide-secret", {"token": VALUE}, resource_group="*").message
    raw = requests.get(stack.exports["AICORE_BASE_URL"] + "/admin/secrets", timeout=10,
                       headers={"Authorization": bearer(stack.exports), "AI-Tenant-Scope": "true",
                                "AI-Resource-Group": "*"})
    wide = {s["name"]: s for s in raw.json()["resources"]}["conf-wide-secret"]
    assert wide["resourceGroupSecretsSyncStatus"][RG] is True
    assert core.secrets.delete("conf-wide-secret", resource_group="*").message
    assert "conf-wide-secret" not in names(core.secrets.query(resource_group="*"))
