"""Capabilities (/lm/meta), KPIs, the foundation-model catalogue and tenant info, as the clients read them."""
import pytest
import requests
from ai_api_client_sdk.models.artifact import Artifact

from tests.support.conformance import SCENARIO, bearer, provisioned_group, training_configuration

RG = "conf-analytics"


def test_meta_capabilities(core):
    meta = core.meta.get()
    api = meta.ai_api
    assert api.version and meta.runtime_api_version
    caps = api.capabilities
    assert caps.multitenant and caps.user_executions and caps.user_deployments and caps.time_to_live_deployments
    # Implemented here, so advertised (AI Launchpad reads these flags).
    assert caps.bulk_updates.executions and caps.bulk_updates.deployments
    assert caps.execution_schedules
    assert caps.logs.executions and caps.logs.deployments
    dataset = meta.extensions.dataset
    assert dataset.capabilities.upload and dataset.capabilities.download and dataset.capabilities.delete
    assert dataset.limits.max_upload_file_size == 100 * 1024 * 1024
    assert meta.extensions.resource_groups.version and meta.extensions.analytics.version


def test_foundation_models_are_empty(core):
    models = core.model.query()
    assert (models.count, models.resources) == (0, [])


def test_tenant_info(stack):
    def info(exports):
        response = requests.get(exports["AICORE_BASE_URL"] + "/admin/tenantInfo", timeout=10,
                                headers={"Authorization": bearer(exports)})
        assert response.status_code == 200
        return response.json()

    mine = info(stack.exports)
    assert mine["status"] == "PROVISIONED" and mine["tenantId"] and mine["servicePlan"]
    assert info(stack.mint_tenant("acme"))["tenantId"] != mine["tenantId"]


def test_kpis_header(core):
    kpis = core.kpis.query()
    assert kpis.header == ["ResourceGroup", "Scenario", "Executable", "Executions", "Artifacts", "Deployments"]
    assert isinstance(kpis.rows, list)


def test_kpis_count_per_group_scenario_and_executable(core, catalog):
    provisioned_group(core, RG)
    configuration = training_configuration(core, RG, "counted")  # registers one dataset artifact
    core.execution.create(configuration, resource_group=RG)
    core.artifact.create(name="extra", kind=Artifact.Kind.OTHER, url="ai://default/extra", scenario_id=SCENARIO,
                         resource_group=RG)
    rows = [row for row in core.kpis.query().rows if row[0] == RG]
    assert rows and sum(row[3] for row in rows) == 1 and sum(row[4] for row in rows) == 2
